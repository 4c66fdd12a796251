"""The event archive's lines (CONTRACT §5) as typed facts, and what they say about a window.

Each line is one EventBridge event, exactly as the rule delivered it, read by `bot/events.py`.
A line that is not an ECS event (or is hostile) is skipped and counted, never fatal; the same
task change delivered twice (same `detail.taskArn` and `detail.version`) counts once; a task
that changed several times is kept as its last change. Pure: `bot/aws/archive.py` reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError

from bot.aws.ecs import SERVICE_GROUP_PREFIX, is_stopping, newest_first, task_from_aws
from bot.events import TASK_CHANGE, ArchiveEvent, BadLine, Detail, parse_event
from bot.model import ServiceEvent, Task
from bot.parse.arns import name_of

# Without --since: the archive's last hour, when ECS lists no stopped task (CONTRACT §2).
DEFAULT_WINDOW = timedelta(hours=1)


@dataclass
class Parsed:
    """The events of one service found in a batch of lines."""

    stops: tuple[Task, ...] = ()
    service_events: tuple[ServiceEvent, ...] = ()
    skipped: int = 0
    duplicates: int = 0
    bad: BadLine | None = None  # the first line that was no archived ECS event, and why


def filter_term(service: str) -> str:
    """The FilterLogEvents pattern that keeps a service's events: its name as a quoted term
    (in a task's `group` and in the service ARN of service and deployment events)."""
    return f'"{service}"'


def parse_lines(
    lines: Iterable[str], *, cluster: str, service: str, since: datetime, now: datetime
) -> Parsed:
    """The service's stops (since `since`) and service events among archive lines (their
    times judged against `now`)."""
    parsed = Parsed()
    seen: set[tuple[str, int]] = set()
    tasks: dict[str, tuple[int, Task]] = {}
    events: list[ServiceEvent] = []
    for line in lines:
        event = parse_event(line, now)
        if isinstance(event, BadLine):
            parsed.skipped += 1
            parsed.bad = parsed.bad or event
            continue
        detail = event.detail
        if event.detail_type == TASK_CHANGE:
            key = _task_key(detail)
            if key is None:
                parsed.skipped += 1
                continue
            if key in seen:
                parsed.duplicates += 1
                continue
            seen.add(key)
            task = _task(detail)
            if task is None:
                parsed.skipped += 1
            elif _is_ours(task, cluster, service) and key[1] >= tasks.get(task.arn, (-1,))[0]:
                tasks[task.arn] = (key[1], task)
        elif _names_service(event, cluster, service):
            events.append(_service_event(event))
    parsed.stops = newest_first(
        task for _, task in tasks.values() if is_stopping(task) and stopped_since(task, since)
    )
    parsed.service_events = tuple(sorted(events, key=lambda e: e.created_at or since, reverse=True))
    return parsed


def _task_key(detail: Detail) -> tuple[str, int] | None:
    if detail.task_arn is None or detail.version is None:
        return None
    return detail.task_arn, detail.version


def _task(detail: Detail) -> Task | None:
    # A task change's detail has the shape of a DescribeTasks task.
    try:
        return task_from_aws(detail.as_aws())
    except ValidationError:
        return None


def _is_ours(task: Task, cluster: str, service: str) -> bool:
    return task.group == SERVICE_GROUP_PREFIX + service and cluster in (
        task.cluster_arn,
        name_of(task.cluster_arn),
    )


def stopped_since(task: Task, since: datetime) -> bool:
    """Whether the task stopped (or was created, when that is all we know) since `since`."""
    when = task.stopped_at or task.stopping_at or task.created_at
    return when is None or when >= since


def _names_service(event: ArchiveEvent, cluster: str, service: str) -> bool:
    wanted = f":service/{cluster}/{service}"
    return any(r.endswith(wanted) for r in event.resources)


def _service_event(event: ArchiveEvent) -> ServiceEvent:
    detail = event.detail
    words = [detail.event_name or event.detail_type]
    if detail.reason:
        words.append(detail.reason)
    when = detail.updated_at or detail.created_at or event.time
    return ServiceEvent(created_at=when, message=": ".join(words))
