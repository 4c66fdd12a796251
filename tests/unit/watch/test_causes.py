"""An incident names the cause of its service's full diagnosis, once per service revision."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import tests.facts_builder as fb
from bot.demo.archive_events import OOM_REASON, lines, task_stopped
from bot.model import Cause, Diagnosis, Finding, Target
from bot.watch.causes import explainer, with_causes
from bot.watch.incidents import Failure, Incident, apply_all
from bot.watch.intake import read_lines

T0 = datetime(2026, 3, 4, 3, 0, tzinfo=UTC)
EXEC_FORMAT = "exec /usr/local/bin/server: exec format error"


def failures(*fields: dict[str, object], count: int = 1) -> list[Failure]:
    """Stops of production/api as the archive holds them, `count` of each kind."""
    events = [
        task_stopped(
            cluster="production",
            service="api",
            at=T0 + timedelta(minutes=n),
            **kind,  # type: ignore[arg-type]
        )
        for n in range(count)
        for kind in fields
    ]
    found = read_lines(lines(events), T0 + timedelta(days=1)).events
    assert all(isinstance(e, Failure) for e in found)
    return [e for e in found if isinstance(e, Failure)]


def platform_mismatch() -> Diagnosis:
    """The service's full diagnosis: its logs say the binary is for another CPU."""
    stop = fb.stopped(exit_code=1)
    return fb.diagnose(fb.failing(stop, log_streams=(fb.logs(stop, EXEC_FORMAT),)))


class Diagnoses:
    """A diagnoser that counts how often it is asked."""

    def __init__(self, diagnosis: Diagnosis) -> None:
        self.diagnosis = diagnosis
        self.asked: list[Target] = []

    def __call__(self, target: Target) -> Diagnosis:
        self.asked.append(target)
        return self.diagnosis


def test_a_crash_loop_is_diagnosed_once_per_poll_and_named_by_the_full_diagnosis() -> None:
    diagnose = Diagnoses(platform_mismatch())
    stops = failures({"exit_code": 1}, count=2000)
    assert {f.cause.code for f in stops} == {Cause.APP_CRASH}  # all one stop shows alone

    named = with_causes(stops, {}, explainer(diagnose, "prod"))
    state, updates = apply_all({}, named)

    assert len(diagnose.asked) == 1
    assert diagnose.asked[0] == Target(
        cluster="production", service="api", region="us-east-1", account="prod"
    )
    (incident,) = state.values()
    assert incident.cause.code is Cause.PLATFORM_MISMATCH
    assert incident.key.endswith(":api:platform-mismatch:1")
    assert incident.stops == 2000
    assert updates[0].cause == platform_mismatch().cause


def test_an_open_incident_keeps_its_cause_once_the_logs_that_named_it_expired() -> None:
    diagnose = Diagnoses(platform_mismatch())
    first = with_causes(failures({"exit_code": 1}), {}, explainer(diagnose, None))
    state, _ = apply_all({}, first)
    later = [
        f.model_copy(update={"occurrence": "later", "at": T0 + timedelta(hours=1)})
        for f in failures({"exit_code": 1})
    ]
    crash_only = fb.diagnose(fb.failing(fb.stopped(exit_code=1)))  # no log line any more
    diagnose.diagnosis = crash_only

    state, updates = apply_all(state, with_causes(later, state, explainer(diagnose, None)))

    assert len(diagnose.asked) == 1  # the open incident's cause stands: no second diagnosis
    assert [u.state for u in updates] == ["updated"]
    (incident,) = state.values()
    assert (incident.cause.code, incident.stops) == (Cause.PLATFORM_MISMATCH, 2)


def test_a_diagnosis_that_names_another_failure_does_not_rename_a_stop() -> None:
    """The service's newest trouble is an exit 1; an OOM kill stays an OOM kill."""
    diagnose = Diagnoses(platform_mismatch())
    oom = failures({"exit_code": 137, "reason": OOM_REASON})
    named = with_causes(oom, {}, explainer(diagnose, None))
    assert [f.cause.code for f in named if isinstance(f, Failure)] == [Cause.OUT_OF_MEMORY]


def test_without_a_diagnosis_a_stop_keeps_what_it_shows_itself() -> None:
    healthy = fb.diagnose(fb.facts())
    named = with_causes(failures({"exit_code": 1}), {}, explainer(Diagnoses(healthy), None))
    assert [f.cause.code for f in named if isinstance(f, Failure)] == [Cause.APP_CRASH]
    unchanged = failures({"exit_code": 1})
    assert with_causes(unchanged, {}, None) == unchanged


def test_a_recovered_incident_does_not_lend_its_cause() -> None:
    stop = failures({"exit_code": 1})[0]
    cause = platform_mismatch().cause
    assert isinstance(cause, Finding)
    recovered = Incident(
        key="k",
        service=stop.service,
        cause=cause,
        revision=stop.revision,
        state="recovered",
        stops=1,
        first=T0,
        last=T0,
        recovered_at=T0,
    )
    named = with_causes([stop], {"k": recovered}, None)
    assert [f.cause.code for f in named if isinstance(f, Failure)] == [Cause.APP_CRASH]


def test_services_failing_in_one_poll_are_diagnosed_at_once_not_one_after_another() -> None:
    """After a bad deploy, four services' cards wait for one diagnosis's time, not four."""
    services = ["api", "web", "worker", "jobs"]
    stops = [
        stop
        for service in services
        for stop in read_lines(
            lines([task_stopped(cluster="production", service=service, at=T0, exit_code=1)]),
            T0 + timedelta(days=1),
        ).events
    ]
    together = threading.Barrier(len(services), timeout=10)  # broken if asked one at a time

    def diagnose(target: Target) -> Diagnosis:
        together.wait()
        return platform_mismatch()

    named = with_causes(stops, {}, explainer(diagnose, None))

    assert [e.service.service for e in named] == services  # in the order they happened
    assert {e.cause.code for e in named if isinstance(e, Failure)} == {Cause.PLATFORM_MISMATCH}
    assert all(isinstance(e, Failure) for e in named)
