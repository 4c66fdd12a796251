"""Every demo diagnosis as its card and next step: what an on-call engineer would act on.

No next step holds a placeholder, every command is one the AWS CLI runs, no line of a card
is said twice, and prose stays prose (code is for commands and raw AWS data).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from bot.cache import MemoryStore
from bot.demo.run import diagnose_demo_account
from bot.model import Diagnosis
from bot.render.blocks import COMMAND_BLOCK, render_card
from bot.render.incident import render_incident_card
from bot.service import Diagnoser
from bot.settings import Settings
from bot.watch.incidents import Incident, ServiceRef
from tests.aws_cli import problems
from tests.card_lines import BUDGET, card_lines

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


def incident_of(diagnosis: Diagnosis, *, recovered: bool) -> Incident:
    """The incident a watch would open for the diagnosis's cause (and, recovered, close)."""
    assert diagnosis.cause is not None
    first = diagnosis.diagnosed_at - timedelta(minutes=30)
    return Incident(
        key="k",
        service=ServiceRef(
            account="123456789012",
            region=diagnosis.region,
            cluster=diagnosis.target.cluster or "",
            service=diagnosis.target.service or "",
        ),
        cause=diagnosis.cause,
        revision=3,
        state="recovered" if recovered else "updated",
        stops=12,
        first=first,
        last=first + timedelta(minutes=20),
        recovered_at=first + timedelta(minutes=25) if recovered else None,
    )


def test_every_card_fits_fifteen_lines_and_keeps_what_to_do(diagnoses: list[Diagnosis]) -> None:
    """The budget of a card at Slack's desktop width (tests/card_lines.py), for every demo card
    and the incident card of every failing one, open and recovered; the decisive line, the next
    step and its command stay on the card."""
    over = []
    for diagnosis in diagnoses:
        cards = [render_card(diagnosis)]
        if diagnosis.cause is not None and diagnosis.status != "healthy":
            cards += [
                render_incident_card(incident_of(diagnosis, recovered=done), diagnosis)
                for done in (False, True)
            ]
        # A memory chart counts its 6 lines like any other block: the chart cards fit too.
        over += [(diagnosis.target.label, card_lines(c)) for c in cards if card_lines(c) > BUDGET]
        step = diagnosis.next_step
        if step is not None and step.command:
            assert any(b.get("block_id") == COMMAND_BLOCK for b in cards[0]), diagnosis.target
        if step is not None:
            assert "*Next step*" in str(cards[0]), diagnosis.target.label
    assert over == []


def test_every_failing_card_has_exactly_one_primary_button(diagnoses: list[Diagnosis]) -> None:
    for diagnosis in diagnoses:
        buttons = [
            e for b in render_card(diagnosis) if b["type"] == "actions" for e in b["elements"]
        ]
        primary = [e["text"]["text"] for e in buttons if e.get("style") == "primary"]
        assert len(primary) == (diagnosis.status != "healthy"), (diagnosis.target.label, primary)
        said = [e["text"]["text"] for e in buttons]
        assert not {"Fetch logs", "Log stream"} <= set(said), diagnosis.target.label
