"""Step 3: can the log driver start and write, before the app prints a line?"""

from __future__ import annotations

from bot.checks import CHECKS
from bot.checks.logs import CHECK, LOG_CONFIG_INVALID, LOG_GROUP_MISSING, check_logs
from bot.model import Cause, Fact, LogGroup, Where
from bot.render.evidence import evidence_lines
from tests import facts_builder as fb

MISSING_GROUP = fb.real("log-group-missing", "does not exist. status code: 400")


def no_group() -> LogGroup:
    return LogGroup(name=fb.LOG_GROUP, exists=False, region=fb.REGION)


def test_a_healthy_service_has_nothing_to_say() -> None:
    assert check_logs(fb.facts()) == []


def test_a_missing_log_group_that_is_not_created_automatically() -> None:
    failing = fb.facts(
        log_groups=(no_group(),),
        service=fb.service(running=0),
        stopped_tasks=(fb.stopped(reason=MISSING_GROUP, stop_code="TaskFailedToStart"),),
    )
    said, seen = check_logs(failing)  # what AWS said, and what CloudWatch Logs shows
    assert fb.codes([said, seen]) == [Cause.LOG_GROUP_MISSING] * 2
    assert said.title == seen.title
    assert seen.title == "Log group /ecs/api does not exist and is not created automatically"
    assert f'stoppedReason: "{MISSING_GROUP}"' in evidence_lines(said.evidence)
    assert "CloudWatch Logs in us-east-1 has no log group named /ecs/api" in evidence_lines(
        seen.evidence
    )
    command = "aws logs create-log-group --log-group-name /ecs/api --region us-east-1"
    assert CHECKS.next_step(seen, failing).command == command
    assert seen.severity == "error"


def test_a_missing_log_group_is_a_warning_while_tasks_still_run() -> None:
    finding = fb.only(check_logs(fb.facts(log_groups=(no_group(),))), Cause.LOG_GROUP_MISSING)
    assert finding.severity == "warning"


def test_a_missing_log_group_the_driver_creates_is_fine() -> None:
    options = {
        "awslogs-group": fb.LOG_GROUP,
        "awslogs-region": fb.REGION,
        "awslogs-create-group": "true",
    }
    container = fb.container_definition(log_options=options)
    definition = fb.task_definition(containers=(container,))
    facts = fb.facts(
        log_groups=(no_group(),), task_definitions={fb.TASK_DEFINITION_ARN: definition}
    )
    assert check_logs(facts) == []


def test_a_log_driver_that_cannot_start_says_so() -> None:
    reason = fb.real("log-config-invalid", "fluent.sock")
    facts = fb.facts(stopped_tasks=(fb.stopped(container_reason=reason),))
    finding = fb.only(check_logs(facts), Cause.LOG_CONFIG_INVALID)
    assert finding.title == "The awslogs log driver of container app cannot start"


def test_an_execution_role_that_may_not_write_the_logs() -> None:
    ecr_only = fb.allow(["ecr:*"])
    roles = {fb.EXECUTION_ROLE_ARN: fb.role(fb.EXECUTION_ROLE_ARN, ecr_only)}
    finding = fb.only(check_logs(fb.facts(roles=roles)), Cause.LOG_CONFIG_INVALID)
    assert any(
        "allows logs:CreateLogStream on arn:aws:logs:us-east-1:" in e
        for e in evidence_lines(finding.evidence)
    )
    assert any("logs:PutLogEvents" in e for e in evidence_lines(finding.evidence))


def test_a_policy_scoped_to_the_log_group_is_enough() -> None:
    scoped = fb.allow(
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        f"arn:aws:logs:*:{fb.ACCOUNT}:log-group:{fb.LOG_GROUP}:*",
    )
    roles = {fb.EXECUTION_ROLE_ARN: fb.role(fb.EXECUTION_ROLE_ARN, scoped)}
    assert check_logs(fb.facts(roles=roles)) == []


def test_no_verdict_on_policies_that_could_not_all_be_read() -> None:
    roles = {fb.EXECUTION_ROLE_ARN: fb.role(fb.EXECUTION_ROLE_ARN, fb.allow(["ecr:*"]))}
    gaps = (fb.gap(Fact.ROLES, "iam:ListAttachedRolePolicies"),)
    assert check_logs(fb.facts(roles=roles, gaps=gaps)) == []


def test_the_step_does_not_apply_without_a_log_configuration() -> None:
    container = fb.container_definition(log_driver=None, log_options={})
    definition = fb.task_definition(containers=(container,))
    facts = fb.facts(task_definitions={fb.TASK_DEFINITION_ARN: definition})
    assert CHECK.skip(facts) == "No container has a log configuration"
    assert CHECK.skip(fb.facts()) is None


# --------------------------------------------------------------------------- fixes


def test_a_missing_log_group_is_created_where_the_finding_names_it() -> None:
    step = fb.fixed(LOG_GROUP_MISSING, fb.facts(), where=Where(log_group="/ecs/api"))
    assert step.action.startswith("Create log group /ecs/api (or set awslogs-create-group")
    assert step.command == "aws logs create-log-group --log-group-name /ecs/api --region us-east-1"
    assert step.console_label == "Log groups"


def test_a_fluentd_driver_that_cannot_start_points_at_its_log_router() -> None:
    fluentd = fb.container_definition(log_driver="fluentd", log_options={})
    facts = fb.facts(
        task_definitions={fb.TASK_DEFINITION_ARN: fb.task_definition(containers=(fluentd,))}
    )
    step = fb.fixed(LOG_CONFIG_INVALID, facts)
    assert step.action == (
        "The fluentd driver of app cannot start: check its logConfiguration options in api:7, "
        "and that its log router (FireLens or a fluentd agent) is running before it starts."
    )
    assert step.command is None
    assert step.console_label == "Task definition"
