"""CloudWatch Logs: one service's events from an event archive (CONTRACT §5).

Two archives may hold them: AWS's own (the cluster's ECS lifecycle events that Container
Insights or the console's event capture delivers to `CAPTURE_GROUP`, "Viewing Amazon ECS
lifecycle events within Container Insights" in the CloudWatch guide) and ours
(deploy/event-archive.yaml). Both hold EventBridge events exactly as delivered, so one parser
reads both. One FilterLogEvents query per archive, filtered on the service's name and the
window, plus its pages: never a scan of a whole group. Its part of the read graph: a service's
stops of the window, both archives read side by side beside ListTasks, AWS's preferred.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from bot.archive import filter_term, parse_lines
from bot.aws import reads as r
from bot.aws.clients import describe_error
from bot.aws.ecs import ServiceName
from bot.aws.graph import Reads
from bot.aws.unavailable import Unavailable
from bot.model import ArchiveRead, ArchiveSource

if TYPE_CHECKING:
    from mypy_boto3_logs import CloudWatchLogsClient

log = logging.getLogger(__name__)

# Enough for a week of a crash-looping service; a page holds up to 10,000 events or 1 MB.
MAX_PAGES = 10
# Where Container Insights' lifecycle events and the console's event capture put a cluster's.
CAPTURE_GROUP = "/aws/events/ecs/containerinsights/{cluster}/performance"


# Not the same key as our archive's FilterLogEvents: a refusal there says nothing of this group.
_CAPTURE = f"{r.FILTER_LOG_EVENTS.action} event-capture"


def capture_group(cluster: str) -> str:
    """AWS's log group of the cluster's ECS lifecycle events."""
    return CAPTURE_GROUP.format(cluster=cluster)


def read_archive(
    logs: CloudWatchLogsClient,
    group: str,
    *,
    cluster: str,
    service: str,
    since: datetime,
    source: ArchiveSource = "ecs-why-archive",
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
            return ArchiveRead(
                group=group, since=since, found=False, requests=pages + 1, source=source
            )
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
        source=source,
    )


def read_capture(
    logs: CloudWatchLogsClient,
    group: str,
    unavailable: Unavailable,
    *,
    cluster: str,
    service: str,
    since: datetime,
) -> ArchiveRead | None:
    """AWS's capture of the cluster, as `read_archive` reads ours; None where it may not be read
    (a policy from before it was granted): ours stands in, with no gap and no second try."""
    if unavailable.now(_CAPTURE):
        return None
    try:
        return read_archive(
            logs, group, cluster=cluster, service=service, since=since, source="aws-event-capture"
        )
    except (ClientError, BotoCoreError) as error:
        log.info("AWS's event capture %s cannot be read (%s)", group, describe_error(error))
        unavailable.remember(_CAPTURE, error)
        return None


# --------------------------------------------------------------------------- read graph


def service_stops(
    read: Reads, name: ServiceName, group: str, since: datetime
) -> asyncio.Task[ArchiveRead | None]:
    """The service's stops and events since `since`, read once: the names are enough, so this
    starts beside DescribeServices."""
    return read.once(
        ("archive", name, group, since), lambda: _service_stops(read, name, group, since)
    )


async def _service_stops(
    read: Reads, name: ServiceName, group: str, since: datetime
) -> ArchiveRead | None:
    """From AWS's capture of the cluster where that exists, else from our archive `group`
    (both asked at once: no extra round trip)."""
    logs, unavailable = read.clients.logs(), read.clients.unavailable
    aws, ours = await asyncio.gather(
        read(
            r.FILTER_LOG_EVENTS,
            read_capture,
            logs,
            capture_group(name.cluster),
            unavailable,
            cluster=name.cluster,
            service=name.service,
            since=since,
        ),
        read(
            r.FILTER_LOG_EVENTS,
            read_archive,
            logs,
            group,
            cluster=name.cluster,
            service=name.service,
            since=since,
        ),
    )
    return aws if aws is not None and aws.found else ours
