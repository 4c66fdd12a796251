"""Incidents, not messages: a pure state machine from archive events to incident updates.

An incident is every failure of one service with the same cause code on the same
task-definition revision: its key is stable (account, region, cluster, service, cause,
revision), so fourteen stops of a crash loop are one incident that says "14 stops", and a new
cause or a new revision is a new incident. It recovers when the service is steady again (ECS's
`SERVICE_STEADY_STATE`, or the follower saw running = desired after a quiet period).

No I/O and no clock: time comes in with the events, so the same events always give the same
updates (the Slack follower and `ecs-why watch` share this).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, NamedTuple

from bot.model import QUIET, Finding, Frozen, Target

State = Literal["open", "updated", "recovered"]
# Task ARNs kept per incident, so a redelivered stop is not counted twice.
REMEMBERED_TASKS = 200
QUIET_PERIOD = QUIET  # quiet this long, running what it should: recovered


class ServiceRef(Frozen):
    """A service as the archive names it: the AWS account id, region, cluster and name."""

    account: str
    region: str
    cluster: str
    service: str

    @property
    def label(self) -> str:
        return f"{self.cluster}/{self.service}"


class Failure(Frozen):
    """A task of the service stopped for a failure, or the scheduler could not place or start
    one, or a deployment failed."""

    service: ServiceRef
    cause: Finding
    revision: int | None  # the task definition's revision; None when the event has none
    at: datetime
    occurrence: str  # the task ARN, or the event id: counted once per incident
    task_arn: str | None = None


class Steady(Frozen):
    """The service is running what it should, as of `at`."""

    service: ServiceRef
    at: datetime


Event = Failure | Steady


class Incident(Frozen):
    key: str
    service: ServiceRef
    cause: Finding
    revision: int | None
    state: State
    stops: int
    first: datetime
    last: datetime
    recovered_at: datetime | None = None
    task_arn: str | None = None  # the newest stopped task, for the card's diagnosis
    occurrences: tuple[str, ...] = ()


class Acknowledged(NamedTuple):
    """Who took an incident on in a channel, and when: shown on its card through every update."""

    user: str  # a Slack user id, as Slack sent it
    at: datetime


def incident_key(service: ServiceRef, cause: str, revision: int | None) -> str:
    parts = (service.account, service.region, service.cluster, service.service, cause)
    return ":".join((*parts, str(revision) if revision is not None else "-"))


def apply(
    incidents: Mapping[str, Incident], event: Event
) -> tuple[dict[str, Incident], list[Incident]]:
    """The incidents after `event`, and the incidents it changed (in the order they changed)."""
    after = dict(incidents)
    if isinstance(event, Steady):
        changed = [
            incident.model_copy(update={"state": "recovered", "recovered_at": event.at})
            for incident in incidents.values()
            if incident.service == event.service
            and incident.state != "recovered"
            and incident.last <= event.at
        ]
    else:
        changed = _failed(incidents.get(_key(event)), event)
    after.update((incident.key, incident) for incident in changed)
    return after, changed


def apply_all(
    incidents: Mapping[str, Incident], events: Iterable[Event]
) -> tuple[dict[str, Incident], list[Incident]]:
    """`apply` for each event in the order they happened; every update, in that order."""
    state, updates = dict(incidents), []
    for event in sorted(events, key=lambda e: e.at):
        state, changed = apply(state, event)
        updates += changed
    return state, updates


def quiet_services(
    incidents: Mapping[str, Incident], now: datetime, period: timedelta = QUIET_PERIOD
) -> list[ServiceRef]:
    """Services with an incident still open whose last failure is `period` ago or more: if
    they are running what they should, they have recovered."""
    open_ = [i for i in incidents.values() if i.state != "recovered"]
    loud = {i.service for i in open_ if now - i.last < period}
    return list(dict.fromkeys(i.service for i in open_ if i.service not in loud))


def _key(event: Failure) -> str:
    return incident_key(event.service, event.cause.code, event.revision)


def _failed(current: Incident | None, event: Failure) -> list[Incident]:
    if current is not None and event.occurrence in current.occurrences:
        return []  # the same stop delivered again
    if current is None or current.state == "recovered":
        if current is not None and current.recovered_at and event.at <= current.recovered_at:
            return []  # a stop from before the recovery, read late
        return [
            Incident(
                key=_key(event),
                service=event.service,
                cause=event.cause,
                revision=event.revision,
                state="open",
                stops=1,
                first=event.at,
                last=event.at,
                task_arn=event.task_arn,
                occurrences=(event.occurrence,),
            )
        ]
    newest = event.at >= current.last
    return [
        current.model_copy(
            update={
                "state": "updated",
                "stops": current.stops + 1,
                "first": min(current.first, event.at),
                "last": max(current.last, event.at),
                "task_arn": event.task_arn if newest and event.task_arn else current.task_arn,
                "occurrences": (*current.occurrences, event.occurrence)[-REMEMBERED_TASKS:],
            }
        )
    ]


@dataclass(frozen=True)
class Card:
    """An incident update for one channel; `ts` is its card when one was posted already."""

    channel: str
    incident: Incident
    target: Target  # what to diagnose for the card
    ts: str | None
    # The id a new card is posted under (Slack has no idempotency key: it goes in the
    # message's metadata); `lost`: a post under it was tried and its answer never came back.
    card_id: str = ""
    lost: bool = False


# Seconds the follower surely holds its lease for, renewed at each call; 0 once it lost it. A
# Slack call starts only when it cannot outlive that.
LeaseLeft = Callable[[], float]
# Posts or updates the card; its ts when it got through, None to try again at the next poll.
Deliver = Callable[[Card, LeaseLeft], str | None]
