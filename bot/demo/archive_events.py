"""ECS events as EventBridge delivers them into the event archive (CONTRACT §5), for the demo's
live incidents, the tests and the benches.

The shapes follow AWS's examples: task state changes
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html), service
actions (…/ecs_service_events.html) and deployment state changes (…/ecs_deployment_events.html).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_logs import CloudWatchLogsClient

ACCOUNT = "123456789012"
# Messages as AWS writes them (quoted in AWS's stopped-task documentation).
ESSENTIAL_EXITED = "Essential container in task exited"
OOM_REASON = "OutOfMemoryError: Container killed due to memory usage"


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _envelope(
    kind: str,
    region: str,
    at: datetime,
    resources: list[str],
    detail: dict[str, Any],
    account: str = ACCOUNT,
) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": kind,
        "source": "aws.ecs",
        "account": account,
        "time": _iso(at).replace(".000Z", "Z"),
        "region": region,
        "resources": resources,
        "detail": detail,
    }


def task_stopped(
    *,
    cluster: str,
    service: str,
    at: datetime,
    exit_code: int | None = 1,
    reason: str | None = None,
    stop_code: str = "EssentialContainerExited",
    stopped_reason: str = ESSENTIAL_EXITED,
    revision: int = 1,
    task_id: str | None = None,
    version: int = 5,
    region: str = "us-east-1",
    account: str = ACCOUNT,
) -> dict[str, Any]:
    """An "ECS Task State Change" of a service's task that reached STOPPED, in `account`."""
    arn = f"arn:aws:ecs:{region}:{account}:task/{cluster}/{task_id or uuid.uuid4().hex}"
    container: dict[str, Any] = {
        "containerArn": f"arn:aws:ecs:{region}:{account}:container/{cluster}/{uuid.uuid4()}",
        "lastStatus": "STOPPED",
        "name": "app",
        "taskArn": arn,
    }
    if exit_code is not None:
        container["exitCode"] = exit_code
    if reason is not None:
        container["reason"] = reason
    detail = {
        "clusterArn": f"arn:aws:ecs:{region}:{account}:cluster/{cluster}",
        "containers": [container],
        "createdAt": _iso(at),
        "desiredStatus": "STOPPED",
        "group": f"service:{service}",
        "launchType": "FARGATE",
        "lastStatus": "STOPPED",
        "startedBy": "ecs-svc/1234567890123456789",
        "stopCode": stop_code,
        "stoppedAt": _iso(at),
        "stoppedReason": stopped_reason,
        "stoppingAt": _iso(at),
        "taskArn": arn,
        "taskDefinitionArn": f"arn:aws:ecs:{region}:{account}:task-definition/{service}:{revision}",
        "updatedAt": _iso(at),
        "version": version,
    }
    return _envelope("ECS Task State Change", region, at, [arn], detail, account)


def service_action(
    *,
    cluster: str,
    service: str,
    at: datetime,
    name: str = "SERVICE_STEADY_STATE",
    reason: str | None = None,
    region: str = "us-east-1",
) -> dict[str, Any]:
    """An "ECS Service Action" (`SERVICE_STEADY_STATE`, `SERVICE_TASK_PLACEMENT_FAILURE`…)."""
    detail: dict[str, Any] = {
        "eventType": "INFO" if name.endswith("STEADY_STATE") else "WARN",
        "eventName": name,
        "clusterArn": f"arn:aws:ecs:{region}:{ACCOUNT}:cluster/{cluster}",
        "createdAt": _iso(at),
    }
    if reason is not None:
        detail["reason"] = reason
    resource = f"arn:aws:ecs:{region}:{ACCOUNT}:service/{cluster}/{service}"
    return _envelope("ECS Service Action", region, at, [resource], detail)


def lines(events: Sequence[dict[str, Any]]) -> list[str]:
    return [json.dumps(event, separators=(",", ":")) for event in events]


def write_events(
    logs: CloudWatchLogsClient, group: str, events: Sequence[dict[str, Any]], *, stream: str
) -> None:
    """Writes events into the archive group the way the EventBridge target does: one log event
    per ECS event, timestamped with the event's time."""
    existing = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    if not any(g.get("logGroupName") == group for g in existing):
        logs.create_log_group(logGroupName=group)
    streams = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix=stream)
    if not any(s.get("logStreamName") == stream for s in streams["logStreams"]):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    batch = sorted(
        (
            {
                "timestamp": int(
                    datetime.fromisoformat(e["time"].replace("Z", "+00:00")).timestamp() * 1000
                ),
                "message": line,
            }
            for e, line in zip(events, lines(events), strict=True)
        ),
        key=lambda item: int(str(item["timestamp"])),
    )
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch)  # type: ignore[arg-type]
