"""From findings to one diagnosis: the root cause, the checklist and the next step."""

from __future__ import annotations

import pytest

from bot.checks import KNOWLEDGE
from bot.checks.base import UNCONFIRMED
from bot.checks.evidence import note
from bot.model import (
    STEPS,
    Cause,
    ChecklistItem,
    Deployment,
    Diagnosis,
    Evidence,
    Fact,
    Facts,
    Kind,
    LogGroup,
    Route,
    SecurityGroup,
    Step,
    Task,
    Where,
)
from bot.reason import conclude
from bot.render.evidence import evidence_lines
from tests import facts_builder as fb

PRIVATE = fb.subnet(routes=(Route(destination="10.0.0.0/16", target="local"),))
PULL_TIMED_OUT = fb.real("no-route-to-internet", "request canceled while waiting")
ELB_KILL = fb.real("elb-health-check", "Task failed ELB health checks in (target-group")
DEPLOYMENT = fb.real("deployment-or-scale-in")
GENERIC = "ResourceInitializationError: unable to pull secrets or registry auth"


def statuses(diagnosis: Diagnosis) -> dict[Step, str]:
    return {item.step: item.status for item in diagnosis.checklist}


def notes(diagnosis: Diagnosis) -> dict[Step, str]:
    return {item.step: item.note for item in diagnosis.checklist}


def checklist(diagnosis: Diagnosis) -> dict[Step, ChecklistItem]:
    return {item.step: item for item in diagnosis.checklist}


def failing(*stops: Task, **overrides: object) -> Facts:
    return fb.failing(*stops, **overrides)


# --------------------------------------------------------------------------- status


def test_a_healthy_service() -> None:
    diagnosis = fb.diagnose(fb.facts())
    assert (diagnosis.status, diagnosis.cause, diagnosis.next_step) == ("healthy", None, None)
    assert (
        diagnosis.summary
        == "production/api is healthy: nothing stopped recently and every check passed."
    )
    assert [item.step for item in diagnosis.checklist] == list(STEPS)
    assert statuses(diagnosis) == {
        Step.STOPPED_REASON: "passed",
        Step.EXIT_CODE: "skipped",
        Step.LOGS: "passed",
        Step.IMAGE: "passed",
        Step.IAM: "passed",
        Step.NETWORK: "passed",
        Step.RESOURCES: "skipped",
        Step.HEALTH_CHECK: "passed",
    }


def test_tasks_replaced_by_a_deployment_leave_the_service_healthy() -> None:
    stops = tuple(
        fb.stopped(n, DEPLOYMENT, stop_code="ServiceSchedulerInitiated", exit_code=143)
        for n in (1, 2)
    )
    diagnosis = fb.diagnose(fb.facts(stopped_tasks=stops))
    assert diagnosis.status == "healthy"
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.DEPLOYMENT_OR_SCALE_IN
    assert diagnosis.summary.startswith("production/api is healthy; its recent stops were expected")
    assert statuses(diagnosis)[Step.STOPPED_REASON] == "passed"
    assert statuses(diagnosis)[Step.EXIT_CODE] == "passed"


def test_a_latent_fault_alone_is_healthy_with_the_warning() -> None:
    """Issue 11 §1: a fault that stopped nothing is a warning, never the cause (this test used
    to assert "failing")."""
    closed = fb.network(security_groups=(SecurityGroup(id=fb.SECURITY_GROUP, name="api"),))
    diagnosis = fb.diagnose(fb.facts(network=closed))
    assert diagnosis.status == "healthy"
    assert diagnosis.cause is None
    warning = diagnosis.findings[0]
    assert (warning.code, warning.severity) == (Cause.SECURITY_GROUP_NO_EGRESS, "warning")
    assert warning.title.startswith("The next task that starts will fail: security group")
    assert diagnosis.summary.startswith(
        "production/api is healthy, but: the next task that starts will fail: security group"
    )
    assert statuses(diagnosis)[Step.NETWORK] == "warning"


def test_ecs_itself_unreadable_is_unknown_and_says_which_permission() -> None:
    gap = fb.gap(Fact.SERVICE, "ecs:DescribeServices")
    diagnosis = fb.diagnose(fb.facts(service=None, running_tasks=(), gaps=(gap,)))
    assert diagnosis.status == "unknown"
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.UNKNOWN
    assert (
        diagnosis.summary
        == "Could not diagnose production/api: could not call ecs:DescribeServices: AccessDenied."
    )
    assert diagnosis.next_step is not None
    assert "Grant ecs:DescribeServices" in diagnosis.next_step.action
    assert statuses(diagnosis)[Step.STOPPED_REASON] == "unknown"


def test_failing_for_a_reason_nothing_recognises_is_unknown_with_the_raw_evidence() -> None:
    stop = fb.stopped(reason="Stopped for reasons of its own", stop_code=None)
    diagnosis = fb.diagnose(failing(stop))
    assert (diagnosis.status, diagnosis.service_state) == ("unknown", "unknown")
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.UNKNOWN
    assert "closest guess" in diagnosis.cause.title
    assert 'stopCode None, stoppedReason: "Stopped for reasons of its own"' in evidence_lines(
        diagnosis.cause.evidence
    )


# --------------------------------------------------------------------------- root cause


def test_a_port_mismatch_is_the_root_of_failing_elb_health_checks() -> None:
    stops = tuple(
        fb.stopped(n, ELB_KILL, stop_code="ServiceSchedulerInitiated", exit_code=143)
        for n in range(1, 8)
    )
    stops += (fb.stopped(8, DEPLOYMENT, stop_code="ServiceSchedulerInitiated"),)
    group = fb.target_group(
        health_check_port="8081",
        targets=(
            fb.target_health(
                state="unhealthy", reason="Target.Timeout", description="Request timed out"
            ),
        ),
    )
    diagnosis = fb.diagnose(failing(*stops, target_groups=(group,)))
    cause = diagnosis.cause
    assert cause is not None
    assert cause.code is Cause.HEALTH_CHECK_PORT_MISMATCH
    assert cause.tasks == 7  # it carries the evidence of the symptom it explains
    assert "7 of 8 recent stopped tasks show this" in evidence_lines(cause.evidence)
    assert diagnosis.findings[0] == cause
    assert Cause.ELB_HEALTH_CHECK in fb.codes(diagnosis.findings)
    assert diagnosis.next_step is not None
    assert diagnosis.next_step.step is Step.HEALTH_CHECK
    assert diagnosis.summary == (
        "production/api is failing: Target group api checks port 8081, but container app serves "
        "8080 (7 of 8 recent stopped tasks)."
    )


def test_a_pull_that_timed_out_from_a_subnet_with_no_way_out_is_a_network_problem() -> None:
    stop = fb.stopped(container_reason=PULL_TIMED_OUT)
    diagnosis = fb.diagnose(failing(stop, network=fb.network(subnets=(PRIVATE,))))
    cause = diagnosis.cause
    assert cause is not None
    assert cause.code is Cause.NO_ROUTE_TO_INTERNET
    # what AWS said and what the route table shows, as one finding
    assert f'container app: "{PULL_TIMED_OUT}"' in evidence_lines(cause.evidence)
    assert "VPC endpoints: none" in evidence_lines(cause.evidence)
    assert statuses(diagnosis)[Step.NETWORK] == "failed"


def test_a_missing_endpoint_is_the_root_of_the_timeout() -> None:
    endpoints = tuple(
        f"com.amazonaws.{fb.REGION}.{name}" for name in ("ecr.api", "ecr.dkr", "logs")
    )
    network = fb.network(subnets=(PRIVATE,), vpc_endpoints=endpoints)
    diagnosis = fb.diagnose(failing(fb.stopped(container_reason=PULL_TIMED_OUT), network=network))
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.MISSING_VPC_ENDPOINT
    assert diagnosis.cause.title.endswith("no VPC endpoint for s3")


def test_something_specific_explains_a_generic_failure_to_start() -> None:
    definition = fb.task_definition(execution_role_arn=None)
    stop = fb.stopped(reason=GENERIC, stop_code="TaskFailedToStart")
    diagnosis = fb.diagnose(failing(stop, task_definitions={fb.TASK_DEFINITION_ARN: definition}))
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.EXECUTION_ROLE_MISSING
    assert statuses(diagnosis)[Step.STOPPED_REASON] == "failed"  # the symptom still shows
    note = notes(diagnosis)[Step.STOPPED_REASON]
    assert (
        note
        == "explained by the cause: the task definition has no execution role, but "
        + (diagnosis.cause.title.split(", but ", 1)[1])
    )
    assert notes(diagnosis)[Step.IAM] == diagnosis.cause.title  # the cause's own step


def test_exec_format_error_makes_exit_1_a_platform_mismatch() -> None:
    stop = fb.stopped(exit_code=1)
    logs = fb.logs(stop, fb.real("platform-mismatch", "streamlit"))
    diagnosis = fb.diagnose(failing(stop, log_streams=(logs,)))
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.PLATFORM_MISMATCH
    assert statuses(diagnosis)[Step.EXIT_CODE] == "failed"


def test_no_credentials_without_a_task_role_makes_exit_1_a_missing_task_role() -> None:
    stop = fb.stopped(exit_code=1)
    logs = fb.logs(stop, fb.real("task-role-missing", "botocore"))
    definition = fb.task_definition(task_role_arn=None)
    diagnosis = fb.diagnose(
        failing(stop, log_streams=(logs,), task_definitions={fb.TASK_DEFINITION_ARN: definition})
    )
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.TASK_ROLE_MISSING


def test_an_exit_1_nothing_explains_is_an_app_crash() -> None:
    stop = fb.stopped(exit_code=1)
    logs = fb.logs(stop, "panic: runtime error: index out of range [3] with length 3")
    diagnosis = fb.diagnose(failing(stop, log_streams=(logs,)))
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.APP_CRASH
    assert 'log: "panic: runtime error: index out of range [3] with length 3"' in evidence_lines(
        diagnosis.cause.evidence
    )


def test_findings_rank_by_severity_then_confidence_then_tasks() -> None:
    crash, oom, sigterm = (
        KNOWLEDGE[c] for c in (Cause.APP_CRASH, Cause.OUT_OF_MEMORY, Cause.SIGTERM)
    )
    where = Where(container="app", cluster="c")
    words = {"code": "1", "limit": "?", "sender": "?", "why": ""}
    findings = [
        sigterm.finding([note("a")], where, words, confidence=90, tasks=9, severity="warning"),
        crash.finding([note("b")], where, words, confidence=80, tasks=1),
        oom.finding([note("c")], where, words, confidence=80, tasks=3),
    ]
    diagnosis = conclude(failing(), findings)
    assert fb.codes(diagnosis.findings) == [Cause.OUT_OF_MEMORY, Cause.APP_CRASH, Cause.SIGTERM]


# --------------------------------------------------------------------------- checklist


def test_a_step_that_could_not_be_read_is_unknown_and_names_the_action() -> None:
    diagnosis = fb.diagnose(fb.facts(gaps=(fb.gap(Fact.ROLES, "iam:GetRole"),)))
    item = diagnosis.checklist[STEPS.index(Step.IAM)]
    assert (item.status, item.note) == ("unknown", "could not call iam:GetRole: AccessDenied")
    assert diagnosis.gaps == (fb.gap(Fact.ROLES, "iam:GetRole"),)


def test_steps_that_do_not_apply_are_skipped() -> None:
    facts = fb.on_ec2(service=fb.service(launch_type="EC2", load_balancers=()), target_groups=())
    checklist = {item.step: item for item in fb.diagnose(facts).checklist}
    assert checklist[Step.NETWORK].status == "skipped"
    assert checklist[Step.HEALTH_CHECK].note == "No load balancer and no container health check"
    assert checklist[Step.RESOURCES].status == "passed"


def test_a_failed_step_notes_its_worst_finding() -> None:
    stop = fb.stopped(exit_code=139)
    item = fb.diagnose(failing(stop)).checklist[STEPS.index(Step.EXIT_CODE)]
    assert (item.status, item.note) == (
        "failed",
        "Container app crashed with a segmentation fault (exit 139)",
    )


# --------------------------------------------------------------------------- unread facts

STEADY = fb.event(f"(service {fb.SERVICE}) has reached a steady state.", 5)


@pytest.mark.parametrize("action", ["ecs:ListTasks", "ecs:DescribeTasks"])
def test_a_service_whose_tasks_could_not_be_read_is_never_healthy(action: str) -> None:
    """Steady and at full strength, but whether and why its tasks stop could not be seen."""
    facts = fb.facts(running_tasks=(), service=fb.service(events=(STEADY,)), gaps=fb.denied(action))
    diagnosis = fb.diagnose(facts)
    assert diagnosis.status == "unknown"
    assert diagnosis.cause is not None
    assert (diagnosis.cause.code, diagnosis.cause.step) == (Cause.UNKNOWN, Step.STOPPED_REASON)
    assert evidence_lines(diagnosis.cause.evidence)[0] == f"could not call {action}: access denied"
    assert diagnosis.summary == (
        f"Could not diagnose production/api: could not call {action}: access denied."
    )
    assert diagnosis.next_step is not None
    assert f"Grant {action}" in diagnosis.next_step.action
    for step in (Step.STOPPED_REASON, Step.EXIT_CODE):
        item = diagnosis.checklist[STEPS.index(step)]
        assert (item.status, item.note) == ("unknown", f"could not call {action}: access denied")


def test_tasks_unread_leave_what_was_seen_as_the_closest_guess() -> None:
    """ECS's events say the tasks fail to start; the tasks would have said why."""
    events = (fb.event("(service api) is unable to consistently start tasks successfully."),)
    gaps = fb.denied("ecs:ListTasks")
    diagnosis = fb.diagnose(failing(service=fb.service(running=0, events=events), gaps=gaps))
    assert diagnosis.status == "unknown"
    cause = diagnosis.cause
    assert cause is not None
    assert (cause.code, cause.step) == (Cause.UNKNOWN, Step.STOPPED_REASON)
    assert cause.title.endswith("closest guess: tasks fail to start, and ECS does not say more")
    assert evidence_lines(cause.evidence)[0] == "could not call ecs:ListTasks: access denied"
    assert Cause.TASK_FAILED_TO_START in fb.codes(diagnosis.findings)
    assert statuses(diagnosis)[Step.STOPPED_REASON] == "unknown"


def test_an_unconfirmed_root_cause_is_only_the_closest_guess() -> None:
    finding = KNOWLEDGE[Cause.SIGTERM].finding(
        [
            Evidence(kind=Kind.EXIT, text="143", source="container app"),
            Evidence(kind=Kind.UNCONFIRMED, text="could not call x:Y: timed out", source="x:Y"),
        ],
        Where(container="app", cluster="c"),
        {"sender": "?"},
        confidence=UNCONFIRMED,
        tasks=1,
    )
    gap = fb.gap(Fact.ROLES, "x:Y", "timed out")
    diagnosis = conclude(failing(fb.stopped(exit_code=143), gaps=(gap,)), [finding])
    assert (diagnosis.status, diagnosis.service_state) == ("unknown", "unknown")
    cause = diagnosis.cause
    assert cause is not None
    assert (cause.code, cause.step, cause.tasks) == (Cause.UNKNOWN, Step.EXIT_CODE, 1)
    assert cause.title == (
        "The cause could not be determined; closest guess: container app stopped on SIGTERM "
        "from ? (exit 143)"
    )
    assert evidence_lines(cause.evidence) == evidence_lines(finding.evidence)
    assert fb.codes(diagnosis.findings) == [Cause.UNKNOWN, Cause.SIGTERM]
    assert diagnosis.next_step is not None
    assert "Grant x:Y" in diagnosis.next_step.action


def test_a_cause_its_message_proves_survives_an_unread_step_which_names_the_gap() -> None:
    """The stopped reason names the missing log group: no need to have listed log groups."""
    stop = fb.stopped(reason=fb.real("log-group-missing"), stop_code="TaskFailedToStart")
    gaps = fb.denied("logs:DescribeLogGroups")
    diagnosis = fb.diagnose(failing(stop, log_groups=(), gaps=gaps))
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.LOG_GROUP_MISSING
    item = diagnosis.checklist[STEPS.index(Step.LOGS)]
    assert item.status == "failed"
    assert item.note.endswith("; could not call logs:DescribeLogGroups: access denied")


def test_an_unread_step_that_does_not_hold_the_cause_is_unknown_whatever_it_found() -> None:
    stop = fb.stopped(exit_code=139)
    closed = fb.network(security_groups=(SecurityGroup(id=fb.SECURITY_GROUP, name="api"),))
    gaps = fb.denied("ec2:DescribeVpcEndpoints")
    diagnosis = fb.diagnose(failing(stop, network=closed, gaps=gaps))
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.SEGFAULT
    item = diagnosis.checklist[STEPS.index(Step.NETWORK)]
    assert (item.status, item.note) == (
        "unknown",
        "could not call ec2:DescribeVpcEndpoints: access denied",
    )


def test_steps_that_need_the_task_definition_are_unknown_without_it() -> None:
    gaps = fb.denied("ecs:DescribeTaskDefinition")
    diagnosis = fb.diagnose(fb.facts(task_definitions={}, gaps=gaps))
    assert diagnosis.status == "healthy"  # the tasks were read: nothing stopped
    note = "could not call ecs:DescribeTaskDefinition: access denied"
    assert {step: (item.status, item.note) for step, item in checklist(diagnosis).items()} == {
        Step.STOPPED_REASON: ("unknown", note),  # where the collectors file it
        Step.EXIT_CODE: ("skipped", "No stopped task to inspect"),
        Step.LOGS: ("unknown", note),
        Step.IMAGE: ("unknown", note),
        Step.IAM: ("unknown", note),
        Step.NETWORK: ("unknown", note),
        Step.RESOURCES: ("skipped", "Fargate: AWS manages the hosts"),
        Step.HEALTH_CHECK: ("unknown", note),
    }


# --------------------------------------------------------------------------- issue 11: seen first

NO_WAY_OUT = fb.subnet(routes=(Route(destination="10.0.0.0/16", target="local"),))
NO_LOG_GROUP = (LogGroup(name=fb.LOG_GROUP, exists=False, region=fb.REGION),)


def test_what_the_tasks_showed_outranks_a_configuration_fault() -> None:
    """An OOM kill (exit 137, inferred) was seen; the missing log group only read: the tasks ran,
    so the log group cannot be why they stopped. It stays, as a fault to fix too."""
    stops = tuple(fb.stopped(n, exit_code=137) for n in (1, 2))
    diagnosis = fb.diagnose(failing(*stops, log_groups=NO_LOG_GROUP))
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.OUT_OF_MEMORY
    also = next(f for f in diagnosis.findings if f.code is Cause.LOG_GROUP_MISSING)
    assert also.severity == "warning"
    assert also.title.startswith("Fix this too: log group /ecs/api does not exist")
    assert evidence_lines(also.evidence)[0].startswith(
        "Not what stopped the recent tasks (container app was"
    )
    assert statuses(diagnosis)[Step.LOGS] == "warning"


def test_the_order_ecs_starts_a_task_in_decides_between_two_faults() -> None:
    """A generic start failure, a subnet with no way out and a missing log group: the pull
    (which needs the network) comes before the log driver, so the network is the cause."""
    stop = fb.stopped(reason=GENERIC, stop_code="TaskFailedToStart")
    facts = failing(stop, network=fb.network(subnets=(NO_WAY_OUT,)), log_groups=NO_LOG_GROUP)
    diagnosis = fb.diagnose(facts)
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.NO_ROUTE_TO_INTERNET
    also = next(f for f in diagnosis.findings if f.code is Cause.LOG_GROUP_MISSING)
    assert also.severity == "warning"
    assert also.title.startswith("Fix this too:")
    assert notes(diagnosis)[Step.STOPPED_REASON].startswith("explained by the cause: tasks in")


def test_a_fault_that_explains_what_the_tasks_showed_stays_an_error() -> None:
    """No execution role explains the refused pull the tasks reported: it is the cause, and
    the refusal is its symptom, not a second failure."""
    definition = fb.task_definition(execution_role_arn=None)
    stop = fb.stopped(reason=GENERIC, stop_code="TaskFailedToStart")
    diagnosis = fb.diagnose(failing(stop, task_definitions={fb.TASK_DEFINITION_ARN: definition}))
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.EXECUTION_ROLE_MISSING
    assert [f.severity for f in diagnosis.findings].count("warning") == 0


def test_two_crashes_with_different_last_lines_stay_two_findings() -> None:
    first, second = fb.stopped(1, exit_code=1), fb.stopped(2, exit_code=1)
    streams = (
        fb.logs(first, "Traceback (most recent call last):", "KeyError: 'SMTP_HOST'"),
        fb.logs(second, "redis.exceptions.ConnectionError: Error 111 connecting to cache:6379."),
    )
    diagnosis = fb.diagnose(failing(first, second, log_streams=streams))
    crashes = [f for f in diagnosis.findings if f.severity == "error"]
    assert {f.code for f in crashes} == {Cause.CONFIG_MISSING, Cause.DEPENDENCY_UNREACHABLE}
    assert diagnosis.findings[0] == diagnosis.cause


def test_the_cause_carries_what_the_deployment_shows() -> None:
    rollout = Deployment(
        id="ecs-svc/1",
        status="PRIMARY",
        task_definition_arn=fb.TASK_DEFINITION_ARN,
        failed_tasks=4,
        rollout_state="FAILED",
        rollout_state_reason="ECS deployment circuit breaker: tasks failed to start.",
    )
    stops = tuple(fb.stopped(n, exit_code=1) for n in (1, 2))
    diagnosis = fb.diagnose(failing(*stops, service=fb.service(running=0, deployments=(rollout,))))
    assert diagnosis.cause is not None
    assert evidence_lines(diagnosis.cause.evidence)[-1] == (
        "deployment ecs-svc/1 (primary): rollout FAILED (ECS deployment circuit breaker: tasks "
        "failed to start.), 4 failed tasks"
    )
