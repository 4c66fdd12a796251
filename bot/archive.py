"""The event archive's lines (CONTRACT §5) as typed facts, and what they say about a window.

Each line is one EventBridge event, exactly as the rule delivered it. A line that is not an ECS
event is skipped and counted, never fatal; the same task change delivered twice (same
`detail.taskArn` and `detail.version`) counts once; a task that changed several times is kept
as its last change. Pure: the reader in `bot/aws/archive.py` does the I/O.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from bot.aws.ecs import SERVICE_GROUP_PREFIX, is_stopping, newest_first, task_from_aws
from bot.model import ServiceEvent, Task
from bot.parse.arns import name_of

TASK_CHANGE = "ECS Task State Change"
SERVICE_ACTION = "ECS Service Action"
DEPLOYMENT_CHANGE = "ECS Deployment State Change"
DETAIL_TYPES = (TASK_CHANGE, SERVICE_ACTION, DEPLOYMENT_CHANGE)
# Without --since: the archive's last hour, when ECS lists no stopped task (CONTRACT §2).
DEFAULT_WINDOW = timedelta(hours=1)


@dataclass
class Parsed:
    """The events of one service found in a batch of lines."""

    stops: tuple[Task, ...] = ()
    service_events: tuple[ServiceEvent, ...] = ()
    skipped: int = 0
    duplicates: int = 0


def filter_term(service: str) -> str:
    """The FilterLogEvents pattern that keeps a service's events: its name as a quoted term
    (in a task's `group` and in the service ARN of service and deployment events)."""
    return f'"{service}"'


def parse_lines(lines: Iterable[str], *, cluster: str, service: str, since: datetime) -> Parsed:
    """The service's stops (since `since`) and service events among archive lines."""
    parsed = Parsed()
    seen: set[tuple[str, int]] = set()
    tasks: dict[str, tuple[int, Task]] = {}
    events: list[ServiceEvent] = []
    for line in lines:
        event = parse_event(line)
        if event is None:
            parsed.skipped += 1
            continue
        detail = event["detail"]
        if event["detail-type"] == TASK_CHANGE:
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


def parse_event(line: str) -> dict[str, Any] | None:
    """The line as an ECS event of one of the archived types, or None."""
    try:
        event = json.loads(line)
    except ValueError:
        return None
    if not isinstance(event, dict) or event.get("source") != "aws.ecs":
        return None
    if event.get("detail-type") not in DETAIL_TYPES or not isinstance(event.get("detail"), dict):
        return None
    return event


def _task_key(detail: dict[str, Any]) -> tuple[str, int] | None:
    arn, version = detail.get("taskArn"), detail.get("version")
    if not isinstance(arn, str) or not isinstance(version, int):
        return None
    return arn, version


def _task(detail: dict[str, Any]) -> Task | None:
    # A task change's detail has the shape of a DescribeTasks task.
    try:
        return task_from_aws(detail)
    except (ValidationError, KeyError, TypeError, AttributeError):
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


def _names_service(event: dict[str, Any], cluster: str, service: str) -> bool:
    resources = event.get("resources")
    wanted = f":service/{cluster}/{service}"
    return isinstance(resources, list) and any(
        isinstance(r, str) and r.endswith(wanted) for r in resources
    )


def _service_event(event: dict[str, Any]) -> ServiceEvent:
    detail = event["detail"]
    words = [str(detail.get("eventName") or event["detail-type"])]
    if reason := detail.get("reason"):
        words.append(str(reason))
    when = detail.get("updatedAt") or detail.get("createdAt") or event.get("time")
    try:
        created_at = datetime.fromisoformat(str(when).replace("Z", "+00:00")) if when else None
    except ValueError:
        created_at = None
    return ServiceEvent(created_at=created_at, message=": ".join(words))
