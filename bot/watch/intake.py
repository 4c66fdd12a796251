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

from pydantic import ValidationError

from bot.aws.ecs import SERVICE_GROUP_PREFIX, task_from_aws
from bot.checks.patterns import classify
from bot.events import TASK_CHANGE, ArchiveEvent, BadLine, parse_event
from bot.model import Cause, Evidence, Facts, Finding, Kind, Step, Target, Task
from bot.parse.arns import SERVICE_ARN, family_and_revision, name_of
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
    bad: BadLine | None = None  # the first line skipped, and why


def read_lines(lines: Iterable[str], now: datetime) -> Read:
    """The events the lines hold (their times judged against `now`); stops alike are judged
    once (a crash loop of 2,000 stops is one verdict, not 2,000)."""
    read = Read()
    causes: _Causes = {}
    for line in lines:
        event = parse_event(line, now)
        if isinstance(event, BadLine):
            read.skipped += 1
            read.bad = read.bad or event
            continue
        try:
            found = _watch_event(event, causes)
        except ValidationError:  # a task our model refuses
            read.skipped += 1
            read.bad = read.bad or BadLine("detail: not a task")
            continue
        if found is None:
            read.ignored += 1
        else:
            read.events.append(found)
    return read


def _watch_event(event: ArchiveEvent, causes: _Causes) -> Event | None:
    if event.detail_type == TASK_CHANGE:
        return _stop(event, causes)
    return _service_event(event)


_Causes = dict[tuple[ServiceRef, tuple[object, ...]], Finding | None]


def _stop(event: ArchiveEvent, causes: _Causes) -> Failure | None:
    if event.detail.task_arn is None:
        return None
    task = task_from_aws(event.detail.as_aws())
    group = task.group or ""
    if task.last_status != "STOPPED" or not group.startswith(SERVICE_GROUP_PREFIX):
        return None
    account, region = event.account_and_region
    service = ServiceRef(
        account=account,
        region=region,
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
        at=task.stopped_at or task.stopping_at or event.time,
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


def _service_event(event: ArchiveEvent) -> Event | None:
    detail = event.detail
    name = detail.event_name or ""
    service = _service_of(event)
    if service is None:
        return None
    at = detail.updated_at or detail.created_at or event.time
    if name in STEADY_EVENTS:
        return Steady(service=service, at=at)
    if name not in FAILURE_EVENTS:
        return None
    said = f"{name}: {detail.reason}" if detail.reason else name
    rule = classify(said)
    code, step = (rule.cause, rule.step) if rule else FAILURE_EVENTS[name]
    title = rule.meaning if rule else name.replace("_", " ").lower()
    title = title[:1].upper() + title[1:]
    reason = detail.reason or ""
    evidence = Evidence(kind=Kind.ACTION, text=reason or name, source=name if reason else "")
    cause = Finding(code=code, step=step, severity="error", title=title, evidence=(evidence,))
    return Failure(service=service, cause=cause, revision=None, at=at, occurrence=event.id or said)


def _service_of(event: ArchiveEvent) -> ServiceRef | None:
    """The service an event's resources name: arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME."""
    for resource in event.resources:
        if (arn := SERVICE_ARN.fullmatch(resource)) and arn["cluster"]:
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
