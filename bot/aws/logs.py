"""CloudWatch Logs: does each awslogs group exist, and what did the focus task print last."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from bot.model import LogGroup, LogStream, TaskDefinition

if TYPE_CHECKING:
    from mypy_boto3_logs import CloudWatchLogsClient

TAIL_LINES = 50


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
