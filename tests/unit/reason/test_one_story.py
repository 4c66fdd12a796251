"""Each contradiction an expert found around a right cause, as the next step an expert writes:
the facts decide what is true, and the next step never argues with its own evidence."""

from __future__ import annotations

from datetime import timedelta

import tests.facts_builder as fb
from bot.model import (
    ArchiveRead,
    CapacityProvider,
    Cause,
    Deployment,
    Facts,
    SecurityGroup,
    Step,
)
from bot.render.json import diagnosis_to_json
from tests.aws_cli import problems

FAMILY = f"arn:aws:ecs:{fb.REGION}:{fb.ACCOUNT}:task-definition/api"
OLD, NEW = f"{FAMILY}:41", f"{FAMILY}:42"
CONNECTION_ISSUE = (
    "ResourceInitializationError: unable to pull secrets or registry auth: The task cannot "
    "pull registry auth from Amazon ECR: There is a connection issue between the task and "
    "Amazon ECR. Check your task network configuration. RequestError: send request failed "
    'caused by: Post "https://api.ecr.us-east-1.amazonaws.com/": dial tcp 10.0.1.7:443: '
    "i/o timeout"
)


def test_a_tag_pushed_since_asks_for_a_forced_deployment_not_a_push() -> None:
    said = fb.real("image-not-found", "not found")
    diagnosis = fb.diagnose(fb.failing(fb.stopped(reason=said, stop_code="TaskFailedToStart")))
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.IMAGE_NOT_FOUND
    assert diagnosis.cause.particulars.fixed_since
    step = diagnosis.next_step
    assert step is not None
    assert step.command == (
        "aws ecs update-service --cluster production --service api --force-new-deployment"
    )
    assert "push it" not in step.action
    assert problems(step.command) == []


def waiting_on_a_capacity_provider(managed_scaling: bool) -> Facts:
    waiting = tuple(
        fb.task(
            n,
            last_status="PROVISIONING",
            launch_type="EC2",
            started_at=None,
            created_at=fb.NOW - timedelta(minutes=25),
            capacity_provider="batch-asg",
        )
        for n in (1, 2)
    )
    provider = CapacityProvider(
        name="batch-asg",
        auto_scaling_group_arn="arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:"
        "5b2c:autoScalingGroupName/batch-asg-group",
        managed_scaling=managed_scaling,
        target_capacity=100 if managed_scaling else None,
    )
    return fb.on_ec2(
        service=fb.service(launch_type=None, capacity_providers=("batch-asg",), running=0),
        running_tasks=waiting,
        cluster=fb.cluster(registered_instances=0, instances=()),
        capacity_providers=(provider,),
    )


def test_managed_scaling_off_is_turned_on_not_instances_launched_by_hand() -> None:
    diagnosis = fb.diagnose(waiting_on_a_capacity_provider(managed_scaling=False))
    assert diagnosis.cause is not None
    assert "managed scaling is off" in diagnosis.cause.title
    step = diagnosis.next_step
    assert step is not None
    assert step.command == (
        "aws ecs update-capacity-provider --name batch-asg --auto-scaling-group-provider "
        "'managedScaling={status=ENABLED,targetCapacity=100}'"
    )
    assert "ECS_CLUSTER" not in step.action
    assert problems(step.command) == []


def test_managed_scaling_on_that_does_not_grow_looks_at_the_groups_activities() -> None:
    diagnosis = fb.diagnose(waiting_on_a_capacity_provider(managed_scaling=True))
    step = diagnosis.next_step
    assert step is not None
    assert step.command is not None
    assert "--auto-scaling-group-name batch-asg-group" in step.command
    assert problems(step.command) == []


def rollout(*deployments: Deployment, running: int) -> Facts:
    """Three exits 1 on revision 42, whose rollout replaced the healthy revision 41."""
    crash = [fb.stopped(n, exit_code=1, task_definition_arn=NEW) for n in (1, 2, 3)]
    definitions = {
        OLD: fb.task_definition(arn=OLD, revision=41),
        NEW: fb.task_definition(
            arn=NEW, revision=42, containers=(fb.container_definition(image="repo/api:1.5.0"),)
        ),
    }
    primary = next(d for d in deployments if d.status == "PRIMARY")
    return fb.failing(
        *crash,
        service=fb.service(
            running=running,
            deployments=deployments,
            task_definition_arn=primary.task_definition_arn,
        ),
        task_definitions=definitions,
        log_streams=(fb.logs(crash[0], "Error: unsupported Stripe API version: undefined"),),
        baseline=definitions[OLD],
        baseline_source="deployments",
    )


def test_a_service_the_circuit_breaker_rolled_back_is_offered_no_rollback() -> None:
    rolled_back = Deployment(
        id="ecs-svc/3", status="PRIMARY", task_definition_arn=OLD, desired=2, running=2
    )
    diagnosis = fb.diagnose(rollout(rolled_back, running=2))
    assert (diagnosis.service_state, diagnosis.status) == ("rolled-back", "healthy")
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.APP_CRASH
    step = diagnosis.next_step
    assert step is not None
    assert "roll back" not in step.action
    assert "api:41" not in (step.command or "")
    assert diagnosis.summary.startswith("production/api was rolled back")


def test_a_rollout_the_old_revision_still_serves_is_rollout_failing_with_its_rollback() -> None:
    new = Deployment(id="ecs-svc/2", status="PRIMARY", task_definition_arn=NEW, desired=2)
    old = Deployment(id="ecs-svc/1", status="ACTIVE", task_definition_arn=OLD, running=2)
    diagnosis = fb.diagnose(rollout(new, old, running=2))
    assert (diagnosis.service_state, diagnosis.status) == ("rollout-failing", "failing")
    assert diagnosis.next_step is not None
    assert diagnosis.next_step.command == (
        "aws ecs update-service --cluster production --service api --task-definition api:41"
    )


def test_a_newer_revision_that_runs_every_task_has_recovered() -> None:
    fixed = f"{FAMILY}:43"
    now = Deployment(id="ecs-svc/4", status="PRIMARY", task_definition_arn=fixed, running=2)
    diagnosis = fb.diagnose(rollout(now, running=2))
    assert (diagnosis.service_state, diagnosis.status) == ("recovered", "healthy")


def test_a_role_that_does_not_exist_has_no_trust_policy_to_blame() -> None:
    said = fb.real("trust-policy", "MythicalMysfits")
    role = "arn:aws:iam::281174624655:role/MythicalMysfitsCoreStack-ECSTaskRole-FXO3A6J08BN"
    definition = fb.task_definition(execution_role_arn=role)
    facts = fb.failing(
        service=fb.service(running=0, events=(fb.event(said),)),
        task_definitions={fb.TASK_DEFINITION_ARN: definition},
        roles={**fb.facts().roles, role: fb.role(role, exists=False, trust_policy=None)},
    )
    diagnosis = fb.diagnose(facts)
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.ROLE_NOT_FOUND
    assert Cause.TRUST_POLICY not in fb.codes(diagnosis.findings)
    assert diagnosis.next_step is not None
    assert "create-role" in (diagnosis.next_step.command or "")


def test_a_timeout_from_subnets_with_a_nat_route_is_the_security_groups() -> None:
    closed = SecurityGroup(id=fb.SECURITY_GROUP, name="api")
    stops = [fb.stopped(n, reason=CONNECTION_ISSUE, stop_code="TaskFailedToStart") for n in (1, 2)]
    diagnosis = fb.diagnose(fb.failing(*stops, network=fb.network(security_groups=(closed,))))
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.SECURITY_GROUP_NO_EGRESS
    assert Cause.NO_ROUTE_TO_INTERNET not in fb.codes(diagnosis.findings)
    assert diagnosis.cause.tasks == 2  # the stops AWS reported stand behind the cause
    assert diagnosis.next_step is not None
    assert "authorize-security-group-egress" in (diagnosis.next_step.command or "")


def test_a_soft_reservation_is_never_called_the_limit() -> None:
    definition = fb.task_definition(
        memory="2048", containers=(fb.container_definition(memory=None, memory_reservation=512),)
    )
    killed = fb.stopped(exit_code=137, container_reason="OutOfMemoryError: Container killed")
    diagnosis = fb.diagnose(
        fb.failing(killed, task_definitions={fb.TASK_DEFINITION_ARN: definition})
    )
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.OUT_OF_MEMORY
    assert diagnosis.cause.title.endswith("(task memory 2048 MiB)")
    assert diagnosis.next_step is not None
    assert "raise the task's memory (2048 MiB)" in diagnosis.next_step.action
    assert "512" not in diagnosis.cause.title + diagnosis.next_step.action


def test_a_container_limit_is_the_one_the_title_and_the_fix_name() -> None:
    definition = fb.task_definition(
        memory="4096", containers=(fb.container_definition(memory=1024, memory_reservation=512),)
    )
    killed = fb.stopped(exit_code=137, container_reason="OutOfMemoryError: Container killed")
    diagnosis = fb.diagnose(
        fb.failing(killed, task_definitions={fb.TASK_DEFINITION_ARN: definition})
    )
    assert diagnosis.cause is not None
    assert diagnosis.cause.title.endswith("(limit 1024 MiB)")
    assert diagnosis.next_step is not None
    assert "raise container app's memory (1024 MiB)" in diagnosis.next_step.action
    assert "4096" not in diagnosis.next_step.action


def test_a_symptom_the_cause_explains_stays_at_info_naming_its_cause() -> None:
    vague = fb.stopped(1, reason="Task failed to start", stop_code="TaskFailedToStart")
    crash = fb.stopped(2, exit_code=1)
    facts = fb.failing(vague, crash, log_streams=(fb.logs(crash, "panic: boom"),))
    diagnosis = fb.diagnose(facts)
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.APP_CRASH
    [symptom] = [f for f in diagnosis.findings if f.code is Cause.TASK_FAILED_TO_START]
    assert (symptom.severity, symptom.explained_by) == ("info", Cause.APP_CRASH)
    shown = diagnosis_to_json(diagnosis)["findings"]
    assert {
        "code": "task-failed-to-start",
        "explained_by": "app-crash",
        "severity": "info",
    }.items() <= next(f for f in shown if f["code"] == "task-failed-to-start").items()
    assert [f for f in diagnosis.findings if f.severity == "error"] == [diagnosis.cause]


def test_history_counts_unlogged_stops_alike_as_the_cause() -> None:
    """Only one stop's logs were read: the others, one of them with another exit code (the
    runtime reports an exec format error as 1 or 255), are the crash the cause explains."""
    stops = [fb.stopped(n, exit_code=code) for n, code in ((1, 1), (2, 1), (3, 255))]
    said = "exec /usr/local/bin/server: exec format error"
    facts = fb.failing(
        *stops,
        log_streams=(fb.logs(stops[0], said),),
        archive=ArchiveRead(
            group="/aws/events/ecs-why", since=fb.NOW - timedelta(hours=1), found=True
        ),
    )
    diagnosis = fb.diagnose(facts)
    assert diagnosis.cause is not None
    assert diagnosis.history is not None
    assert diagnosis.history.by_cause == {diagnosis.cause.code.value: 3}


def test_the_state_follows_the_numbers() -> None:
    crash = fb.stopped(exit_code=1)
    down = fb.diagnose(fb.failing(crash))
    assert (down.service_state, down.status) == ("down", "failing")
    degraded = fb.diagnose(fb.failing(crash, service=fb.service(running=1)))
    assert degraded.service_state == "degraded"
    quiet = crash.model_copy(update={"stopped_at": fb.NOW - timedelta(minutes=16)})
    recovered = fb.diagnose(fb.failing(quiet, service=fb.service(running=2)))
    assert (recovered.service_state, recovered.status) == ("recovered", "healthy")
    # still configured: the tag the service's tasks failed to pull is still missing
    said = fb.real("image-not-found", "not found")
    pull = fb.stopped(reason=said, stop_code="TaskFailedToStart")
    pull = pull.model_copy(update={"stopped_at": fb.NOW - timedelta(minutes=16)})
    missing = fb.image(tag_exists=False)
    still = fb.failing(pull, service=fb.service(running=2), images=(missing,))
    recovering = fb.diagnose(still)
    assert (recovering.service_state, recovering.status) == ("recovering", "failing")
    steady = fb.event(f"(service {fb.SERVICE}) has reached a steady state.", minutes_ago=5)
    said_steady = fb.diagnose(
        still.model_copy(update={"service": fb.service(running=2, events=(steady,))})
    )
    assert (said_steady.service_state, said_steady.status) == ("recovered", "healthy")
    healthy = fb.diagnose(fb.facts())
    assert (healthy.service_state, healthy.status) == ("healthy", "healthy")
    scaled = fb.stopped(reason="Scaling activity initiated by (deployment ecs-svc/1)")
    zero = fb.diagnose(
        fb.facts(
            service=fb.service(desired=0, running=0),
            running_tasks=(),
            stopped_tasks=(scaled.model_copy(update={"stop_code": "ServiceSchedulerInitiated"}),),
        )
    )
    assert (zero.service_state, zero.status) == ("scheduled", "healthy")
    assert diagnosis_to_json(zero)["service_state"] == "scheduled"
    assert Step.STOPPED_REASON in {i.step for i in zero.checklist}
