"""The incident state machine and the archive lines it is fed, without AWS or Slack."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.demo.archive_events import OOM_REASON, lines, service_action, task_stopped
from bot.watch.incidents import Incident, apply_all, incident_key, quiet_services
from bot.watch.intake import read_lines
from bot.watch.watches import parse_watch_target, watch_label

T0 = datetime(2026, 3, 4, 3, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=1)  # "now" for the lines' times


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def crash(n: float, **fields: object) -> dict[str, object]:
    return task_stopped(cluster="production", service="api", at=minutes(n), **fields)  # type: ignore[arg-type]


def run(events: list[dict[str, object]]) -> tuple[dict[str, Incident], list[Incident]]:
    return apply_all({}, read_lines(lines(events), LATER).events)


def test_ten_stops_of_one_cause_are_one_incident_that_ends_at_ten_stops() -> None:
    state, updates = run([crash(n * 2) for n in range(10)])
    assert [u.state for u in updates] == ["open"] + ["updated"] * 9
    assert [u.stops for u in updates] == list(range(1, 11))
    assert len(state) == 1
    (incident,) = state.values()
    assert incident.cause.code == "app-crash"
    assert (incident.first, incident.last) == (minutes(0), minutes(18))


def test_a_new_cause_or_a_new_revision_is_a_new_incident() -> None:
    state, _ = run(
        [
            crash(0),
            crash(1, exit_code=137, reason=OOM_REASON),
            crash(2, revision=2),
            crash(3),
        ]
    )
    assert sorted((i.cause.code, i.revision, i.stops) for i in state.values()) == [
        ("app-crash", 1, 2),
        ("app-crash", 2, 1),
        ("out-of-memory", 1, 1),
    ]


def test_the_key_is_stable_for_account_region_cluster_service_cause_and_revision() -> None:
    first, _ = run([crash(0)])
    again, _ = run([crash(30)])
    assert list(first) == list(again)
    (incident,) = first.values()
    assert incident.key == incident_key(incident.service, "app-crash", 1)
    assert incident.key == "123456789012:us-east-1:production:api:app-crash:1"


def test_the_same_task_change_delivered_twice_counts_once() -> None:
    event = crash(0)
    later = json.loads(json.dumps(event))
    later["detail"]["version"] = 6  # ECS sends a stopped task's change more than once
    _, updates = run([event, event, later, crash(1)])
    assert [u.stops for u in updates] == [1, 2]


def test_steady_state_recovers_the_open_incidents_of_that_service_only() -> None:
    other = task_stopped(cluster="production", service="web", at=minutes(1))
    steady = service_action(cluster="production", service="api", at=minutes(5))
    state, updates = run([crash(0), other, steady])
    assert updates[-1].state == "recovered"
    assert updates[-1].recovered_at == minutes(5)
    assert {i.service.service: i.state for i in state.values()} == {
        "api": "recovered",
        "web": "open",
    }


def test_a_stop_after_recovery_opens_the_incident_again_and_a_late_old_one_does_not() -> None:
    steady = service_action(cluster="production", service="api", at=minutes(5))
    recovered, _ = run([crash(0), steady])
    _, late = apply_all(recovered, read_lines(lines([crash(4)]), LATER).events)
    assert late == []
    _, updates = apply_all(recovered, read_lines(lines([crash(9)]), LATER).events)
    assert [(u.state, u.stops) for u in updates] == [("open", 1)]


def test_deployments_and_scale_ins_are_no_incident() -> None:
    scale_in = crash(
        0,
        exit_code=None,
        stop_code="ServiceSchedulerInitiated",
        stopped_reason="Scaling activity initiated by (deployment ecs-svc/1234567890123456789)",
    )
    read = read_lines(lines([scale_in]), LATER)
    assert read.events == []
    assert read.ignored == 1


def test_placement_failures_are_incidents_with_their_resource_cause() -> None:
    # The event of AWS's example: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service_events.html
    failure = service_action(
        cluster="default",
        service="servicetest",
        at=minutes(0),
        name="SERVICE_TASK_PLACEMENT_FAILURE",
        reason="RESOURCE:MEMORY",
    )
    state, _ = run([failure])
    (incident,) = state.values()
    assert (incident.cause.code, incident.cause.step, incident.revision) == (
        "insufficient-memory",
        "resources",
        None,
    )


def test_malformed_lines_are_skipped_and_counted() -> None:
    good = lines([crash(0)])
    half = good[0][: len(good[0]) // 2]
    read = read_lines(["not json", "[1, 2]", json.dumps({"source": "aws.ec2"}), half, *good], LATER)
    assert read.skipped == 4
    assert len(read.events) == 1


def test_quiet_services_are_those_whose_open_incidents_all_went_quiet() -> None:
    state, _ = run([crash(0), task_stopped(cluster="production", service="web", at=minutes(8))])
    assert [s.service for s in quiet_services(state, minutes(16))] == ["api"]
    assert quiet_services(state, minutes(5)) == []


def test_a_stop_without_account_and_region_fields_takes_them_from_its_task_arn() -> None:
    event = crash(0)
    del event["account"], event["region"]
    (failure,) = read_lines(lines([event]), LATER).events
    incident = apply_all({}, [failure])[1][0]
    assert (incident.service.account, incident.service.region) == ("123456789012", "us-east-1")


@pytest.mark.parametrize("typed", ["production/*", "prod:production/*", "production/api", "api"])
def test_a_watch_is_echoed_as_typed_and_parses_back(typed: str) -> None:
    target = parse_watch_target(typed)
    assert watch_label(target) == typed
    assert parse_watch_target(watch_label(target)) == target
