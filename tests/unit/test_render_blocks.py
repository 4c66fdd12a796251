"""The Slack renderer against ordinary and extreme diagnoses: every message validates with
slack_sdk's models, nothing from AWS can mention, link or leak a secret, and Slack's limits hold."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block

from bot.model import (
    STEPS,
    Cause,
    ChecklistItem,
    ContainerDefinition,
    Diagnosis,
    Finding,
    Gap,
    HealthCheck,
    LogStream,
    NextStep,
    PortMapping,
    SecretRef,
    Step,
    Target,
    TaskDefinition,
)
from bot.render.blocks import (
    ACTION_CONSOLE,
    ACTION_DETAILS,
    ACTION_LOGS,
    ACTION_RERUN,
    CARD_BUDGET,
    HEADER_LIMIT,
    MAX_BLOCKS,
    SECTION_LIMIT,
    busy_card,
    fallback_text,
    logs_file,
    render_card,
    render_details,
    render_logs,
)

TASK_ARN = "arn:aws:ecs:us-east-1:123456789012:task/production/0123456789abcdef0123456789abcdef"
SECRETS = (
    "AKIAIOSFODNN7EXAMPLE",
    "hunter2",
    "xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx",
)
PLANTED = f"key={SECRETS[0]} DB_PASSWORD={SECRETS[1]} slack {SECRETS[2]}"
NASTY = "<!channel> <@U0BOSS> <https://evil.example|click> ``` `tick` *bold* &amp; 🚀 ünïcødé ✓ "
HUGE = (NASTY + PLANTED + " " + "x" * 100) * 40  # ~10 kB: an AWS reason or log line gone wild


def diagnosis(
    *,
    text: str = "Container app was killed at its memory limit",
    evidence: tuple[str, ...] = ("exit code 137", "reason: OutOfMemoryError: Container killed"),
    stopped: int = 3,
    containers: int = 1,
    lines: int = 5,
) -> Diagnosis:
    cause = Finding(
        code=Cause.OUT_OF_MEMORY,
        step=Step.EXIT_CODE,
        severity="error",
        title=text,
        evidence=evidence,
        tasks=stopped,
    )
    others = tuple(
        Finding(code=Cause.UNKNOWN, step=step, severity="warning", title=text, evidence=evidence)
        for step in STEPS
    )
    container = ContainerDefinition(
        name="app",
        image=f"123456789012.dkr.ecr.us-east-1.amazonaws.com/app:{text[:100]}",
        cpu=256,
        memory=512,
        port_mappings=(PortMapping(container_port=8080, host_port=8080),),
        health_check=HealthCheck(command=("CMD-SHELL", f"curl -f http://localhost/ || {text}")),
        log_driver="awslogs",
        log_options={"awslogs-group": "/ecs/app"},
        secrets=(SecretRef(name="DB_PASSWORD", value_from="arn:aws:ssm:us-east-1:1:parameter/db"),),
        environment_names=tuple(f"SETTING_{n}" for n in range(60)),
        command=("serve", text),
    )
    return Diagnosis(
        target=Target(cluster="production", service="api-service", region="us-east-1"),
        region="us-east-1",
        account="123456789012",
        status="failing",
        cause=cause,
        findings=(cause, *others),
        checklist=tuple(ChecklistItem(step=s, status="failed", note=text) for s in STEPS),
        next_step=NextStep(step=Step.EXIT_CODE, action=f"Raise the memory limit. {text}"),
        task_arn=TASK_ARN,
        stopped_tasks=stopped,
        summary=text,
        diagnosed_at=datetime(2025, 1, 2, 3, 4, tzinfo=UTC),
        gaps=(Gap(step=Step.IAM, action="iam:GetRole", message=text),),
        task_definition=TaskDefinition(
            arn="arn:aws:ecs:us-east-1:123456789012:task-definition/app:7",
            family="app",
            revision=7,
            network_mode="awsvpc",
            requires_compatibilities=("FARGATE",),
            cpu="256",
            memory="512",
            execution_role_arn="arn:aws:iam::123456789012:role/exec",
            containers=tuple(
                container.model_copy(update={"name": f"app{n}"}) for n in range(containers)
            ),
        ),
        log_streams=(
            LogStream(
                container="app",
                task_id="0123456789abcdef0123456789abcdef",
                group="/ecs/app",
                stream="ecs/app/0123456789abcdef0123456789abcdef",
                lines=tuple(f"{n} {text}" for n in range(lines)),
            ),
        ),
    )


def extreme() -> Diagnosis:
    return diagnosis(
        text=HUGE, evidence=tuple(HUGE for _ in range(20)), stopped=100, containers=10, lines=200
    )


def texts(node: Any) -> list[str]:
    """Every mrkdwn/plain text string in a message's blocks."""
    if isinstance(node, dict):
        found = [node["text"]] if isinstance(node.get("text"), str) else []
        return found + [t for value in node.values() for t in texts(value)]
    if isinstance(node, list):
        return [t for item in node for t in texts(item)]
    return []


def assert_sound(blocks: list[dict[str, Any]]) -> None:
    """Valid Block Kit within Slack's limits, with nothing injected and nothing leaked."""
    assert 0 < len(blocks) <= MAX_BLOCKS
    assert len(json.dumps(blocks)) <= CARD_BUDGET
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None
        assert parsed.to_dict() == block  # to_dict() runs slack_sdk's validation
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= SECTION_LIMIT
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= HEADER_LIMIT
    for text in texts(blocks):
        # The only Slack control sequences are the ones we write: dates.
        assert re.findall(r"<[^>]*>", text) == re.findall(r"<!date\^[^>]*>", text), text[:300]
        assert text.count("```") % 2 == 0, text[:300]
        assert text.replace("```", "").count("`") % 2 == 0, text[:300]
        for secret in SECRETS:
            assert secret not in text


def test_the_card_says_what_an_engineer_needs_first() -> None:
    card = render_card(diagnosis())
    assert_sound(card)
    assert card[0]["text"]["text"] == ":red_circle: production/api-service is failing"
    body = "\n".join(texts(card))
    assert "*Container app was killed at its memory limit*" in body
    assert "`out-of-memory`" in body
    assert "3 tasks stopped recently; all of them for this reason." in body
    assert "> `exit code 137`" in body
    assert all(f"*{step}*" in body for step in STEPS)
    assert "*Next step:* Raise the memory limit." in body
    assert "task `0123456789abcdef0123456789abcdef`" in body
    actions = next(b for b in card if b["type"] == "actions")
    ids = [e["action_id"] for e in actions["elements"]]
    assert ids == [ACTION_LOGS, ACTION_RERUN, ACTION_DETAILS, ACTION_CONSOLE]
    assert Target.model_validate_json(actions["elements"][0]["value"]) == diagnosis().target
    assert fallback_text(diagnosis()).startswith("production/api-service is failing: out-of-memory")


def test_the_context_line_says_when_the_task_stopped() -> None:
    stopped = datetime(2026, 11, 23, 9, 41, tzinfo=UTC)
    card = render_card(diagnosis().model_copy(update={"stopped_at": stopped}))
    context = card[-1]["elements"][0]["text"]
    assert f"stopped <!date^{int(stopped.timestamp())}^" in context
    assert "|2026-11-23 09:41 UTC>" in context


def test_extreme_diagnoses_stay_valid_safe_and_within_limits() -> None:
    extreme_diagnosis = extreme()
    card = render_card(extreme_diagnosis)
    assert_sound(card)
    assert "100 tasks stopped recently; all of them for this reason." in "\n".join(texts(card))
    assert_sound(render_details(extreme_diagnosis))
    blocks, complete = render_logs(extreme_diagnosis.log_streams)
    assert_sound(blocks)
    assert not complete  # 200 long lines: the handler uploads them as a file instead
    assert len(fallback_text(extreme_diagnosis)) <= 300
    assert not any(secret in fallback_text(extreme_diagnosis) for secret in SECRETS)


def test_the_logs_file_has_every_line_with_secrets_redacted() -> None:
    streams = extreme().log_streams
    content = logs_file(streams)
    assert content.count("\n") == 1 + 200
    assert not any(secret in content for secret in SECRETS)


def test_short_logs_fit_in_one_code_block_newest_last() -> None:
    blocks, complete = render_logs(diagnosis(lines=3).log_streams)
    assert complete
    assert_sound(blocks)
    text = blocks[0]["text"]["text"]
    assert text.index("0 Container") < text.index("2 Container")


def test_details_show_task_definition_facts_and_env_names_only() -> None:
    body = "\n".join(texts(render_details(diagnosis())))
    for fact in ("awsvpc", "FARGATE", "role/exec", "/ecs/app", "8080/tcp", "start period 0 s"):
        assert fact in body
    assert "`SETTING_0`" in body
    assert "_(values never shown)_" in body
    assert "could not call iam:GetRole" in body


def test_a_busy_card_swaps_its_buttons_for_a_note() -> None:
    card = render_card(diagnosis())
    busy = busy_card(card, "re-running…")
    assert len(busy) == len(card)
    assert not any(b["type"] == "actions" for b in busy)
    assert "re-running…" in texts(busy)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=4000), st.lists(st.text(max_size=600), max_size=12))
def test_any_text_from_aws_renders_safely(text: str, evidence: list[str]) -> None:
    sample = diagnosis(text=text or "x", evidence=tuple(evidence))
    for blocks in (render_card(sample), render_details(sample), render_logs(sample.log_streams)[0]):
        assert_sound(blocks)
