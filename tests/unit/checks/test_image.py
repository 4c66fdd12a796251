"""Step 4: does the image exist, may the task pull it, and is it built for the task's CPU?"""

from __future__ import annotations

from typing import Any

from bot.checks import CHECKS
from bot.checks.base import UNCONFIRMED
from bot.checks.image import (
    ECR_PERMISSION_DENIED,
    IMAGE_NOT_FOUND,
    PLATFORM_MISMATCH,
    REGISTRY_AUTH,
    check_image,
)
from bot.checks.patterns import platform_evidence
from bot.model import Cause, Step, Where
from bot.render.evidence import evidence_lines
from tests import facts_builder as fb

NOT_FOUND = fb.real("image-not-found", "Error response from daemon: manifest for")


def with_roles(**roles: Any) -> dict[str, Any]:
    return {"roles": {fb.EXECUTION_ROLE_ARN: fb.role(fb.EXECUTION_ROLE_ARN, *roles.values())}}


def test_a_healthy_service_has_nothing_to_say() -> None:
    assert check_image(fb.facts()) == []


def test_a_missing_repository() -> None:
    facts = fb.facts(images=(fb.image(repository_exists=False, tag_exists=None),))
    finding = fb.only(check_image(facts), Cause.IMAGE_NOT_FOUND)
    assert finding.title == f"Image {fb.IMAGE} does not exist"
    assert evidence_lines(finding.evidence) == (f"ECR has no repository named api for {fb.IMAGE}",)
    assert "ECR has no repository api" in CHECKS.next_step(finding, facts).action


def test_a_missing_tag() -> None:
    facts = fb.facts(images=(fb.image(tag_exists=False),))
    finding = fb.only(check_image(facts), Cause.IMAGE_NOT_FOUND)
    assert evidence_lines(finding.evidence) == ("ECR repository api has no image 1.4.2",)


def test_the_registry_saying_not_found() -> None:
    stop = fb.stopped(reason=NOT_FOUND, stop_code="TaskFailedToStart")
    facts = fb.facts(stopped_tasks=(stop,), images=(fb.image(tag_exists=None),))
    assert fb.codes(check_image(facts)) == [Cause.IMAGE_NOT_FOUND]


def test_an_execution_role_that_may_not_pull_from_ecr() -> None:
    facts = fb.facts(**with_roles(logs=fb.allow(["logs:CreateLogStream", "logs:PutLogEvents"])))
    finding = fb.only(check_image(facts), Cause.ECR_PERMISSION_DENIED)
    assert (
        finding.title
        == f"The task may not pull {fb.IMAGE} from ECR (api-execution lacks permission)"
    )
    assert any(
        "allows ecr:GetAuthorizationToken on *" in line for line in evidence_lines(finding.evidence)
    )
    assert any(
        "ecr:BatchGetImage on arn:aws:ecr:us-east-1:" in line
        for line in evidence_lines(finding.evidence)
    )


def test_an_explicit_deny_is_quoted() -> None:
    deny = {"Statement": [{"Effect": "Deny", "Action": "ecr:BatchGetImage", "Resource": "*"}]}
    facts = fb.facts(**with_roles(base=fb.EXECUTION_POLICY, deny=deny))
    finding = fb.only(check_image(facts), Cause.ECR_PERMISSION_DENIED)
    assert evidence_lines(finding.evidence) == (
        'role api-execution, policy policy-1: {"Effect": "Deny", "Action": "ecr:BatchGetImage", '
        '"Resource": "*"}',
    )


def test_on_ec2_the_instance_role_may_pull_so_the_execution_role_is_not_judged() -> None:
    facts = fb.on_ec2(**with_roles(logs=fb.allow(["logs:*"])))
    assert check_image(facts) == []


def test_a_not_found_for_an_image_ecr_has_is_a_refused_pull() -> None:
    stop = fb.stopped(reason=NOT_FOUND, stop_code="TaskFailedToStart")
    facts = fb.facts(stopped_tasks=(stop,), **with_roles(logs=fb.allow(["logs:*"])))
    findings = check_image(facts)
    assert fb.codes(findings) == [Cause.ECR_PERMISSION_DENIED, Cause.ECR_PERMISSION_DENIED]
    assert "the registry has api:1.4.2" in evidence_lines(findings[0].evidence)


def test_a_refused_pull_the_role_and_registry_contradict_is_unknown() -> None:
    refused = fb.real("ecr-permission-denied", "pull access denied")
    facts = fb.facts(stopped_tasks=(fb.stopped(reason=refused, stop_code="TaskFailedToStart"),))
    finding = fb.only(check_image(facts), Cause.UNKNOWN)
    assert finding.step is Step.IMAGE
    assert evidence_lines(finding.evidence)[-2:] == (
        "the registry has api:1.4.2",
        "and api-execution may pull it",
    )


def test_private_registry_credentials_the_role_may_not_read() -> None:
    image = "ghcr.io/example/api:1.4.2"
    container = fb.container_definition(image=image, repository_credentials=fb.SECRET_ARN)
    definition = fb.task_definition(containers=(container,))
    facts = fb.facts(
        task_definitions={fb.TASK_DEFINITION_ARN: definition},
        images=(fb.image(uri=image, registry="other", repository="example/api"),),
    )
    finding = fb.only(check_image(facts), Cause.REGISTRY_AUTH)
    assert "secretsmanager:GetSecretValue" in evidence_lines(finding.evidence)[0]
    assert image in finding.title


def test_a_registry_rate_limit_is_a_credentials_problem() -> None:
    # AWS's own example (doc_source/task_cannot_pull_image.md)
    reason = (
        "You have reached your pull rate limit. You may increase the limit by authenticating and "
        "upgrading: https://www.docker.com/increase-rate-limits."
    )
    facts = fb.facts(stopped_tasks=(fb.stopped(reason=reason, stop_code="TaskFailedToStart"),))
    assert fb.codes(check_image(facts)) == [Cause.REGISTRY_AUTH]


def test_an_image_built_for_another_cpu() -> None:
    facts = fb.facts(images=(fb.image(architectures=("arm64",)),))
    finding = fb.only(check_image(facts), Cause.PLATFORM_MISMATCH)
    assert (
        finding.title
        == f"Image {fb.IMAGE} is built for linux/arm64, but the task runs on linux/amd64"
    )


def test_an_arm_task_with_an_arm_image_is_fine() -> None:
    definition = fb.task_definition(cpu_architecture="ARM64")
    facts = fb.facts(
        task_definitions={fb.TASK_DEFINITION_ARN: definition},
        images=(fb.image(architectures=("arm64",)),),
    )
    assert check_image(facts) == []


def test_exec_format_error_in_the_logs_is_the_platform_mismatch() -> None:
    stops = tuple(fb.stopped(n, exit_code=1) for n in (1, 2))
    lines = ("exec /usr/local/bin/streamlit: exec format error",)
    facts = fb.facts(stopped_tasks=stops, log_streams=tuple(fb.logs(s, *lines) for s in stops))
    finding = fb.only(check_image(facts), Cause.PLATFORM_MISMATCH)
    assert finding.tasks == 2
    assert evidence_lines(finding.evidence) == (
        "2 of 2 recent stopped tasks show this",
        'container app log: "exec /usr/local/bin/streamlit: exec format error"',
    )


# --------------------------------------------------------------------------- unread facts

PULL_DENIED = fb.real("ecr-permission-denied", "pull access denied")


def test_a_refused_pull_of_a_definition_that_could_not_be_read_is_only_a_lead() -> None:
    """It may be a task definition without an execution role, which only the definition shows."""
    stop = fb.stopped(
        reason="CannotPullContainerError: pull access denied",
        stop_code="TaskFailedToStart",
        container_reason=PULL_DENIED,
        launch_type="EC2",
    )
    gaps = fb.denied("ecs:DescribeTaskDefinition")
    facts = fb.on_ec2(
        service=fb.service(launch_type="EC2", running=0),
        stopped_tasks=(stop,),
        task_definitions={},
        gaps=gaps,
    )
    finding = fb.only(check_image(facts), Cause.ECR_PERMISSION_DENIED)
    assert finding.confidence == UNCONFIRMED
    assert evidence_lines(finding.evidence)[-1] == (
        "could not confirm: could not call ecs:DescribeTaskDefinition: access denied"
    )
    diagnosis = fb.diagnose(facts)
    assert diagnosis.cause is not None
    assert (diagnosis.cause.code, diagnosis.cause.step) == (Cause.UNKNOWN, Step.IMAGE)
    # the cause's step fails, and says what it could not see
    [item] = [i for i in diagnosis.checklist if i.step is Step.IMAGE]
    assert item.status == "failed"
    assert item.note.endswith("could not call ecs:DescribeTaskDefinition: access denied")


def test_a_refused_pull_with_the_definition_read_is_still_a_refused_pull() -> None:
    stop = fb.stopped(
        stop_code="TaskFailedToStart", container_reason=PULL_DENIED, launch_type="EC2"
    )
    facts = fb.on_ec2(service=fb.service(launch_type="EC2", running=0), stopped_tasks=(stop,))
    assert fb.only(check_image(facts), Cause.ECR_PERMISSION_DENIED).confidence > UNCONFIRMED


# --------------------------------------------------------------------------- issue 11 §2, §8


def test_a_missing_tag_pushed_since_is_still_the_cause_aws_named() -> None:
    """The tag exists now and the role may pull: what AWS said stands, and looks fixed since."""
    said = fb.real("image-not-found", "not found")
    facts = fb.failing(fb.stopped(reason=said, stop_code="TaskFailedToStart"))
    finding = fb.only(check_image(facts), Cause.IMAGE_NOT_FOUND)
    assert finding.title.endswith("does not exist (when the tasks stopped; it looks fixed since)")
    assert evidence_lines(finding.evidence)[-3:-1] == (
        "the registry has api:1.4.2",
        "and api-execution may pull it",
    )
    assert evidence_lines(finding.evidence)[-1].startswith(
        "It looks fixed since: AWS named this cause"
    )


def test_platform_evidence_is_what_makes_the_manifest_worth_reading() -> None:
    """ecr:BatchGetImage counts as a pull for lifecycle rules: only read on this evidence."""
    stop = fb.stopped(exit_code=1)
    exec_format = fb.logs(stop, fb.real("platform-mismatch", "streamlit"))
    crash = fb.logs(stop, "KeyError: 'DATABASE_URL'")
    assert platform_evidence([stop], [exec_format])
    assert not platform_evidence([stop], [crash])
    pull = fb.stopped(reason=fb.real("image-not-found", "not found"))
    assert not platform_evidence([pull], [])


# --------------------------------------------------------------------------- fixes


def test_a_missing_tag_lists_the_tags_the_repository_has() -> None:
    facts = fb.facts(images=(fb.image(tag_exists=False),))
    step = fb.fixed(IMAGE_NOT_FOUND, facts, where=Where(image=fb.IMAGE))
    assert step.action.startswith("ECR repository api has no tag 1.4.2: push it")
    assert step.command == (
        "aws ecr list-images --repository-name api --filter tagStatus=TAGGED "
        "--query 'imageIds[].imageTag'"
    )
    assert step.console_label == "ECR repository"


def test_a_refused_pull_attaches_the_managed_policy_to_the_execution_role() -> None:
    step = fb.fixed(ECR_PERMISSION_DENIED, fb.facts(), where=Where(image=fb.IMAGE))
    assert step.action.startswith(f"Let the execution role api-execution pull {fb.IMAGE}")
    assert step.command == (
        "aws iam attach-role-policy --role-name api-execution --policy-arn "
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    )
    without = fb.task_definition(execution_role_arn=None)
    facts = fb.facts(task_definitions={fb.TASK_DEFINITION_ARN: without})
    assert fb.fixed(ECR_PERMISSION_DENIED, facts).action.startswith("Create an execution role")


def test_registry_credentials_the_registry_refuses_are_described() -> None:
    private = "registry.example.com/team/api:2"
    container = fb.container_definition(image=private, repository_credentials=fb.SECRET_ARN)
    facts = fb.facts(
        task_definitions={fb.TASK_DEFINITION_ARN: fb.task_definition(containers=(container,))},
        images=(),
    )
    step = fb.fixed(REGISTRY_AUTH, facts)
    assert step.action.startswith(
        f"registry.example.com refuses the credentials in {fb.SECRET_ARN}"
    )
    assert step.command == f"aws secretsmanager describe-secret --secret-id {fb.SECRET_ARN}"


def test_an_image_for_another_cpu_is_built_for_the_task_s_platform() -> None:
    arm = fb.task_definition(cpu_architecture="ARM64")
    facts = fb.facts(task_definitions={fb.TASK_DEFINITION_ARN: arm})
    step = fb.fixed(PLATFORM_MISMATCH, facts, where=Where(image=fb.IMAGE))
    assert step.action.startswith(f"{fb.IMAGE} is not built for the task's linux/arm64")
    assert "`docker buildx build --platform linux/arm64`" in step.action
