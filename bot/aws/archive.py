"""CloudWatch Logs: one service's events from the event archive (CONTRACT §5).

One FilterLogEvents query per diagnosis, filtered on the service's name and the window, plus
its pages: never a scan of the whole group. Its part of the read graph: a service's stops of
the window, read beside ListTasks.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from bot.archive import filter_term, parse_lines
from bot.aws import reads as r
from bot.aws.ecs import ServiceName
from bot.aws.graph import Reads
from bot.model import ArchiveRead

if TYPE_CHECKING:
    from mypy_boto3_logs import CloudWatchLogsClient

log = logging.getLogger(__name__)

# Enough for a week of a crash-looping service; a page holds up to 10,000 events or 1 MB.
MAX_PAGES = 10


def read_archive(
    logs: CloudWatchLogsClient, group: str, *, cluster: str, service: str, since: datetime
) -> ArchiveRead:
    """The service's stops and events since `since`; `found=False` when there is no archive."""
    query: dict[str, Any] = {
        "logGroupName": group,
        "startTime": int(since.timestamp() * 1000),
        "filterPattern": filter_term(service),
    }
    lines: list[str] = []
    pages = 0
    while pages < MAX_PAGES:
        try:
            response = logs.filter_log_events(**query)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            return ArchiveRead(group=group, since=since, found=False, requests=pages + 1)
        pages += 1
        lines += [event.get("message", "") for event in response.get("events", [])]
        if not response.get("nextToken"):
            break
        query["nextToken"] = response["nextToken"]
    parsed = parse_lines(
        lines, cluster=cluster, service=service, since=since, now=datetime.now(UTC)
    )
    if parsed.bad is not None:
        log.warning(
            "%d lines of %s skipped (the first: %s)", parsed.skipped, group, parsed.bad.reason
        )
    return ArchiveRead(
        group=group,
        since=since,
        found=True,
        stops=parsed.stops,
        service_events=parsed.service_events,
        skipped=parsed.skipped,
        duplicates=parsed.duplicates,
        requests=pages,
    )


# --------------------------------------------------------------------------- read graph


def service_stops(
    read: Reads, name: ServiceName, group: str, since: datetime
) -> asyncio.Task[ArchiveRead | None]:
    """The service's stops and events of the archive `group` since `since`, read once: the
    names are enough, so this starts beside DescribeServices."""
    return read.once(
        ("archive", name, group, since),
        lambda: read(
            r.FILTER_LOG_EVENTS,
            read_archive,
            read.clients.logs(),
            group,
            cluster=name.cluster,
            service=name.service,
            since=since,
        ),
    )
