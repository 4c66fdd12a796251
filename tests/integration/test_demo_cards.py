"""Every demo diagnosis as its card and next step: what an on-call engineer would act on.

No next step holds a placeholder, every command is one the AWS CLI runs, no line of a card
is said twice, and prose stays prose (code is for commands and raw AWS data).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from bot.cache import MemoryStore
from bot.demo.run import diagnose_demo_account
from bot.model import Diagnosis
from bot.render.blocks import COMMAND_BLOCK, render_card
from bot.service import Diagnoser
from bot.settings import Settings
from tests.aws_cli import problems

PLACEHOLDER = re.compile(r"<[a-z][\w -]*>")
QUOTED = re.compile(r"“[^”]*”")  # data we quote may itself end in "…"
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)


@pytest.fixture(scope="module")
def diagnoses(account: dict[str, str]) -> Iterator[list[Diagnosis]]:
    diagnoser = Diagnoser(Settings(), MemoryStore())
    try:
        yield diagnose_demo_account(diagnoser)
    finally:
        diagnoser.close()


def sections(card: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [block for block in card if block["type"] == "section"]


def test_no_next_step_holds_a_placeholder(diagnoses: list[Diagnosis]) -> None:
    for diagnosis in diagnoses:
        step = diagnosis.next_step
        if step is None:
            assert diagnosis.status == "healthy"
            continue
        said = QUOTED.sub("", f"{step.action}\n{step.command or ''}")
        assert not PLACEHOLDER.search(said), (diagnosis.target.label, said)
        assert "…" not in said, (diagnosis.target.label, said)


def test_every_command_runs_as_written(diagnoses: list[Diagnosis]) -> None:
    commands = [
        (d.target.label, line)
        for d in diagnoses
        if d.next_step and d.next_step.command
        for line in d.next_step.command.splitlines()
    ]
    assert len(commands) >= 30  # most causes come with a command
    assert [(label, line, problems(line)) for label, line in commands if problems(line)] == []


def test_the_next_step_names_what_the_diagnosis_read(diagnoses: list[Diagnosis]) -> None:
    by_service = {d.target.service: d for d in diagnoses}
    expected = {
        "payments-api": ["rates.js:42", "TypeError"],
        "notifications-api": ["--log-group-name /ecs/notifications-api"],
        "checkout-web": ["--health-check-path /healthz", "targetgroup/checkout-web/"],
        "web-frontend": ["--health-check-port traffic-port"],
        "fraud-scorer": ["--vpc-endpoint-type Gateway", "com.amazonaws.us-east-1.s3", "rtb-"],
        "reporting-api": ["update-assume-role-policy --role-name reporting-exec-role"],
        "orders-api": ["put-role-policy --role-name ecsTaskExecutionRole", "secret:prod/orders/db"],
        "geo-lookup": ["AWSSupport-TroubleshootECSTaskFailedToStart", "TaskId="],
        "queue-worker": ["AttributeValue=StopTask"],
        "ml-training": ["Fargate On-Demand vCPU resource count", "--quota-code L-3032A538"],
        "checkout-api": ["no tag 2.4.0", "--repository-name checkout-api"],
    }
    for service, words in expected.items():
        step = by_service[service].next_step
        assert step is not None
        said = f"{step.action}\n{step.command}"
        assert all(word in said for word in words), (service, said)


def test_no_card_says_a_line_twice_or_is_mostly_code(diagnoses: list[Diagnosis]) -> None:
    for diagnosis in diagnoses:
        card = render_card(diagnosis)
        texts = [block["text"]["text"] for block in sections(card)]
        texts += [
            e["text"] for block in card if block["type"] == "context" for e in block["elements"]
        ]
        lines = [line for text in texts for line in text.split("\n") if line.strip()]
        assert len(lines) == len(set(lines)), diagnosis.target.label
        prose = [b["text"]["text"] for b in sections(card) if b.get("block_id") != COMMAND_BLOCK]
        coded = sum(len(span) for text in prose for span in CODE.findall(text))
        assert coded <= sum(len(text) for text in prose) / 2, diagnosis.target.label


def test_the_cause_section_comes_first_and_healthy_cards_are_short(
    diagnoses: list[Diagnosis],
) -> None:
    for diagnosis in diagnoses:
        card = render_card(diagnosis)
        first = card[0]["text"]["text"]
        assert diagnosis.target.label in first
        if diagnosis.cause is not None and diagnosis.status != "healthy":
            assert diagnosis.cause.code.value in first
        if diagnosis.status == "healthy" and not diagnosis.stopped_tasks:
            assert len(card) <= 3
