"""Step 1: deliberate stops, generic start failures, and reasons nothing recognises."""

from __future__ import annotations

import pytest

from bot.checks import stopped_reason
from bot.checks.stopped_reason import (
    CONTAINER_RUNTIME,
    FAILED_TO_START,
    INFRASTRUCTURE,
    RUNBOOK,
    SPOT,
    STOPPED_BY_USER,
    UNKNOWN,
    check_stopped_reason,
)
from bot.model import Cause, Route, Step
from bot.render.evidence import evidence_lines
from tests import facts_builder as fb

DEPLOYMENT = fb.real("deployment-or-scale-in")
# as real_messages.py has it: ECS said no more than this
GENERIC = "ResourceInitializationError: unable to pull secrets or registry auth"


def test_a_healthy_service_has_nothing_to_say() -> None:
    assert check_stopped_reason(fb.facts()) == []


def test_tasks_replaced_by_a_deployment_are_no_failure() -> None:
    stops = tuple(fb.stopped(n, DEPLOYMENT, stop_code="ServiceSchedulerInitiated") for n in (1, 2))
    finding = fb.only(
        check_stopped_reason(fb.facts(stopped_tasks=stops)), Cause.DEPLOYMENT_OR_SCALE_IN
    )
    assert (finding.severity, finding.tasks) == ("info", 2)
    assert f'stoppedReason: "{DEPLOYMENT}"' in evidence_lines(finding.evidence)


def test_stop_task_is_told_by_its_stop_code_whatever_the_reason_says() -> None:
    stop = fb.stopped(reason="Rotating credentials (ops ticket 4411)", stop_code="UserInitiated")
    short = fb.service(running=1)
    findings = check_stopped_reason(fb.facts(stopped_tasks=(stop,), service=short))
    finding = fb.only(findings, Cause.STOPPED_BY_USER)
    assert finding.severity == "error"  # the service is short of the task: a failure
    assert "stopCode UserInitiated" in evidence_lines(finding.evidence)[1]


@pytest.mark.parametrize(
    ("code", "stop_code", "reason"),
    [
        (Cause.STOPPED_BY_USER, "UserInitiated", "Task stopped by user"),
        (Cause.SPOT_INTERRUPTION, "SpotInterruption", "Your Spot Task was interrupted."),
        (Cause.INFRASTRUCTURE, "TerminationNotice", "Host EC2 (instance i-0abc) terminated."),
    ],
)
def test_expected_stops_that_were_replaced_are_information(
    code: Cause, stop_code: str, reason: str
) -> None:
    """Issue 11 §1: a stop nobody's mistake caused, while every desired task runs, is not a
    failure (the StopTask case used to be an error whatever the service ran)."""
    stops = tuple(fb.stopped(n, reason, stop_code=stop_code) for n in (3, 4, 5))
    diagnosis = fb.diagnose(fb.facts(stopped_tasks=stops))
    assert diagnosis.status == "healthy"
    assert diagnosis.cause is not None
    assert (diagnosis.cause.code, diagnosis.cause.severity) == (code, "info")
    assert "all replaced: the service runs 2 of 2 desired tasks" in evidence_lines(
        diagnosis.cause.evidence
    )
    assert evidence_lines(diagnosis.cause.evidence)[0] == "3 of 3 recent stopped tasks show this"
    assert diagnosis.cause.title.startswith("3 tasks ")
    assert diagnosis.cause.title.endswith(", all replaced")


def test_spot_interruption() -> None:
    stop = fb.stopped(reason=fb.real("spot-interruption"), stop_code="SpotInterruption")
    findings = check_stopped_reason(fb.facts(stopped_tasks=(stop,), service=fb.service(running=1)))
    assert fb.codes(findings) == [Cause.SPOT_INTERRUPTION]


def test_the_platform_going_away_is_infrastructure() -> None:
    stops = (
        fb.stopped(1, fb.real("infrastructure", "Host EC2"), stop_code="TerminationNotice"),
        fb.stopped(
            2,
            "ECS is performing maintenance on the underlying infrastructure hosting the task",
            stop_code="ServiceSchedulerInitiated",
        ),
    )
    finding = fb.only(check_stopped_reason(fb.facts(stopped_tasks=stops)), Cause.INFRASTRUCTURE)
    assert finding.tasks == 2


def test_a_generic_start_failure_is_vague() -> None:
    stop = fb.stopped(reason=GENERIC, stop_code="TaskFailedToStart")
    finding = fb.only(
        check_stopped_reason(fb.facts(stopped_tasks=(stop,))), Cause.TASK_FAILED_TO_START
    )
    assert finding.confidence < 50


def test_the_pattern_of_recent_stops_is_counted() -> None:
    stops = tuple(fb.stopped(n, GENERIC, stop_code="TaskFailedToStart") for n in range(1, 8))
    stops += (fb.stopped(8, DEPLOYMENT, stop_code="ServiceSchedulerInitiated"),)
    findings = check_stopped_reason(fb.facts(stopped_tasks=stops))
    failed = fb.only(findings, Cause.TASK_FAILED_TO_START)
    assert failed.tasks == 7
    assert evidence_lines(failed.evidence)[0] == "7 of 8 recent stopped tasks show this"


def test_an_unrecognised_reason_is_unknown_and_says_what_was_seen() -> None:
    stop = fb.stopped(reason="Something new went sideways", stop_code=None)
    finding = fb.only(check_stopped_reason(fb.facts(stopped_tasks=(stop,))), Cause.UNKNOWN)
    assert "closest guess" in finding.title
    assert 'stoppedReason: "Something new went sideways"' in evidence_lines(finding.evidence)[1]


def test_an_unknown_pull_failure_points_at_the_image_step() -> None:
    stop = fb.stopped(reason="CannotPullContainerError: a wording from the future", stop_code=None)
    finding = fb.only(check_stopped_reason(fb.facts(stopped_tasks=(stop,))), Cause.UNKNOWN)
    assert finding.step is Step.IMAGE
    assert finding.title.endswith("the image could not be pulled")


def test_a_service_short_of_tasks_with_no_word_why_is_unknown() -> None:
    facts = fb.facts(service=fb.service(running=0), running_tasks=())
    finding = fb.only(check_stopped_reason(facts), Cause.UNKNOWN)
    assert "the service runs 0 of 2 desired tasks" in evidence_lines(finding.evidence)


def test_a_service_short_of_tasks_while_one_is_starting_is_left_alone() -> None:
    starting = fb.task(3, last_status="PROVISIONING")
    facts = fb.facts(service=fb.service(running=1, pending=1), running_tasks=(fb.task(1), starting))
    assert check_stopped_reason(facts) == []


def test_failure_events_before_the_last_steady_state_are_history() -> None:
    events = (
        fb.event("(service api) has reached a steady state.", 5),
        fb.event("(service api) is unable to consistently start tasks successfully.", 50),
    )
    assert check_stopped_reason(fb.facts(service=fb.service(events=events))) == []


def test_failure_events_since_the_last_steady_state_count() -> None:
    events = (
        fb.event("(service api) is unable to consistently start tasks successfully.", 5),
        fb.event("(service api) has reached a steady state.", 50),
    )
    finding = fb.only(
        check_stopped_reason(fb.facts(service=fb.service(events=events))),
        Cause.TASK_FAILED_TO_START,
    )
    assert evidence_lines(finding.evidence)[0] == "A current service event says so"


def test_a_shortfall_is_not_unexplained_when_the_tasks_could_not_be_read() -> None:
    """They may have stopped and said why: the bot could not look."""
    facts = fb.failing(gaps=fb.denied("ecs:ListTasks"))
    assert check_stopped_reason(facts) == []
    assert fb.codes(check_stopped_reason(fb.failing())) == [Cause.UNKNOWN]


# --------------------------------------------------------------------------- fixes


def test_a_deployment_needs_no_fix_but_says_where_to_see_who_started_it() -> None:
    step = fb.fixed(stopped_reason.DEPLOYMENT, fb.facts())
    assert step.action.startswith("Nothing to fix: the scheduler replaced these tasks on purpose.")
    assert step.command == (
        f"aws ecs describe-services --cluster {fb.CLUSTER} --services {fb.SERVICE} "
        "--query 'services[0].deployments'"
    )
    assert step.console_label == "Deployments"


def test_stop_task_calls_are_looked_up_in_cloudtrail_from_before_the_first_stop() -> None:
    stop = fb.stopped(1, "Task stopped by user", stop_code="UserInitiated")
    step = fb.fixed(STOPPED_BY_USER, fb.failing(stop))
    assert f"(the last was task {stop.task_id})" in step.action
    assert step.command == (
        "aws cloudtrail lookup-events --lookup-attributes "
        "AttributeKey=EventName,AttributeValue=StopTask --start-time 2024-05-01T11:52:20Z "
        "--query 'Events[].[EventTime,Username]'"
    )


def test_spot_interruptions_get_an_on_demand_base() -> None:
    step = fb.fixed(SPOT, fb.facts())
    assert "keep an on-demand base" in step.action
    assert step.command is not None
    assert "capacityProvider=FARGATE,base=1,weight=1" in step.command


def test_a_host_that_went_away_is_named_from_the_message_read() -> None:
    reason = "Host EC2 (instance i-0abc12345678def01) stopped/terminated"
    stop = fb.stopped(1, reason, stop_code="TerminationNotice")
    facts = fb.facts(stopped_tasks=(stop,))
    finding = fb.only(check_stopped_reason(facts), Cause.INFRASTRUCTURE)
    assert finding.particulars.instances == ("i-0abc12345678def01",)
    step = fb.fixed(INFRASTRUCTURE, facts, particulars=finding.particulars)
    assert step.action.startswith("Instance i-0abc12345678def01 went away under the tasks")
    assert step.command is not None
    assert step.command.startswith("aws ec2 describe-instances --instance-ids i-0abc12345678def01")
    assert step.console_label == "EC2 instance"
    fargate = fb.fixed(INFRASTRUCTURE, facts)
    assert "for Fargate, a task retirement" in fargate.action


def test_a_task_that_failed_to_start_gets_aws_s_runbook() -> None:
    stop = fb.stopped(1, GENERIC, stop_code="TaskFailedToStart")
    step = fb.fixed(FAILED_TO_START, fb.failing(stop))
    assert RUNBOOK in step.action
    assert step.command == (
        f"aws ssm start-automation-execution --document-name {RUNBOOK} "
        f"--parameters ClusterName={fb.CLUSTER},TaskId={stop.task_id}"
    )
    assert step.console_label == "Run the runbook"


def test_an_unknown_cause_quotes_the_reason_or_shows_the_service_events() -> None:
    stop = fb.stopped(1, "Something odd", stop_code=None)
    step = fb.fixed(UNKNOWN, fb.failing(stop))
    assert step.action.startswith("Nothing ecs-why reads explains “Something odd”")
    events = fb.fixed(UNKNOWN, fb.failing())
    assert events.command == (
        f"aws ecs describe-services --cluster {fb.CLUSTER} --services {fb.SERVICE} "
        "--query 'services[0].events[:10].[createdAt,message]'"
    )


def test_a_runtime_that_cannot_inspect_its_container_drains_the_instance() -> None:
    stop = fb.stopped(
        reason="CannotInspectContainerError: Could not transition to inspecting; timed out after "
        "waiting 30s",
        stop_code="TaskFailedToStart",
        launch_type="EC2",
        container_instance_arn=fb.container_instance(1).arn,
    )
    facts = fb.on_ec2(service=fb.service(launch_type="EC2", running=1), stopped_tasks=(stop,))
    finding = fb.only(check_stopped_reason(facts), Cause.CONTAINER_RUNTIME)
    assert finding.title == "The host's container runtime or ECS agent failed the task"
    step = fb.fixed(CONTAINER_RUNTIME, facts)
    instance = fb.container_instance(1)
    assert f"on {instance.ec2_instance_id} failed the task: drain the instance" in step.action
    assert step.command == (
        f"aws ecs update-container-instances-state --cluster production --container-instances "
        f"{instance.arn} --status DRAINING"
    )
    cause = fb.diagnose(facts).cause
    assert cause is not None
    assert cause.code is Cause.CONTAINER_RUNTIME


def test_a_runtime_time_out_gives_way_to_a_specific_cause() -> None:
    """DockerTimeoutError from a task whose subnet has no way out: the network is the cause."""
    stop = fb.stopped(
        reason="DockerTimeoutError: Could not transition to started; timed out after waiting 3m0s",
        stop_code="TaskFailedToStart",
    )
    no_way_out = fb.network(
        subnets=(fb.subnet(routes=(Route(destination="10.0.0.0/16", target="local"),)),)
    )
    diagnosis = fb.diagnose(fb.failing(stop, network=no_way_out))
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is not Cause.CONTAINER_RUNTIME
