"""Step 5: the execution and task roles exist, trust ECS tasks, and can read the secrets."""

from __future__ import annotations

from typing import Any

from bot.checks import CHECKS
from bot.checks.base import UNCONFIRMED
from bot.checks.iam import (
    EXECUTION_ROLE_MISSING,
    ROLE_NOT_FOUND,
    SECRETS_ACCESS_DENIED,
    TASK_ROLE_MISSING,
    TRUST_POLICY,
    check_iam,
)
from bot.model import Cause, Fact, Facts, SecretRef, Step, Where
from bot.render.evidence import evidence_lines
from tests import facts_builder as fb

NO_CREDENTIALS = "botocore.exceptions.NoCredentialsError: Unable to locate credentials"
PARAMETER = f"arn:aws:ssm:{fb.REGION}:{fb.ACCOUNT}:parameter/prod/api/key"


def with_definition(**overrides: Any) -> dict[str, Any]:
    return {"task_definitions": {fb.TASK_DEFINITION_ARN: fb.task_definition(**overrides)}}


def with_secrets(*secrets: SecretRef, **roles: Any) -> Facts:
    container = fb.container_definition(secrets=secrets)
    return fb.facts(**with_definition(containers=(container,)), **roles)


def crashed_without_credentials(**overrides: Any) -> Facts:
    stop = fb.stopped(exit_code=1)
    lines = ("Fetching config from S3", NO_CREDENTIALS)
    return fb.facts(stopped_tasks=(stop,), log_streams=(fb.logs(stop, *lines),), **overrides)


def test_a_healthy_service_has_nothing_to_say() -> None:
    assert check_iam(fb.facts()) == []


def test_fargate_needs_an_execution_role_for_awslogs_and_ecr() -> None:
    facts = fb.facts(**with_definition(execution_role_arn=None))
    finding = fb.only(check_iam(facts), Cause.EXECUTION_ROLE_MISSING)
    assert finding.title == (
        "The task definition has no execution role, but awslogs on Fargate and ECR pulls on "
        "Fargate need one"
    )
    assert evidence_lines(finding.evidence)[0] == "task definition api:7 has no executionRoleArn"


def test_on_ec2_awslogs_and_ecr_need_no_execution_role() -> None:
    definition = fb.on_ec2().task_definition
    assert definition is not None
    facts = fb.on_ec2(
        task_definitions={
            fb.TASK_DEFINITION_ARN: definition.model_copy(update={"execution_role_arn": None})
        }
    )
    assert check_iam(facts) == []


def test_secrets_need_an_execution_role_anywhere() -> None:
    container = fb.container_definition(
        secrets=(SecretRef(name="DB_PASSWORD", value_from=fb.SECRET_ARN),)
    )
    definition = fb.task_definition(execution_role_arn=None, containers=(container,))
    facts = fb.on_ec2(task_definitions={fb.TASK_DEFINITION_ARN: definition})
    finding = fb.only(check_iam(facts), Cause.EXECUTION_ROLE_MISSING)
    assert "secrets" in finding.title


def test_a_role_that_does_not_exist() -> None:
    roles = {fb.EXECUTION_ROLE_ARN: fb.role(fb.EXECUTION_ROLE_ARN, exists=False)}
    facts = fb.facts(roles=roles)
    finding = fb.only(check_iam(facts), Cause.ROLE_NOT_FOUND)
    assert finding.title == "The execution role api-execution does not exist"
    command = CHECKS.next_step(finding, facts).command
    assert "aws iam create-role --role-name api-execution" in str(command)


def test_a_role_ecs_tasks_may_not_assume() -> None:
    untrusting = fb.role(fb.TASK_ROLE_ARN, trust_policy=fb.trust_ecs_tasks("ecs.amazonaws.com"))
    finding = fb.only(
        check_iam(fb.facts(roles={**fb.facts().roles, fb.TASK_ROLE_ARN: untrusting})),
        Cause.TRUST_POLICY,
    )
    assert finding.title == "Role api-task does not let ECS tasks assume it"
    assert '"Service": "ecs.amazonaws.com"' in evidence_lines(finding.evidence)[0]


def test_ecs_saying_it_could_not_assume_a_role_names_that_role() -> None:
    event = fb.event(
        "(service api) failed to launch a task with (error ECS was unable to assume the role "
        "'arn:aws:iam::123456789012:role/deploy-bot' that was provided for this task. Please "
        "verify that the role being passed has the proper trust relationship and permissions and "
        "that your IAM user has permissions to pass this role.)."
    )
    facts = fb.facts(service=fb.service(running=0, events=(event,)))
    finding = fb.only(check_iam(facts), Cause.TRUST_POLICY)
    assert finding.title == "Role deploy-bot does not let ECS tasks assume it"


def test_secrets_the_execution_role_may_not_read() -> None:
    secrets = (
        SecretRef(name="DB_PASSWORD", value_from=f"{fb.SECRET_ARN}:password::"),
        SecretRef(name="API_KEY", value_from=PARAMETER),
    )
    finding = fb.only(check_iam(with_secrets(*secrets)), Cause.SECRETS_ACCESS_DENIED)
    assert finding.title == "The execution role api-execution cannot read DB_PASSWORD, API_KEY"
    assert (
        f"on {fb.SECRET_ARN}" in evidence_lines(finding.evidence)[0]
    )  # the JSON key suffix is not the resource
    assert "ssm:GetParameters" in evidence_lines(finding.evidence)[1]


def test_secrets_the_execution_role_may_read_by_wildcard() -> None:
    policy = fb.allow(
        ["secretsmanager:GetSecretValue", "ssm:GetParameters"],
        [
            f"arn:aws:secretsmanager:*:{fb.ACCOUNT}:secret:prod/*",
            "arn:aws:ssm:*:*:parameter/prod/*",
        ],
    )
    role = fb.role(fb.EXECUTION_ROLE_ARN, fb.EXECUTION_POLICY, policy)
    secrets = (
        SecretRef(name="DB_PASSWORD", value_from=fb.SECRET_ARN),
        SecretRef(name="API_KEY", value_from="/prod/api/key"),  # a parameter name, not an ARN
    )
    facts = with_secrets(*secrets, roles={**fb.facts().roles, fb.EXECUTION_ROLE_ARN: role})
    assert check_iam(facts) == []


def test_a_denied_secret_is_not_judged_when_the_policies_could_not_be_read() -> None:
    facts = with_secrets(
        SecretRef(name="DB_PASSWORD", value_from=fb.SECRET_ARN),
        gaps=(fb.gap(Fact.ROLES, "iam:GetRolePolicy"),),
    )
    assert check_iam(facts) == []


def test_an_app_without_credentials_and_without_a_task_role() -> None:
    facts = crashed_without_credentials(**with_definition(task_role_arn=None))
    finding = fb.only(check_iam(facts), Cause.TASK_ROLE_MISSING)
    assert (
        finding.title
        == "Container app looks for AWS credentials, but the task has no usable task role"
    )
    assert evidence_lines(finding.evidence) == (
        "The stopped task shows this",
        f'container app log: "{NO_CREDENTIALS}"',
        "task definition api:7 has no taskRoleArn",
    )


def test_a_task_role_that_does_not_exist_is_reported_once_as_missing() -> None:
    roles = {**fb.facts().roles, fb.TASK_ROLE_ARN: fb.role(fb.TASK_ROLE_ARN, exists=False)}
    findings = check_iam(crashed_without_credentials(roles=roles))
    assert fb.codes(findings) == [Cause.TASK_ROLE_MISSING]
    assert "names a role that does not exist" in evidence_lines(findings[0].evidence)[-1]


def test_an_app_without_credentials_despite_a_good_task_role_is_what_the_app_said() -> None:
    """Issue 11 §2, §4: the app's own words name the cause, with what the role shows now (this
    test used to expect no finding at all)."""
    finding = fb.only(check_iam(crashed_without_credentials()), Cause.TASK_ROLE_MISSING)
    assert evidence_lines(finding.evidence)[-1].startswith(
        "yet task role api-task exists and trusts ECS tasks"
    )


# --------------------------------------------------------------------------- unread facts

ASSUME_FAILED = fb.event(
    "(service api) failed to launch a task with (error ECS was unable to assume the role "
    f"'{fb.EXECUTION_ROLE_ARN}' that was provided for this task. Please verify that the role "
    "being passed has the proper trust relationship and permissions and that your IAM user has "
    "permissions to pass this role.)."
)


def test_ecs_not_assuming_a_role_that_could_not_be_read_is_not_a_trust_policy() -> None:
    """ECS says so of a role that does not exist too: only the role tells them apart."""
    service = fb.service(running=0, events=(ASSUME_FAILED,))
    facts = fb.facts(service=service, roles={}, gaps=fb.denied("iam:GetRole"))
    finding = fb.only(check_iam(facts), Cause.TRUST_POLICY)
    assert finding.confidence == UNCONFIRMED
    assert "could not confirm: could not call iam:GetRole: access denied" in evidence_lines(
        finding.evidence
    )
    diagnosis = fb.diagnose(facts)
    assert diagnosis.cause is not None
    assert (diagnosis.cause.code, diagnosis.cause.step) == (Cause.UNKNOWN, Step.IAM)
    assert diagnosis.next_step is not None
    assert "Grant iam:GetRole" in diagnosis.next_step.action


def test_ecs_not_assuming_a_role_of_a_definition_that_could_not_be_read() -> None:
    service = fb.service(running=0, events=(ASSUME_FAILED,))
    gaps = fb.denied("ecs:DescribeTaskDefinition")
    facts = fb.facts(service=service, task_definitions={}, roles={}, gaps=gaps)
    diagnosis = fb.diagnose(facts)
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.UNKNOWN


def test_ecs_not_assuming_a_role_that_was_read_and_is_missing_is_role_not_found() -> None:
    service = fb.service(running=0, events=(ASSUME_FAILED,))
    missing = fb.role(fb.EXECUTION_ROLE_ARN, exists=False, trust_policy=None, policies=())
    roles = {fb.EXECUTION_ROLE_ARN: missing, fb.TASK_ROLE_ARN: fb.role(fb.TASK_ROLE_ARN)}
    diagnosis = fb.diagnose(fb.facts(service=service, roles=roles))
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.ROLE_NOT_FOUND


# --------------------------------------------------------------------------- fixes


def test_a_missing_execution_role_is_created_with_the_managed_policy() -> None:
    step = fb.fixed(EXECUTION_ROLE_MISSING, fb.facts())
    assert step.action.startswith("Create an execution role for api:7")
    create, attach = str(step.command).splitlines()
    assert create.startswith("aws iam create-role --role-name api-execution-role")
    assert "ecs-tasks.amazonaws.com" in create
    assert attach.startswith("aws iam attach-role-policy --role-name api-execution-role")


def test_a_task_role_that_does_not_exist_is_created_without_the_execution_policy() -> None:
    step = fb.fixed(ROLE_NOT_FOUND, fb.facts(), where=Where(role="api-task"))
    assert step.action.startswith(
        "IAM has no role api-task, which api:7 names as its task role: create it trusted by "
        "ecs-tasks.amazonaws.com with what the app needs"
    )
    assert str(step.command).startswith("aws iam create-role --role-name api-task")
    assert "attach-role-policy" not in str(step.command)


def test_a_role_that_trusts_another_service_gets_the_ecs_tasks_trust() -> None:
    step = fb.fixed(TRUST_POLICY, fb.facts(), where=Where(role="api-execution"))
    assert step.action.startswith("Role api-execution trusts another service, not ECS tasks")
    assert str(step.command).startswith(
        "aws iam update-assume-role-policy --role-name api-execution --policy-document"
    )
    assert step.console_label == "IAM role"


def test_unreadable_secrets_get_an_inline_policy_naming_each() -> None:
    secrets = (
        SecretRef(name="DB_PASSWORD", value_from=f"{fb.SECRET_ARN}:password::"),
        SecretRef(name="API_KEY", value_from=PARAMETER),
    )
    step = fb.fixed(SECRETS_ACCESS_DENIED, with_secrets(*secrets))
    assert step.action.startswith("Allow api-execution to read the task's secrets")
    command = str(step.command)
    assert command.startswith("aws iam put-role-policy --role-name api-execution")
    assert f'"Action":"secretsmanager:GetSecretValue","Resource":["{fb.SECRET_ARN}"]' in command
    assert f'"Action":"ssm:GetParameters","Resource":["{PARAMETER}"]' in command


def test_an_app_without_credentials_quotes_its_line_and_gets_a_task_role() -> None:
    facts = crashed_without_credentials(**with_definition(task_role_arn=None))
    finding = fb.only(check_iam(facts), Cause.TASK_ROLE_MISSING)
    assert finding.particulars.quoted == NO_CREDENTIALS
    step = fb.fixed(TASK_ROLE_MISSING, facts, particulars=finding.particulars)
    assert step.action.startswith(f"app finds no AWS credentials (“{NO_CREDENTIALS}”)")
    assert str(step.command).startswith("aws iam create-role --role-name api-task-role")
