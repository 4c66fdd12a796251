"""The pattern tables against real AWS messages (tests/unit/real_messages.py).

Most messages say their cause in words: the tables must read them so, whole or cut by AWS at
255 characters. Some do not (the same "pull access denied" for a missing image and a private
one): for those the situation the message's source describes decides, and the checks must
weigh it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.checks.patterns import LOG_RULES, RULES, Rule, classify, classify_log
from bot.model import Cause, Facts, Route, SecurityGroup
from tests import facts_builder as fb
from tests.unit.real_messages import EXIT_CODES, REAL_MESSAGES, RealMessage

AWS_LIMIT = 255  # AWS cuts a task's stoppedReason and a container's reason here
CUT_KINDS = {"stopped-reason", "container-reason"}
READ_BY_THE_BOT = {"stopped-reason", "container-reason", "service-event", "target-health"}


def read(message: RealMessage) -> Rule | None:
    """What the tables make of a message's words alone.

    A log line is read as the checks read a container's log, with the app's table, and then
    with AWS's (agent, Docker daemon and deploy-tool logs quote AWS).
    """
    if message.kind == "log-line":
        return classify_log(message.text) or classify(message.text)
    return classify(message.text)


# --------------------------------------------------------------------------- situations

NO_DEFAULT_ROUTE = fb.subnet(routes=(Route(destination="10.0.0.0/16", target="local"),))
ENDPOINTS = tuple(f"com.amazonaws.{fb.REGION}.{name}" for name in ("ecr.api", "ecr.dkr", "s3"))
DOCKER_HUB_IMAGE = "myprivate/testbatch:latest"


def messages_only(**overrides: Any) -> Facts:
    """A service running none of its tasks, where the bot read ECS and nothing beyond it."""
    unread: dict[str, Any] = {
        "service": fb.service(running=0),
        "running_tasks": (),
        "images": (),
        "roles": {},
        "network": None,
        "target_groups": (),
        "log_groups": (),
    }
    return fb.facts(**(unread | overrides))


def placed(message: RealMessage) -> dict[str, Any]:
    """Facts with the message where the bot reads it."""
    exit_code = EXIT_CODES.get(message.code)
    if message.kind == "service-event":
        steady = fb.event(f"(service {fb.SERVICE}) has reached a steady state.", 30)
        return {"service": fb.service(running=0, events=(fb.event(message.text), steady))}
    if message.kind == "log-line":
        task = fb.stopped(exit_code=exit_code or 1)
        return {"stopped_tasks": (task,), "log_streams": (fb.logs(task, message.text),)}
    if message.kind == "container-reason":
        return {"stopped_tasks": (fb.stopped(container_reason=message.text, exit_code=exit_code),)}
    return {
        "stopped_tasks": (fb.stopped(reason=message.text, stop_code=None, exit_code=exit_code),)
    }


def _private_docker_hub_image() -> dict[str, Any]:
    container = fb.container_definition(image=DOCKER_HUB_IMAGE)
    image = fb.image(
        uri=DOCKER_HUB_IMAGE, registry="other", repository="myprivate/testbatch", tag="latest"
    )
    return {
        "task_definitions": {fb.TASK_DEFINITION_ARN: fb.task_definition(containers=(container,))},
        "images": (image,),
    }


def _healthy_configuration() -> dict[str, Any]:
    healthy = fb.facts()
    return {"images": healthy.images, "roles": healthy.roles, "network": healthy.network}


# What the source of each such message describes, as facts the collectors would read.
CONTEXTS: dict[str, Callable[[], dict[str, Any]]] = {
    # the image is in ECR (another account's), but the execution role may not pull it
    "ecr-permission-denied": lambda: {
        "images": (fb.image(),),
        "roles": {fb.EXECUTION_ROLE_ARN: fb.role(fb.EXECUTION_ROLE_ARN, fb.allow(["logs:*"]))},
    },
    # Docker Hub knows the repository and tag; the task definition gives no credentials
    "registry-auth": _private_docker_hub_image,
    "no-route-to-internet": lambda: {"network": fb.network(subnets=(NO_DEFAULT_ROUTE,))},
    # ECR endpoints, but none for CloudWatch Logs
    "missing-vpc-endpoint": lambda: {
        "network": fb.network(subnets=(NO_DEFAULT_ROUTE,), vpc_endpoints=ENDPOINTS)
    },
    "security-group-no-egress": lambda: {
        "network": fb.network(security_groups=(SecurityGroup(id=fb.SECURITY_GROUP, name="api"),))
    },
    "role-not-found": lambda: {
        "roles": {fb.EXECUTION_ROLE_ARN: fb.role(fb.EXECUTION_ROLE_ARN, exists=False)}
    },
    "app-crash": dict,  # the exit code (EXIT_CODES) tells
    "segfault": dict,
    # the target group checks a port the container does not serve
    "health-check-port-mismatch": lambda: {
        "target_groups": (fb.target_group(health_check_port="8081", targets=()),)
    },
    # every piece of configuration the message points at is fine: nothing explains it
    "unknown": _healthy_configuration,
}

# Messages whose words cannot tell their cause (code, source): the situation decides.
DECIDED_BY_CONTEXT = {
    ("ecr-permission-denied", "https://github.com/aws/amazon-ecs-agent/issues/308"),
    (
        "ecr-permission-denied",
        "https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/task_cannot_pull_image.md",
    ),
    ("ecr-permission-denied", "https://github.com/aws/aws-cdk/issues/14457"),
    ("registry-auth", "https://github.com/awslabs/aws-batch-helpers/issues/4"),
    ("no-route-to-internet", "https://github.com/nikovirtala/cdk-github-actions-runner/pull/3"),
    ("missing-vpc-endpoint", "https://github.com/awsdocs/amazon-ecr-user-guide/pull/16"),
    (
        "missing-vpc-endpoint",
        "https://github.com/open-telemetry/opentelemetry-collector-contrib/issues/12329",
    ),
    ("security-group-no-egress", "https://github.com/Releem/releem-agent/issues/195"),
    ("security-group-no-egress", "https://github.com/aws/copilot-cli/issues/3456"),
    ("role-not-found", "https://github.com/boto/boto3/issues/1878"),
    ("app-crash", "https://gist.github.com/KensoDev/9831acfa00acf11999b635be1e8ad97d"),
    (
        "app-crash",
        "https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/stopped-task-errors.md",
    ),
    ("segfault", "https://github.com/aws/amazon-ecs-agent/issues/625"),
    ("health-check-port-mismatch", "https://github.com/aws/copilot-cli/issues/3772"),
    ("unknown", "https://github.com/awslabs/amazon-s3-find-and-forget/issues/290"),
    ("unknown", "https://github.com/aws/amazon-ecs-agent/issues/2137"),
}


def _by_context(message: RealMessage) -> bool:
    return (message.code, message.source) in DECIDED_BY_CONTEXT


def _ids(messages: list[RealMessage]) -> list[str]:
    return [f"{m.code}:{m.kind}:{REAL_MESSAGES.index(m)}" for m in messages]


BY_WORDS = [m for m in REAL_MESSAGES if not _by_context(m)]
BY_CONTEXT = [m for m in REAL_MESSAGES if _by_context(m)]
BOT_READS = [m for m in BY_WORDS if m.kind in READ_BY_THE_BOT]
CUT = [m for m in BY_WORDS if m.kind in CUT_KINDS]
LONG = [m for m in CUT if len(m.text) > AWS_LIMIT]


# --------------------------------------------------------------------------- the words


@pytest.mark.parametrize("message", BY_WORDS, ids=_ids(BY_WORDS))
def test_a_real_message_reads_as_its_cause(message: RealMessage) -> None:
    rule = read(message)
    assert rule is not None, message.text
    assert rule.cause == message.code, message.text


LOG_CAUSES = {rule.cause for rule in LOG_RULES}
APP_LINES = [m for m in BY_WORDS if m.kind == "log-line" and m.code in LOG_CAUSES]


@pytest.mark.parametrize("message", APP_LINES, ids=_ids(APP_LINES))
def test_the_log_table_alone_reads_what_the_app_said(message: RealMessage) -> None:
    """The checks read a container's last lines with the log table only."""
    rule = classify_log(message.text)
    assert rule is not None, message.text
    assert rule.cause == message.code, message.text


@pytest.mark.parametrize("message", LONG, ids=_ids(LONG))
def test_cutting_at_255_characters_never_turns_one_cause_into_another(
    message: RealMessage,
) -> None:
    whole, cut = classify(message.text), classify(message.text[:AWS_LIMIT])
    assert whole is not None
    assert cut is not None
    # the cut may lose the specific words, leaving only the family (an unknown pull failure)
    assert cut.cause in {whole.cause, Cause.UNKNOWN}
    assert cut.step == whole.step


@pytest.mark.parametrize("message", CUT, ids=_ids(CUT))
def test_cut_short_at_any_length_a_reason_is_still_read(message: RealMessage) -> None:
    """Consoles, CLIs and issue threads cut reasons anywhere ("...", "context deadli..."):
    once a row reads the head of a reason, every longer head is read too."""
    first = next(n for n in range(1, len(message.text) + 1) if classify(message.text[:n]))
    unread = [n for n in range(first, len(message.text)) if classify(message.text[:n]) is None]
    assert not unread, message.text[: unread[0]] if unread else ""


@pytest.mark.parametrize(
    ("code", "containing", "generic"),
    [
        ("no-route-to-internet", "request canceled while waiting", "the image could not be pulled"),
        ("disk-full", "GetImageBlob", "the image could not be pulled"),
        ("log-group-missing", "does not exist.", "the log driver could not start"),
        ("secrets-access-denied", "ssm:GetParameters", "ECS could not prepare the task"),
        ("ecr-permission-denied", "amberwing", "the image or tag does not exist"),
    ],
)
def test_a_specific_row_comes_before_a_generic_one_that_matches_too(
    code: str, containing: str, generic: str
) -> None:
    text = fb.real(code, containing)
    assert next(rule for rule in RULES if rule.meaning == generic).search(text)
    rule = classify(text)
    assert rule is not None
    assert rule.cause == code


# --------------------------------------------------------------------------- the situation


@pytest.mark.parametrize("message", BOT_READS, ids=_ids(BOT_READS))
def test_a_real_message_alone_is_diagnosed_as_its_cause(message: RealMessage) -> None:
    diagnosis = fb.diagnose(messages_only(**placed(message)))
    assert diagnosis.cause is not None
    assert diagnosis.cause.code == message.code, diagnosis.cause.title


@pytest.mark.parametrize("message", BY_CONTEXT, ids=_ids(BY_CONTEXT))
def test_a_message_whose_words_cannot_tell_is_judged_in_context(message: RealMessage) -> None:
    diagnosis = fb.diagnose(messages_only(**(placed(message) | CONTEXTS[message.code]())))
    assert diagnosis.cause is not None
    assert diagnosis.cause.code == message.code, diagnosis.cause.title


@pytest.mark.parametrize("message", BY_CONTEXT, ids=_ids(BY_CONTEXT))
def test_only_messages_the_words_cannot_decide_need_their_context(message: RealMessage) -> None:
    rule = read(message)
    assert rule is None or rule.cause != message.code


# --------------------------------------------------------------------------- the rows


@pytest.mark.parametrize("rule", RULES, ids=[r.meaning for r in RULES])
def test_every_row_reads_at_least_one_real_message(rule: Rule) -> None:
    texts = [m.text for m in REAL_MESSAGES]
    texts += [m.text[:AWS_LIMIT] for m in REAL_MESSAGES if m.kind in CUT_KINDS]
    assert any(classify(text) is rule for text in texts)


CORPUS = Path(__file__).parents[2] / "data" / "app_log_lines"
# The training half of the corpus of real app log lines (the held-out half is only scored).
TRAINING = [
    row["text"]
    for path in sorted(CORPUS.glob("*.jsonl"))
    for row in map(json.loads, path.read_text().splitlines())
    if row["split"] == "train"
]


@pytest.mark.parametrize("rule", LOG_RULES, ids=[r.meaning for r in LOG_RULES])
def test_every_log_row_matches_at_least_one_real_log_line(rule: Rule) -> None:
    lines = [m.text for m in REAL_MESSAGES if m.kind == "log-line"] + TRAINING
    assert any(rule.search(line) for line in lines)


def test_every_situation_is_used() -> None:
    assert {code for code, _ in DECIDED_BY_CONTEXT} == set(CONTEXTS)
    assert all(any(m.source == source for m in BY_CONTEXT) for _, source in DECIDED_BY_CONTEXT)


KINDS = {"stopped-reason", "container-reason", "service-event", "log-line", "target-health"}


def test_the_collection_is_large_sourced_and_in_our_words() -> None:
    assert len({m.text for m in REAL_MESSAGES}) >= 300
    assert all(m.source.startswith("https://") for m in REAL_MESSAGES)
    assert {m.kind for m in REAL_MESSAGES} == KINDS
    assert {m.code for m in REAL_MESSAGES} <= {cause.value for cause in Cause}  # CONTRACT §4
