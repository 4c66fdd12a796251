"""Container Insights: whether it is on for the cluster, and the stopped task's memory and CPU in
its last minutes, from the cluster's performance log.

Whether it is on is the cluster's own setting (DescribeClusters with its settings, read anyway);
only when that is not on is the account default asked (ecs:ListAccountSettings), to say how to
turn it on. The performance log `/aws/ecs/containerinsights/CLUSTER/performance` holds one event
a minute per task (and per container with enhanced observability) of every task in the cluster:
one FilterLogEvents by the task's id reads the task's last minutes. The filter pattern narrows
what AWS sends; the events are filtered by task id here too (an emulator may ignore JSON
patterns, and a group holds every task's events).

Both reads are optional: they only add evidence, so they are tried once on the optional client
and, where refused, not asked again for a while (bot/aws/unavailable.py). Their part of the
read graph: once the cluster and the focus task are known, beside the log tails.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import BotoCoreError, ClientError

from bot.aws import reads as r
from bot.aws.clients import describe_error
from bot.aws.graph import Reads
from bot.aws.unavailable import Unavailable
from bot.model import Cluster, ContainerInsights, MemorySample, Task

if TYPE_CHECKING:
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_logs import CloudWatchLogsClient

log = logging.getLogger(__name__)

BEFORE = timedelta(minutes=15)  # how far back before the stop the samples are read
AFTER = timedelta(minutes=2)  # the last minute's event is written after it ends
PAGES = 3  # FilterLogEvents may answer a page with no events and a token: a few, no more
ON = ("enabled", "enhanced")
# Not the same key as the archive's FilterLogEvents: a refusal here says nothing of that group.
_PERFORMANCE = f"{r.FILTER_PERFORMANCE_EVENTS.action} containerinsights"


def performance_group(cluster: str) -> str:
    return f"/aws/ecs/containerinsights/{cluster}/performance"


def account_default(ecs: ECSClient, unavailable: Unavailable) -> str | None:
    """The account's effective Container Insights default for new clusters; None when it
    cannot be read."""
    action = r.LIST_ACCOUNT_SETTINGS.action
    if unavailable.now(action):
        return None
    try:
        response = ecs.list_account_settings(name="containerInsights", effectiveSettings=True)
    except (ClientError, BotoCoreError) as error:
        log.info("account settings not available (%s)", error)
        unavailable.remember(action, error)
        return None
    return next((s.get("value") for s in response.get("settings", [])), None)


def read_performance(
    logs: CloudWatchLogsClient, found: ContainerInsights, task: Task, unavailable: Unavailable
) -> ContainerInsights:
    """`found` with the task's samples of its last minutes (and each container's), oldest
    first; with `unread` set when the log could not be read. A missing group is no samples."""
    if unavailable.now(_PERFORMANCE):
        return found.model_copy(update={"unread": "not available"})
    end = task.stopped_at or task.stopping_at
    if end is None:
        return found
    start = max(end - BEFORE, task.started_at or end - BEFORE)
    messages: list[str] = []
    request: dict[str, Any] = {
        "logGroupName": found.group,
        "filterPattern": f'{{ $.TaskId = "{task.task_id}" }}',
        "startTime": int(start.timestamp() * 1000),
        "endTime": int((end + AFTER).timestamp() * 1000),
    }
    try:
        for _ in range(PAGES):
            page = logs.filter_log_events(**request)
            messages += [e.get("message", "") for e in page.get("events", [])]
            if not page.get("nextToken"):
                break
            request["nextToken"] = page["nextToken"]
    except ClientError as error:
        if error.response["Error"]["Code"] == "ResourceNotFoundException":
            return found
        unavailable.remember(_PERFORMANCE, error)
        return found.model_copy(update={"unread": describe_error(error)})
    except BotoCoreError as error:
        unavailable.remember(_PERFORMANCE, error)
        return found.model_copy(update={"unread": describe_error(error)})
    return with_samples(found, task.task_id, messages)


def with_samples(
    found: ContainerInsights, task_id: str, messages: Iterable[str]
) -> ContainerInsights:
    """The task's own Task and Container events among `messages`, as samples."""
    task: list[MemorySample] = []
    containers: dict[str, list[MemorySample]] = {}
    for message in messages:
        event = _event(message)
        if event is None or event.get("TaskId") != task_id:
            continue
        sample = _sample(event)
        if sample is None:
            continue
        if event.get("Type") == "Task":
            task.append(sample)
        elif event.get("Type") == "Container" and event.get("ContainerName"):
            containers.setdefault(str(event["ContainerName"]), []).append(sample)
    return found.model_copy(
        update={
            "task_id": task_id,
            "task": _ordered(task),
            "containers": {name: _ordered(s) for name, s in sorted(containers.items())},
        }
    )


def _event(message: str) -> dict[str, Any] | None:
    try:
        event = json.loads(message)
    except ValueError:
        return None
    return event if isinstance(event, dict) else None


def _sample(event: dict[str, Any]) -> MemorySample | None:
    used, at = event.get("MemoryUtilized"), event.get("Timestamp")
    if not isinstance(used, int | float) or not isinstance(at, int | float):
        return None

    def number(key: str) -> float | None:
        value = event.get(key)
        return float(value) if isinstance(value, int | float) else None

    return MemorySample(
        at=datetime.fromtimestamp(at / 1000, tz=UTC),
        used=float(used),
        reserved=number("MemoryReserved"),
        cpu_used=number("CpuUtilized"),
        cpu_reserved=number("CpuReserved"),
    )


def _ordered(samples: list[MemorySample]) -> tuple[MemorySample, ...]:
    """Oldest first, one per minute (the same event delivered twice counts once)."""
    return tuple({s.at: s for s in sorted(samples, key=lambda s: s.at)}.values())


# --------------------------------------------------------------------------- read graph


async def read_insights(
    read: Reads, cluster: Awaitable[Cluster | None], focus: Awaitable[Task | None], name: str
) -> ContainerInsights | None:
    """Whether Container Insights is on for the cluster `name` and, when it is (or cannot be
    told), the focus task's last minutes; None when no task stopped to look at."""
    task, found_cluster = await focus, await cluster
    if task is None or not task.stopped_at:
        return None
    clients = read.clients
    setting = found_cluster.container_insights if found_cluster else None
    found = ContainerInsights(cluster=name, setting=setting, group=performance_group(name))
    if setting is not None and setting not in ON:
        default = await read(
            r.LIST_ACCOUNT_SETTINGS,
            account_default,
            clients.ecs(optional=True),
            clients.unavailable,
        )
        return found.model_copy(update={"account_default": default, "task_id": task.task_id})
    logs = cast("CloudWatchLogsClient", clients.client("logs", optional=True))
    read_found = await read(
        r.FILTER_PERFORMANCE_EVENTS, read_performance, logs, found, task, clients.unavailable
    )
    return read_found or found.model_copy(update={"unread": "timed out"})
