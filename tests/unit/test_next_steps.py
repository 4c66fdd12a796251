"""Next steps built from hand-built facts: they name what the facts hold, and every command
is one the AWS CLI runs."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from bot.model import Cause, Deployment, Facts, Finding, Particulars, Step, Target
from bot.next_steps import next_step
from tests import facts_builder as fb
from tests.aws_cli import problems

PLACEHOLDER = re.compile(r"<[a-z][^>]*>")


def test_the_cli_model_check_can_fail() -> None:
    assert problems("aws ecs describe-services --cluster c --services s") == []
    assert problems("aws ecs describe-services --cluster c --servics s") == [
        "ecs describe-services has no option --servics",
        "ecs describe-services needs --services",
    ]
    assert problems("aws ecs describe-servicez") == ["ecs has no operation describe-servicez"]
    assert problems("aws ecs 'unclosed") == ["does not parse: No closing quotation"]
    assert (
        problems("aws ec2 create-vpc-endpoint --vpc-id v --service-name s --no-private-dns-enabled")
        == []
    )


@pytest.mark.parametrize("cause", list(Cause), ids=[c.value for c in Cause])
def test_with_almost_no_facts_every_cause_still_gets_a_sound_next_step(cause: Cause) -> None:
    facts = Facts(
        target=Target(), region="us-east-1", collected_at=datetime(2025, 1, 1, tzinfo=UTC)
    )
    finding = Finding(code=cause, step=Step.STOPPED_REASON, severity="error", title="t")
    step = next_step(finding, facts)
    assert step.action
    assert not PLACEHOLDER.search(step.action)
    for line in (step.command or "").splitlines():
        assert problems(line) == [], line


def test_a_crash_on_a_missing_variable_names_the_line_the_file_and_the_variable() -> None:
    crash = fb.stopped(1, exit_code=1)
    lines = (
        "/app/src/db.js:12",
        "Error: REDIS_URL is not set",
        "    at connect (/app/src/db.js:12:11)",
    )
    facts = fb.failing(crash, log_streams=(fb.logs(crash, *lines),))
    diagnosis = fb.diagnose(facts)
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.APP_CRASH
    step = diagnosis.next_step
    assert step is not None
    assert "“Error: REDIS_URL is not set” at /app/src/db.js:12" in step.action
    assert "it reads REDIS_URL, which the task definition api:7 does not set" in step.action
    assert step.command is not None
    assert f"--log-stream-name ecs/app/{crash.task_id}" in step.command


def test_a_failing_deployment_offers_the_revision_the_service_still_runs() -> None:
    crash = fb.stopped(1, exit_code=1)
    old = fb.TASK_DEFINITION_ARN.rsplit(":", 1)[0] + ":2"
    deployments = (
        Deployment(id="ecs-svc/2", status="PRIMARY", task_definition_arn=fb.TASK_DEFINITION_ARN),
        Deployment(id="ecs-svc/1", status="ACTIVE", task_definition_arn=old, running=1),
    )
    lines = ("TypeError: x is undefined",)
    facts = fb.failing(
        crash,
        service=fb.service(running=1, deployments=deployments),
        log_streams=(fb.logs(crash, *lines),),
    )
    step = fb.diagnose(facts).next_step
    assert step is not None
    assert "roll back to api:2, which the service still runs" in step.action
    assert step.command == (
        f"aws ecs update-service --cluster {fb.CLUSTER} --service {fb.SERVICE} "
        "--task-definition api:2"
    )


def test_a_health_check_on_the_wrong_path_is_pointed_at_the_one_the_app_serves() -> None:
    finding = Finding(
        code=Cause.ELB_HEALTH_CHECK,
        step=Step.HEALTH_CHECK,
        severity="error",
        title="Load balancer health checks fail",
        particulars=Particulars(status_codes=(404,), health_path="/healthz"),
    )
    group = fb.target_group(health_check_path="/health")
    facts = fb.facts(target_groups=(group,))
    step = next_step(finding, facts)
    assert step.command == (
        f"aws elbv2 modify-target-group --target-group-arn {group.arn} --health-check-path /healthz"
    )
    assert step.console_label == "Target group"
