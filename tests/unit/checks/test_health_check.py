"""Step 8: the container's health check and the load balancer's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.checks.base import UNCONFIRMED
from bot.checks.health_check import (
    CHECK,
    ELB,
    FAILING,
    PORT_MISMATCH,
    START_PERIOD,
    check_health_check,
)
from bot.model import (
    Cause,
    Facts,
    HealthCheck,
    LoadBalancerRef,
    Particulars,
    Step,
    TargetHealth,
    Where,
)
from bot.render.evidence import evidence_lines
from tests import facts_builder as fb

CURL = HealthCheck(
    command=("CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"),
    interval=30,
    retries=3,
    start_period=0,
)
KILLED = fb.real("health-check-failing")
ELB_KILL = fb.real("elb-health-check", "Task failed ELB health checks in (target-group")


def checked(ran_for: timedelta, count: int = 2) -> Facts:
    """A service whose tasks the container health check killed after `ran_for`."""
    container = fb.container_definition(health_check=CURL)
    definition = fb.task_definition(containers=(container,))
    stops = tuple(
        fb.stopped(n, KILLED, stop_code="ServiceSchedulerInitiated", exit_code=137, ran_for=ran_for)
        for n in range(1, count + 1)
    )
    return fb.facts(stopped_tasks=stops, task_definitions={fb.TASK_DEFINITION_ARN: definition})


def unhealthy(**overrides: str) -> TargetHealth:
    reason = {
        "reason": "Target.ResponseCodeMismatch",
        "description": "Health checks failed with these codes: [404]",
    }
    return fb.target_health(state="unhealthy", **(reason | overrides))


def test_a_healthy_service_has_nothing_to_say() -> None:
    assert check_health_check(fb.facts()) == []


def test_killed_as_early_as_the_check_allows_means_the_app_had_not_started() -> None:
    finding = fb.only(
        check_health_check(checked(timedelta(seconds=95))), Cause.HEALTH_CHECK_START_PERIOD
    )
    assert (
        finding.title
        == "Container app's health check gives up before the app has started (startPeriod 0 s)"
    )
    assert finding.tasks == 2
    assert evidence_lines(finding.evidence)[-1] == (
        "killed 95 s after starting; a check that never passes gives up after about 90 s "
        "(startPeriod 0 s + 3 retries × 30 s)"
    )


def test_killed_long_after_starting_means_the_check_keeps_failing() -> None:
    finding = fb.only(check_health_check(checked(timedelta(hours=3))), Cause.HEALTH_CHECK_FAILING)
    assert finding.title == "Container app's health check keeps failing"
    assert evidence_lines(finding.evidence)[0] == "2 of 2 recent stopped tasks show this"


def test_unhealthy_targets() -> None:
    group = fb.target_group(targets=(unhealthy(), fb.target_health(target_id="10.0.1.2")))
    finding = fb.only(check_health_check(fb.facts(target_groups=(group,))), Cause.ELB_HEALTH_CHECK)
    assert finding.title == "Load balancer health checks fail for the tasks in api"
    assert evidence_lines(finding.evidence) == (
        "1 of 2 targets in api are unhealthy",
        "target 10.0.1.1:8080 unhealthy: Target.ResponseCodeMismatch (Health checks failed with "
        "these codes: [404])",
        # issue 11 §5: the target group's health-check settings are cited (new line)
        "target group api checks HTTP /health on port traffic-port, expecting 200",
    )


def test_targets_still_being_checked_are_not_failing() -> None:
    initial = fb.target_health(
        state="initial",
        reason="Elb.InitialHealthChecking",
        description="Initial health checks in progress",
    )
    assert check_health_check(fb.facts(target_groups=(fb.target_group(targets=(initial,)),))) == []


def test_tasks_killed_by_the_load_balancer() -> None:
    stop = fb.stopped(reason=ELB_KILL, stop_code="ServiceSchedulerInitiated", exit_code=143)
    finding = fb.only(check_health_check(fb.facts(stopped_tasks=(stop,))), Cause.ELB_HEALTH_CHECK)
    assert evidence_lines(finding.evidence)[1] == f'stoppedReason: "{ELB_KILL}"'


def test_a_health_check_port_the_container_does_not_serve() -> None:
    group = fb.target_group(health_check_port="8081", targets=(unhealthy(),))
    finding = fb.only(
        check_health_check(fb.facts(target_groups=(group,))), Cause.HEALTH_CHECK_PORT_MISMATCH
    )
    assert finding.title == "Target group api checks port 8081, but container app serves 8080"
    assert evidence_lines(finding.evidence) == (
        "target group api health checks port 8081, not 8080",
    )


def test_a_service_sending_traffic_to_a_port_the_container_does_not_map() -> None:
    ref = LoadBalancerRef(
        target_group_arn=fb.TARGET_GROUP_ARN, container_name="app", container_port=80
    )
    facts = fb.facts(
        service=fb.service(load_balancers=(ref,)), target_groups=(fb.target_group(port=80),)
    )
    finding = fb.only(check_health_check(facts), Cause.HEALTH_CHECK_PORT_MISMATCH)
    assert (
        evidence_lines(finding.evidence)[0]
        == "the service sends api to app:80, but app maps only 8080"
    )


def test_a_target_group_on_another_port_while_its_targets_fail() -> None:
    group = fb.target_group(port=80, targets=(unhealthy(),))
    findings = check_health_check(fb.facts(target_groups=(group,)))
    assert fb.codes(findings) == [Cause.ELB_HEALTH_CHECK, Cause.HEALTH_CHECK_PORT_MISMATCH]


def test_a_target_group_on_another_port_is_harmless_while_its_targets_pass() -> None:
    assert check_health_check(fb.facts(target_groups=(fb.target_group(port=80),))) == []


def test_no_load_balancer_and_no_container_check_means_nothing_to_check() -> None:
    facts = fb.facts(service=fb.service(load_balancers=()), target_groups=())
    assert CHECK.skip(facts) == "No load balancer and no container health check"
    assert CHECK.skip(fb.facts()) is None


# --------------------------------------------------------------------------- unread facts


def test_container_check_kills_without_the_checks_settings_are_only_a_lead() -> None:
    """Without its start period and retries, a check the app never had a chance to pass looks
    like one that keeps failing."""
    stops = checked(timedelta(seconds=100)).stopped_tasks
    gaps = fb.denied("ecs:DescribeTaskDefinition")
    facts = fb.failing(*stops, task_definitions={}, gaps=gaps)
    finding = fb.only(check_health_check(facts), Cause.HEALTH_CHECK_FAILING)
    assert finding.confidence == UNCONFIRMED
    diagnosis = fb.diagnose(facts)
    assert diagnosis.cause is not None
    assert (diagnosis.cause.code, diagnosis.cause.step) == (Cause.UNKNOWN, Step.HEALTH_CHECK)


@pytest.mark.parametrize(
    ("action", "overrides"),
    [
        ("ecs:DescribeTaskDefinition", {"task_definitions": {}}),
        ("elasticloadbalancing:DescribeTargetGroups", {"target_groups": ()}),
    ],
)
def test_elb_kills_whose_ports_could_not_be_checked_are_only_a_lead(
    action: str, overrides: dict[str, Any]
) -> None:
    """A port mismatch, which needs both, is the usual root of failing ELB checks."""
    stop = fb.stopped(reason=ELB_KILL, stop_code="ServiceSchedulerInitiated", exit_code=143)
    facts = fb.failing(stop, gaps=fb.denied(action), **overrides)
    finding = fb.only(check_health_check(facts), Cause.ELB_HEALTH_CHECK)
    assert (
        evidence_lines(finding.evidence)[-1]
        == f"could not confirm: could not call {action}: access denied"
    )
    diagnosis = fb.diagnose(facts)
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.UNKNOWN


def test_elb_kills_whose_target_health_could_not_be_read_are_still_elb_kills() -> None:
    """The target group's ports were read: nothing that could explain the kills is missing."""
    stop = fb.stopped(reason=ELB_KILL, stop_code="ServiceSchedulerInitiated", exit_code=143)
    group = fb.target_group(targets=())
    facts = fb.failing(
        stop, target_groups=(group,), gaps=fb.denied("elasticloadbalancing:DescribeTargetHealth")
    )
    diagnosis = fb.diagnose(facts)
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.ELB_HEALTH_CHECK


# --------------------------------------------------------------------------- issue 11: in time


def with_times(task: Any, *lines: tuple[int, str], container_name: str = "app") -> Any:
    """The task's log stream, each line `seconds` after the task started."""
    stream = fb.logs(task, *(line for _, line in lines), container_name=container_name)
    times = tuple(task.started_at + timedelta(seconds=s) for s, _ in lines)
    return stream.model_copy(update={"times": times})


def test_an_app_ready_at_once_but_killed_early_has_a_failing_check_not_a_short_start() -> None:
    facts = checked(timedelta(seconds=95), count=1)
    stop = facts.stopped_tasks[0]
    streams = (
        with_times(
            stop,
            (0, "quote-service 1.2.0 listening on 0.0.0.0:8080"),
            (40, '127.0.0.1 - - "GET /health HTTP/1.1" 503 61 "-" "curl/8.5.0"'),
        ),
    )
    finding = fb.only(
        check_health_check(facts.model_copy(update={"log_streams": streams})),
        Cause.HEALTH_CHECK_FAILING,
    )
    assert (
        'the app said it was ready 0 s after the task started: "quote-service 1.2.0 listening '
        'on 0.0.0.0:8080"'
    ) in evidence_lines(finding.evidence)
    assert (
        'the app answered a health check: "127.0.0.1 - - "GET /health HTTP/1.1" 503 61 "-" '
        '"curl/8.5.0""'
    ) in evidence_lines(finding.evidence)


def test_an_app_ready_after_the_start_period_had_ended_needs_a_longer_one() -> None:
    facts = checked(timedelta(minutes=20), count=1)  # late by runtime, yet never ready in time
    stop = facts.stopped_tasks[0]
    streams = (with_times(stop, (140, "Tomcat started on port 8080 (http) with context path ''")),)
    finding = fb.only(
        check_health_check(facts.model_copy(update={"log_streams": streams})),
        Cause.HEALTH_CHECK_START_PERIOD,
    )
    assert finding.title.endswith("(startPeriod 0 s)")


def test_a_grace_period_shorter_than_the_start_is_the_cause_of_elb_kills() -> None:
    stop = fb.stopped(1, ELB_KILL, stop_code="ServiceSchedulerInitiated", exit_code=143)
    streams = (with_times(stop, (5, "Starting api"), (75, "Server listening on port 8080")),)
    group = fb.target_group(health_check_interval=15, unhealthy_threshold=2)
    facts = fb.failing(stop, log_streams=streams, target_groups=(group,))
    finding = fb.only(check_health_check(facts), Cause.HEALTH_CHECK_START_PERIOD)
    assert finding.title == (
        "The load balancer's health check gives up before the app has started (the service's "
        "health-check grace period of 60 s)"
    )
    assert "the app said it was ready 75 s after starting" in evidence_lines(finding.evidence)
    assert evidence_lines(finding.evidence)[-1] == (
        "the service's healthCheckGracePeriodSeconds is 60 s; it marks a target unhealthy after "
        "about 90 s (grace period + 2 checks × 15 s)"
    )


def test_an_app_listening_on_another_port_than_its_health_check_calls() -> None:
    container = fb.container_definition(health_check=CURL)
    definition = fb.task_definition(containers=(container,))
    task = fb.task(1)
    streams = (fb.logs(task, "Server listening on port 3000"),)
    facts = fb.facts(task_definitions={fb.TASK_DEFINITION_ARN: definition}, log_streams=streams)
    finding = fb.only(check_health_check(facts), Cause.HEALTH_CHECK_PORT_MISMATCH)
    assert (
        finding.title
        == "Container app's health check checks port 8080, but container app serves 3000"
    )
    assert evidence_lines(finding.evidence) == (
        "app's health check command calls port 8080",
        "app maps containerPort 8080",
        'but the app listens on 3000: "Server listening on port 3000"',
    )


# --------------------------------------------------------------------------- fixes


def test_a_health_check_on_the_wrong_path_is_pointed_at_the_one_the_app_serves() -> None:
    group = fb.target_group(
        health_check_path="/health",
        targets=(
            fb.target_health(
                state="unhealthy",
                reason="Target.ResponseCodeMismatch",
                description="Health checks failed with these codes: [404]",
            ),
        ),
    )
    crash = fb.stopped(1)
    served = ("listening on :8080, health endpoint /healthz",)
    facts = fb.failing(crash, target_groups=(group,), log_streams=(fb.logs(crash, *served),))
    finding = fb.only(check_health_check(facts), Cause.ELB_HEALTH_CHECK)
    assert finding.particulars.status_codes == (404,)
    assert finding.particulars.health_path == "/healthz"
    step = fb.fixed(ELB, facts, particulars=finding.particulars)
    assert step.action == (
        "The app answers 404 to /health but serves its health check at /healthz: point target "
        "group api at /healthz."
    )
    assert step.command == (
        f"aws elbv2 modify-target-group --target-group-arn {group.arn} --health-check-path /healthz"
    )
    assert step.console_label == "Target group"


def test_failing_elb_checks_without_a_path_to_offer_show_the_targets_health() -> None:
    step = fb.fixed(ELB, fb.facts(), particulars=Particulars(status_codes=(502, 503)))
    assert step.action.startswith("Targets of api fail its health check on /health with 502, 503")
    assert step.command == (
        f"aws elbv2 describe-target-health --target-group-arn {fb.TARGET_GROUP_ARN}"
    )


def test_a_start_period_too_short_is_raised_with_the_grace_period() -> None:
    check = HealthCheck(command=("CMD-SHELL", "curl -f localhost:8080/ || exit 1"), start_period=10)
    definition = fb.task_definition(containers=(fb.container_definition(health_check=check),))
    facts = fb.facts(task_definitions={fb.TASK_DEFINITION_ARN: definition})
    step = fb.fixed(START_PERIOD, facts)
    assert step.action.startswith(
        "Raise the health check startPeriod of app (now 10 s) above the app's start-up time"
    )
    assert step.command == (
        f"aws ecs update-service --cluster {fb.CLUSTER} --service {fb.SERVICE} "
        "--health-check-grace-period-seconds 300"
    )


def test_a_failing_container_check_is_run_by_hand_in_a_running_task() -> None:
    check = HealthCheck(command=("CMD-SHELL", "curl -f localhost:8080/ || exit 1"))
    definition = fb.task_definition(containers=(fb.container_definition(health_check=check),))
    facts = fb.facts(task_definitions={fb.TASK_DEFINITION_ARN: definition})
    step = fb.fixed(FAILING, facts)
    assert step.action.startswith(
        "Run app's check by hand in a running task (`curl -f localhost:8080/ || exit 1`)"
    )
    assert step.command == (
        f"aws ecs execute-command --cluster {fb.CLUSTER} --task {fb.task(1).task_id} "
        "--container app --interactive --command sh"
    )


def test_a_port_mismatch_points_the_target_group_at_the_traffic_port() -> None:
    step = fb.fixed(PORT_MISMATCH, fb.facts(), where=Where(target_group="api"))
    assert step.action == (
        "Target group api health-checks a port the container does not serve: check the traffic "
        "port (8080) instead."
    )
    assert step.command == (
        f"aws elbv2 modify-target-group --target-group-arn {fb.TARGET_GROUP_ARN} "
        "--health-check-port traffic-port"
    )
