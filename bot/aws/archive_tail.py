"""CloudWatch Logs: everything new in the event archive (CONTRACT §5) since a cursor.

Watches read the whole group from a point in time, not one service at a time: one
FilterLogEvents query (plus its pages) per account and region serves every watch there, so a
poll costs the same for one watch or a thousand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_logs import CloudWatchLogsClient

# A page holds up to 10,000 events or 1 MB; a poll that finds more reads the rest next time.
MAX_PAGES = 20


@dataclass
class Batch:
    lines: list[str] = field(default_factory=list)
    newest: int | None = None  # the newest event's timestamp, in ms
    found: bool = True  # False: the group does not exist (no archive set up)
    requests: int = 0
    bytes: int = 0
    complete: bool = True  # False: stopped at MAX_PAGES, more is waiting


def read_since(logs: CloudWatchLogsClient, group: str, start: int) -> Batch:
    """The archive's lines timestamped from `start` (ms since the epoch) on."""
    query: dict[str, Any] = {"logGroupName": group, "startTime": start}
    batch = Batch()
    while batch.requests < MAX_PAGES:
        batch.requests += 1
        try:
            response = logs.filter_log_events(**query)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            batch.found = False
            return batch
        for event in response.get("events", []):
            message = event.get("message", "")
            batch.lines.append(message)
            batch.bytes += len(message)
            stamp = event.get("timestamp")
            if stamp is not None and (batch.newest is None or stamp > batch.newest):
                batch.newest = stamp
        if not response.get("nextToken"):
            return batch
        query["nextToken"] = response["nextToken"]
    batch.complete = False
    return batch
