"""CloudWatch Logs: does each awslogs group exist, and what did the focus task print last.

Its part of the read graph: the log groups a task definition names, and the tails of a task's
streams once its task definition says where they are.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from bot.aws import reads as r
from bot.aws.graph import Reads, every_found
from bot.model import LogGroup, LogStream, Task, TaskDefinition

if TYPE_CHECKING:
    from mypy_boto3_logs import CloudWatchLogsClient

TAIL_LINES = 50
# A task of more containers than this has the tails of this many read: those whose end says
# the most, so a wide task (sidecars, agents) costs no more reads than a small one.
TAILED_CONTAINERS = 4
# Exit codes of a container that ECS stopped because the task was stopping (SIGKILL, SIGTERM)
# or that ended on its own: they say less than any other end.
QUIET_EXITS = frozenset({0, 137, 143})

DefinitionOf = Callable[[str], Awaitable[TaskDefinition | None]]  # a task definition, by ARN


@dataclass(frozen=True)
class LogSource:
    """Where an awslogs container writes: the group, its region (None: ours) and stream prefix."""

    container: str
    group: str
    region: str | None
    stream_prefix: str | None


def awslogs_sources(task_definition: TaskDefinition) -> list[LogSource]:
    """The awslogs destinations of a task definition's containers."""
    return [
        LogSource(
            container=c.name,
            group=c.log_options["awslogs-group"],
            region=c.log_options.get("awslogs-region"),
            stream_prefix=c.log_options.get("awslogs-stream-prefix"),
        )
        for c in task_definition.containers
        if c.log_driver == "awslogs" and c.log_options.get("awslogs-group")
    ]


def stream_of(source: LogSource, task_id: str) -> LogStream | None:
    """The stream a task's container writes to; unknowable (None) without a stream prefix."""
    if not source.stream_prefix:
        return None
    return LogStream(
        container=source.container,
        task_id=task_id,
        group=source.group,
        stream=f"{source.stream_prefix}/{source.container}/{task_id}",
    )


def worth_tailing(task: Task, sources: list[LogSource]) -> list[LogSource]:
    """The sources whose tails are read for `task`: all of a small task's; of a wide one's,
    first the containers with a reason or a telling exit code, then the others, in the task
    definition's order, up to TAILED_CONTAINERS."""
    if len(sources) <= TAILED_CONTAINERS:
        return sources
    ends = {c.name: c for c in task.containers}

    def quiet(source: LogSource) -> bool:
        end = ends.get(source.container)
        return end is None or (not end.reason and end.exit_code in {None, *QUIET_EXITS})

    return sorted(sources, key=quiet)[:TAILED_CONTAINERS]


def describe_log_group(logs: CloudWatchLogsClient, name: str, region: str | None) -> LogGroup:
    # A prefix query lists names in order, so an exact match is on the first page.
    response = logs.describe_log_groups(logGroupNamePrefix=name)
    exists = any(group.get("logGroupName") == name for group in response.get("logGroups", []))
    return LogGroup(name=name, exists=exists, region=region)


def tail_log_stream(logs: CloudWatchLogsClient, stream: LogStream) -> LogStream:
    """The stream with its last lines, or `found=False` when the group or stream is missing."""
    try:
        response = logs.get_log_events(
            logGroupName=stream.group,
            logStreamName=stream.stream,
            startFromHead=False,
            limit=TAIL_LINES,
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        return stream.model_copy(update={"found": False})
    events = response.get("events", [])
    lines = tuple(e.get("message", "").rstrip("\n") for e in events)
    times = tuple(datetime.fromtimestamp(e.get("timestamp", 0) / 1000, tz=UTC) for e in events)
    return stream.model_copy(update={"lines": lines, "times": times})


# --------------------------------------------------------------------------- read graph


def log_group(read: Reads, source: LogSource) -> asyncio.Task[LogGroup | None]:
    """Whether the source's group exists, read once."""
    return read.once(
        ("log-group", source.group, source.region),
        lambda: read(
            r.DESCRIBE_LOG_GROUPS,
            describe_log_group,
            read.clients.logs(source.region),
            source.group,
            source.region,
        ),
    )


def tail(read: Reads, task: Task, definition: DefinitionOf) -> asyncio.Task[list[LogStream]]:
    """The end of the task's logs, read once, as soon as its task definition says where
    they are."""
    return read.once(("tail", task.arn), lambda: _read_tail(read, task, definition))


async def _read_tail(read: Reads, task: Task, definition: DefinitionOf) -> list[LogStream]:
    found = await definition(task.task_definition_arn)
    sources = awslogs_sources(found) if found else []
    return await every_found(
        read(r.GET_LOG_EVENTS, tail_log_stream, read.clients.logs(source.region), stream)
        for source in worth_tailing(task, sources)
        if (stream := stream_of(source, task.task_id)) is not None
    )
