"""The last healthy revision, what changed since, and the rollback it makes the next step."""

from __future__ import annotations

from bot.model import Cause, Deployment, Facts, HealthCheck, SecretRef
from bot.reason.changes import baseline_arn, diff
from bot.render.evidence import evidence_lines
from tests.facts_builder import (
    ACCOUNT,
    REGION,
    SECRET_ARN,
    container_definition,
    diagnose,
    failing,
    logs,
    service,
    stopped,
    task_definition,
)

FAMILY = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/api"
OLD, NEW = f"{FAMILY}:41", f"{FAMILY}:42"


def deployment(status: str, arn: str) -> Deployment:
    return Deployment(id=f"ecs-svc/{status}", status=status, task_definition_arn=arn)


def test_a_rollout_in_progress_keeps_the_old_revision_in_its_active_deployment() -> None:
    rollout = service(deployments=(deployment("PRIMARY", NEW), deployment("ACTIVE", OLD)))

    assert baseline_arn(NEW, rollout, [], []) == (OLD, "deployments")


def test_after_a_rollback_the_primary_deployment_is_the_healthy_one() -> None:
    rolled_back = service(deployments=(deployment("PRIMARY", OLD),))

    assert baseline_arn(NEW, rolled_back, [], []) == (OLD, "deployments")


def test_without_deployments_the_family_gives_the_revision_before() -> None:
    alone = service(deployments=(deployment("PRIMARY", NEW),))
    family = [f"{FAMILY}:43", NEW, OLD, f"{FAMILY}:40", f"{FAMILY}-worker:41"]

    assert baseline_arn(NEW, alone, family, []) == (OLD, "family")


def test_the_family_prefers_a_revision_the_archive_shows_replaced_on_purpose() -> None:
    alone = service(deployments=(deployment("PRIMARY", NEW),))
    replaced = stopped(5, "Scaling activity initiated by (deployment ecs-svc/1)")
    replaced = replaced.model_copy(
        update={"stop_code": "ServiceSchedulerInitiated", "task_definition_arn": f"{FAMILY}:40"}
    )

    assert baseline_arn(NEW, alone, [NEW, OLD, f"{FAMILY}:40"], [replaced]) == (
        f"{FAMILY}:40",
        "family",
    )


def test_no_earlier_revision_no_baseline() -> None:
    assert baseline_arn(OLD, service(deployments=()), [NEW, OLD], []) is None


def test_the_diff_names_image_and_memory_and_only_the_names_of_env_and_secrets() -> None:
    before = task_definition(
        arn=OLD,
        revision=41,
        memory="1024",
        containers=(container_definition(image="repo/api:1.4.2", memory=1024),),
    )
    after = task_definition(
        arn=NEW,
        revision=42,
        memory="2048",
        containers=(
            container_definition(
                image="repo/api:1.5.0",
                memory=512,
                environment_names=("DATABASE_URL", "FEATURE_FLAGS"),
                secrets=(SecretRef(name="STRIPE_KEY", value_from=SECRET_ARN),),
                health_check=HealthCheck(command=("CMD-SHELL", "curl -f localhost:8080/")),
            ),
        ),
    )

    changes = {(c.container, c.field): (c.before, c.after) for c in diff(before, after)}

    assert changes[(None, "memory")] == ("1024", "2048")
    assert changes[("app", "image")] == ("repo/api:1.4.2", "repo/api:1.5.0")
    assert changes[("app", "memory")] == ("1024", "512")
    assert changes[("app", "environment")] == ("", "added: FEATURE_FLAGS")
    assert changes[("app", "secrets")] == ("", "added: STRIPE_KEY")
    assert changes[("app", "healthCheck")][0] == "none"
    assert SECRET_ARN not in str(changes)


def crash_facts() -> Facts:
    """Three exits 1 on revision 42, whose rollout replaced the healthy revision 41."""
    crash = [stopped(n, exit_code=1, task_definition_arn=NEW) for n in (1, 2, 3)]
    definitions = {
        OLD: task_definition(arn=OLD, revision=41),
        NEW: task_definition(
            arn=NEW, revision=42, containers=(container_definition(image="repo/api:1.5.0"),)
        ),
    }
    return failing(
        *crash,
        task_definitions=definitions,
        log_streams=(logs(crash[0], "Error: unsupported Stripe API version: undefined"),),
        baseline=definitions[OLD],
        baseline_source="deployments",
    )


def test_a_crash_that_began_with_the_new_revision_offers_the_rollback() -> None:
    rolled = diagnose(crash_facts())

    assert rolled.cause is not None
    assert rolled.cause.code is Cause.APP_CRASH
    assert rolled.next_step is not None
    assert (
        rolled.next_step.command
        == "aws ecs update-service --cluster production --service api --task-definition api:41"
    )
    assert "roll back to revision 41" in rolled.next_step.action
    began = "began with revision 42; revision 41 ran healthy (changed: image)"
    assert began in evidence_lines(rolled.cause.evidence)
    assert rolled.findings[0] == rolled.cause


def test_a_failure_that_predates_the_revision_gets_no_rollback() -> None:
    facts = crash_facts()
    older = stopped(9, exit_code=1, task_definition_arn=OLD)
    facts = facts.model_copy(update={"stopped_tasks": (*facts.stopped_tasks, older)})
    diagnosis = diagnose(facts)

    assert diagnosis.next_step is not None
    command = diagnosis.next_step.command
    assert command is None or "update-service" not in command
    assert "roll back" not in diagnosis.next_step.action


def test_a_changed_command_is_shown_redacted() -> None:
    before = task_definition(arn=OLD, revision=41)
    after = task_definition(
        arn=NEW,
        revision=42,
        containers=(
            container_definition(command=("serve", "--dsn", "postgres://app:hunter2@db/app")),
        ),
    )

    [change] = diff(before, after)

    assert change.field == "command"
    assert "serve" in change.after
    assert "hunter2" not in change.after


def test_a_password_given_as_the_next_argument_is_hidden_in_a_changed_command() -> None:
    before = task_definition(arn=OLD, revision=41)
    after = task_definition(
        arn=NEW,
        revision=42,
        containers=(container_definition(command=("./migrate", "--password", "hunter2")),),
    )

    [change] = diff(before, after)

    assert change.after == '["./migrate", "--password", "[REDACTED]"]'
