"""Archive lines (CONTRACT §5) as the events incidents are made of (bot/watch/incidents.py).

A stopped task's cause is what the checks conclude from that one task (its stop code, reason
and exit codes), so an incident's cause code is the one a diagnosis of that task would give;
a stop the scheduler made on purpose (a deployment, a scale-in, a user's StopTask) is no
failure and no event. Placement and start failures, failed deployments, steady states and
completed deployments come from the service and deployment events. Pure: lines in, events out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from bot.archive import DEPLOYMENT_CHANGE, SERVICE_ACTION, TASK_CHANGE, parse_event
from bot.aws.ecs import SERVICE_GROUP_PREFIX, task_from_aws
from bot.checks.patterns import classify
from bot.model import Cause, Evidence, Facts, Finding, Kind, Step, Target, Task
from bot.parse.arns import SERVICE_ARN, account_of, family_and_revision, name_of, region_of
from bot.reason import reason
from bot.reason.history import stop_signature
from bot.watch.incidents import Event, Failure, ServiceRef, Steady

# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service_events.html
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_deployment_events.html
FAILURE_EVENTS = {
    "SERVICE_TASK_PLACEMENT_FAILURE": (Cause.UNKNOWN, Step.RESOURCES),
    "SERVICE_TASK_START_IMPAIRED": (Cause.TASK_FAILED_TO_START, Step.STOPPED_REASON),
    "SERVICE_DEPLOYMENT_FAILED": (Cause.TASK_FAILED_TO_START, Step.STOPPED_REASON),
}
STEADY_EVENTS = frozenset({"SERVICE_STEADY_STATE", "SERVICE_DEPLOYMENT_COMPLETED"})


@dataclass
class Read:
    """What a batch of lines held."""

    events: list[Event] = field(default_factory=list)
    skipped: int = 0  # lines that are not an archived ECS event
    ignored: int = 0  # ECS events that are no failure and no recovery (a task starting…)


def read_lines(lines: Iterable[str]) -> Read:
    """The events the lines hold; stops alike are judged once (a crash loop of 2,000 stops is
    one verdict, not 2,000)."""
    read = Read()
    causes: _Causes = {}
    for line in lines:
        event = parse_event(line)
        if event is None:
            read.skipped += 1
            continue
        try:
            found = _watch_event(event, causes)
        except (ValidationError, KeyError, TypeError, ValueError, AttributeError):
            read.skipped += 1
            continue
        if found is None:
            read.ignored += 1
        else:
            read.events.append(found)
    return read


def _watch_event(event: dict[str, Any], causes: _Causes) -> Event | None:
    kind, detail = event.get("detail-type"), event["detail"]
    if kind == TASK_CHANGE:
        return _stop(event, detail, causes)
    if kind in (SERVICE_ACTION, DEPLOYMENT_CHANGE):
        return _service_event(event, detail)
    return None


_Causes = dict[tuple[ServiceRef, tuple[object, ...]], Finding | None]


def _stop(event: dict[str, Any], detail: dict[str, Any], causes: _Causes) -> Failure | None:
    task = task_from_aws(detail)
    group = task.group or ""
    if task.last_status != "STOPPED" or not group.startswith(SERVICE_GROUP_PREFIX):
        return None
    # EventBridge names the account and region; a line written by hand may leave them to the ARN.
    service = ServiceRef(
        account=str(event.get("account") or account_of(task.arn) or ""),
        region=str(event.get("region") or region_of(task.arn) or ""),
        cluster=name_of(task.cluster_arn),
        service=group.removeprefix(SERVICE_GROUP_PREFIX),
    )
    kind = (service, stop_signature(task))
    if kind not in causes:
        causes[kind] = cause_of_stop(task, service)
    cause = causes[kind]
    if cause is None:
        return None
    return Failure(
        service=service,
        cause=cause,
        revision=_revision(task.task_definition_arn),
        at=task.stopped_at or task.stopping_at or _time(event),
        occurrence=task.arn,
        task_arn=task.arn,
    )


def cause_of_stop(task: Task, service: ServiceRef) -> Finding | None:
    """The cause the checks see in this one stopped task; None when it was no failure."""
    facts = Facts(
        target=Target(cluster=service.cluster, service=service.service),
        region=service.region,
        collected_at=task.stopped_at or datetime.fromtimestamp(0, UTC),
        stopped_tasks=(task,),
    )
    cause = reason(facts).cause
    return cause if cause is not None and cause.severity == "error" else None


def _service_event(event: dict[str, Any], detail: dict[str, Any]) -> Event | None:
    name = str(detail.get("eventName") or "")
    service = _service_of(event)
    if service is None:
        return None
    at = _time(event, detail.get("updatedAt") or detail.get("createdAt"))
    if name in STEADY_EVENTS:
        return Steady(service=service, at=at)
    if name not in FAILURE_EVENTS:
        return None
    said = f"{name}: {detail['reason']}" if detail.get("reason") else name
    rule = classify(said)
    code, step = (rule.cause, rule.step) if rule else FAILURE_EVENTS[name]
    title = rule.meaning if rule else name.replace("_", " ").lower()
    title = title[:1].upper() + title[1:]
    reason = str(detail.get("reason") or "")
    evidence = Evidence(kind=Kind.ACTION, text=reason or name, source=name if reason else "")
    cause = Finding(code=code, step=step, severity="error", title=title, evidence=(evidence,))
    return Failure(
        service=service, cause=cause, revision=None, at=at, occurrence=str(event.get("id") or said)
    )


def _service_of(event: dict[str, Any]) -> ServiceRef | None:
    """The service an event's resources name: arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME."""
    for resource in event.get("resources") or []:
        if (arn := SERVICE_ARN.fullmatch(str(resource))) and arn["cluster"]:
            return ServiceRef(
                account=arn["account_id"],
                region=arn["region"],
                cluster=arn["cluster"],
                service=arn["service"],
            )
    return None


def _revision(task_definition_arn: str) -> int | None:
    found = family_and_revision(task_definition_arn)
    return found[1] if found else None


def _time(event: dict[str, Any], when: object = None) -> datetime:
    """The detail's own time when it has one, else the event's (both ISO 8601, in UTC)."""
    return datetime.fromisoformat(str(when or event["time"]).replace("Z", "+00:00"))
