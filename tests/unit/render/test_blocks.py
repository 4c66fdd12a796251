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
    Evidence,
    Fact,
    Finding,
    Gap,
    HealthCheck,
    Impact,
    Kind,
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
    ACTION_RESOURCE,
    CARD_BUDGET,
    HEADER_LIMIT,
    MAX_BLOCKS,
    SECTION_LIMIT,
    busy_card,
    earlier_verdict,
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
    evidence: tuple[Evidence, ...] = (
        Evidence(kind=Kind.NOTE, text="exit code 137"),
        Evidence(kind=Kind.NOTE, text="reason: OutOfMemoryError: Container killed"),
    ),
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
        service_state="degraded",
        cause=cause,
        findings=(cause, *others),
        checklist=tuple(ChecklistItem(step=s, status="failed", note=text) for s in STEPS),
        next_step=NextStep(
            step=Step.EXIT_CODE, action=f"Raise the memory limit. {text}", primary="logs"
        ),
        task_arn=TASK_ARN,
        stopped_tasks=stopped,
        summary=text,
        diagnosed_at=datetime(2025, 1, 2, 3, 4, tzinfo=UTC),
        gaps=(Gap(fact=Fact.ROLES, action="iam:GetRole", message=text),),
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
        text=HUGE,
        evidence=tuple(Evidence(kind=Kind.LOG, text=HUGE, source=HUGE) for _ in range(20)),
        stopped=100,
        containers=10,
        lines=200,
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
    cause = card[0]["text"]["text"].split("\n")
    assert cause[0] == ":red_circle: *production/api-service is degraded* · `out-of-memory`"
    assert cause[1] == "*Container app was killed at its memory limit*"
    assert cause[2] == "> exit code 137"  # the decisive line, in words: no message quoted
    assert "3 stopped (all 3 for this cause)" in card[1]["elements"][0]["text"]
    body = "\n".join(texts(card))
    assert "*Next step* Raise the memory limit." in body
    details = "\n".join(texts(render_details(diagnosis())))
    assert f"task `{TASK_ARN}`" in details  # where and when: Details, not the card
    actions = next(b for b in card if b["type"] == "actions")
    ids = [e["action_id"] for e in actions["elements"]]
    assert ids == [ACTION_LOGS, ACTION_RERUN, ACTION_DETAILS, ACTION_CONSOLE]
    assert actions["elements"][0]["style"] == "primary"  # a crash: its logs say why
    assert [e["text"]["text"] for e in actions["elements"]][1] == "Diagnose again"
    assert Target.model_validate_json(actions["elements"][0]["value"]) == diagnosis().target
    shown = fallback_text(diagnosis())
    assert shown.startswith("production/api-service is degraded: out-of-memory")


def test_the_evidence_leads_with_the_decisive_line_and_quotes_each_message_once() -> None:
    event = (
        "(service api) is unable to consistently start tasks successfully. For more information, "
        "see the Troubleshooting section of the Amazon ECS Developer Guide."
    )
    evidence = (
        Evidence(kind=Kind.TASKS, count=4, total=4),
        Evidence(kind=Kind.EXIT, text="1", source="container app"),
        Evidence(
            kind=Kind.LOG, text="TypeError: Cannot read properties of undefined (reading 'map')"
        ),
        Evidence(kind=Kind.EVENTS, count=2),
        Evidence(kind=Kind.EVENT, text=event, when=datetime(2025, 1, 2, 20, 12, tzinfo=UTC)),
        Evidence(kind=Kind.EVENT, text=event, when=datetime(2025, 1, 2, 20, 1, tzinfo=UTC)),
    )
    card = render_card(diagnosis(evidence=evidence, stopped=4))
    assert_sound(card)
    decisive = card[0]["text"]["text"].split("\n")[2]
    assert decisive == "> log: `TypeError: Cannot read properties of undefined (reading 'map')`"
    body = "\n".join(texts(card))
    assert "is unable to consistently start tasks" not in body  # the rest is in Details
    details = "\n".join(texts(render_details(diagnosis(evidence=evidence, stopped=4))))
    assert "is unable to consistently start tasks successfully" in details
    assert "recent stopped tasks show this" not in body  # said once, as a number, beside the cause
    lines = [line for text in texts(card) for line in text.split("\n") if line.strip()]
    assert len(lines) == len(set(lines))


def test_a_reason_ecs_cut_short_says_so() -> None:
    reason = "CannotPullContainerError: " + "x" * 229  # 255 characters, as ECS cuts them
    said = Evidence(kind=Kind.MESSAGE, text=reason, source="stoppedReason")
    quote = render_card(diagnosis(evidence=(said,)))[0]["text"]["text"].split("\n")[2]
    assert quote.startswith("> stoppedReason: `CannotPullContainerError: xxx")
    assert quote.endswith("…`")  # two lines on the card at most; Details has it whole
    assert reason in "\n".join(texts(render_details(diagnosis(evidence=(said,)))))


def test_a_command_keeps_its_code_block_and_survives_escaping() -> None:
    command = (
        "aws iam put-role-policy --role-name a&b --policy-name p --policy-document "
        '\'{"Statement":[{"Action":"s3:<Get>","Resource":"*"}]}\''
    )
    step = NextStep(step=Step.IAM, action="Allow it: `RUN chmod +x /app/start`.", command=command)
    card = render_card(diagnosis().model_copy(update={"next_step": step}))
    assert_sound(card)
    block = next(b for b in card if b.get("block_id") == "ecs_why_command")["text"]["text"]
    assert block.startswith("```")
    assert block.endswith("```")
    shown = block[3:-3].replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert shown == command
    assert "`RUN chmod +x /app/start`" in "\n".join(texts(card))  # never a look-alike


def test_the_checklist_shows_what_did_not_pass_and_one_line_for_the_rest() -> None:
    statuses = ("passed", "failed", "passed", "passed", "warning", "passed", "skipped", "skipped")
    checklist = tuple(
        ChecklistItem(step=step, status=status, note=f"note {step}")
        for step, status in zip(STEPS, statuses, strict=True)
    )
    card = render_card(diagnosis().model_copy(update={"checklist": checklist}))
    text = next(t for t in texts(card) if ":warning:" in t)
    assert text.split("\n") == [  # the cause's own step is not said again
        ":warning: *iam* note iam",
        ":white_check_mark: stopped-reason · logs · image · network"
        "  :heavy_minus_sign: resources · health-check",
    ]


def test_a_healthy_card_is_two_lines_without_fetch_logs() -> None:
    healthy = diagnosis().model_copy(
        update={
            "status": "healthy",
            "service_state": "healthy",
            "cause": None,
            "stopped_tasks": 0,
            "next_step": None,
            "impact": Impact(running=2, desired=2, revision="app:7"),
        }
    )
    card = render_card(healthy)
    assert_sound(card)
    assert len(card) <= 3
    assert card[0]["text"]["text"] == ":large_green_circle: *production/api-service is healthy*"
    assert card[1]["elements"][0]["text"].startswith("2/2 tasks running · nothing stopped recently")
    ids = [e["action_id"] for e in card[-1]["elements"]]
    assert ACTION_LOGS not in ids


def test_a_configuration_cause_makes_the_resource_at_fault_the_primary_action() -> None:
    cause = Finding(
        code=Cause.HEALTH_CHECK_PORT_MISMATCH,
        step=Step.HEALTH_CHECK,
        severity="error",
        title="Target group web checks port 8080, but container web serves 3000",
        tasks=3,
    )
    url = "https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#TargetGroup:x"
    step = NextStep(
        step=Step.HEALTH_CHECK,
        action="Check the traffic port.",
        console_url=url,
        console_label="Target group",
    )
    card = render_card(diagnosis().model_copy(update={"cause": cause, "next_step": step}))
    assert_sound(card)
    buttons = next(b for b in card if b["type"] == "actions")["elements"]
    primary = [b for b in buttons if b.get("style") == "primary"]
    assert [(b["text"]["text"], b["url"], b["action_id"]) for b in primary] == [
        ("Target group", url, ACTION_RESOURCE)
    ]


KILLED = Evidence(kind=Kind.MESSAGE, text="signal: killed", source="stoppedReason")


def test_an_unknown_cause_looks_unknown_and_drops_a_guess_the_evidence_argues_against() -> None:
    cause = Finding(
        code=Cause.UNKNOWN,
        step=Step.NETWORK,
        severity="error",
        title="The cause could not be determined; closest guess: a connection timed out",
        evidence=(
            KILLED,
            Evidence(kind=Kind.CONTRARY, text="yet subnet subnet-1 routes 0.0.0.0/0 to nat-1"),
        ),
    )
    unknown = {"status": "unknown", "service_state": "unknown"}
    card = render_card(diagnosis().model_copy(update={"cause": cause, **unknown}))
    head = card[0]["text"]["text"]
    assert head.startswith(":grey_question: *production/api-service: cause unknown*")
    assert ":red_circle:" not in head
    assert "closest guess" not in "\n".join(texts(card))
    cause = cause.model_copy(update={"evidence": (KILLED,)})
    card = render_card(diagnosis().model_copy(update={"cause": cause, **unknown}))
    assert "closest guess: a connection timed out" in card[0]["text"]["text"]


def test_a_failure_that_stopped_stopping_is_recovering() -> None:
    recovering = diagnosis().model_copy(
        update={"impact": Impact(running=2, desired=2, stopped=3), "service_state": "recovering"}
    )
    assert render_card(recovering)[0]["text"]["text"].startswith(
        ":large_yellow_circle: *production/api-service is recovering*"
    )
    still = recovering.model_copy(update={"service_state": "degraded"})
    assert render_card(still)[0]["text"]["text"].startswith(":red_circle:")


def test_diagnosing_again_says_what_changed() -> None:
    before = render_card(diagnosis())
    earlier = earlier_verdict(before)
    assert earlier is not None
    assert (earlier.state, earlier.code) == ("failing", "out-of-memory")
    healthy = diagnosis().model_copy(
        update={
            "status": "healthy",
            "service_state": "healthy",
            "cause": None,
            "stopped_tasks": 0,
        }
    )
    after = render_card(healthy, earlier=earlier)
    assert_sound(after)
    changed = next(t for t in texts(after) if t.startswith(":repeat:"))
    assert changed.startswith(
        ":repeat: Diagnosed again: was *failing* (`out-of-memory`) at <!date^"
    )
    assert changed.endswith(", now *healthy*.")
    same = render_card(diagnosis(), earlier=earlier)
    assert any(t.startswith(":repeat: Diagnosed again: no change since") for t in texts(same))
    assert earlier_verdict([{"type": "section", "block_id": "something else"}]) is None


def test_details_say_where_and_when_the_task_stopped_in_the_readers_zone() -> None:
    stopped = datetime(2026, 11, 23, 9, 41, tzinfo=UTC)
    details = render_details(diagnosis().model_copy(update={"stopped_at": stopped}))
    context = next(
        line for t in texts(details) for line in t.split("\n") if line.startswith("cluster *")
    )
    assert f"stopped <!date^{int(stopped.timestamp())}^" in context
    assert "|2026-11-23 09:41 UTC>" in context


def test_extreme_diagnoses_stay_valid_safe_and_within_limits() -> None:
    extreme_diagnosis = extreme()
    card = render_card(extreme_diagnosis)
    assert_sound(card)
    assert "100 stopped (all 100 for this cause)" in "\n".join(texts(card))
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
@given(
    st.text(max_size=4000),
    st.lists(
        st.builds(
            Evidence,
            kind=st.sampled_from(Kind),
            text=st.text(max_size=600),
            source=st.text(max_size=60),
            count=st.integers(0, 9),
            total=st.integers(0, 9),
        ),
        max_size=12,
    ),
)
def test_any_text_from_aws_renders_safely(text: str, evidence: list[Evidence]) -> None:
    sample = diagnosis(text=text or "x", evidence=tuple(evidence))
    for blocks in (render_card(sample), render_details(sample), render_logs(sample.log_streams)[0]):
        assert_sound(blocks)


def test_the_fallback_text_escapes_like_the_blocks() -> None:
    sample = diagnosis(text="Image <!channel> & <https://evil.example|x> is gone")
    text = fallback_text(sample)
    assert "<" not in text
    assert "&lt;!channel&gt; &amp; &lt;https://evil.example|x&gt;" in text


def test_fetch_logs_is_offered_only_where_the_task_left_a_log_stream() -> None:
    """A task that stopped before any container ran (an image that could not be pulled) has
    no stream: the button would answer that it does not exist."""
    with_logs = [e["action_id"] for e in render_card(diagnosis())[-1]["elements"]]
    assert ACTION_LOGS in with_logs
    never_ran = diagnosis().model_copy(update={"log_streams": ()})
    without = [e["action_id"] for e in render_card(never_ran)[-1]["elements"]]
    assert ACTION_LOGS not in without


def test_logs_show_a_tail_once_and_leave_out_a_stream_that_does_not_exist() -> None:
    def stream(task: str, container: str, *lines: str, found: bool = True) -> LogStream:
        return LogStream(
            container=container,
            task_id=task,
            group="/ecs/app",
            stream=f"ecs/{container}/{task}",
            lines=lines,
            found=found,
        )

    blocks, _ = render_logs(
        [
            stream("t1", "app", "boom"),
            stream("t2", "app", "boom"),
            stream("t3", "app", "boom"),
            stream("t1", "migrate", found=False),
        ]
    )
    shown = "\n".join(texts(blocks))
    assert shown.count("boom") == 1
    assert "same in 2 other tasks" in shown
    assert "does not exist" not in shown
    alone, _ = render_logs([stream("t1", "migrate", found=False)])
    assert "does not exist" in "\n".join(texts(alone))  # said when it is all there is
