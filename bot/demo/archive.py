"""The demo account's event archives: deploy/event-archive.yaml deployed through the emulator's
CloudFormation, AWS's own event capture turned on for one cluster (as the console does it: a
rule delivering the cluster's ECS events to its Container Insights lifecycle group), and ECS
task stops delivered the way AWS delivers them (EventBridge `PutEvents` with `Source: aws.ecs`,
matched by the rules, into their log groups): a service's stops that ECS no longer lists and
only the archives still hold.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.aws.archive import capture_group
from bot.demo.infrastructure import Clients
from bot.demo.launch import launch_type
from bot.demo.specs import ServiceSpec, fill_reason
from bot.demo.task_logs import TaskLogs

if TYPE_CHECKING:
    from mypy_boto3_ecs.type_defs import ContainerDefinitionTypeDef

TEMPLATE = Path(__file__).resolve().parents[2] / "deploy" / "event-archive.yaml"
STACK = "ecs-why-event-archive"


def deploy_event_archive(clients: Clients) -> None:
    """Create the archive stack: the log group, its resource policy and the EventBridge rules."""
    clients.stacks.create_stack(StackName=STACK, TemplateBody=TEMPLATE.read_text())


def turn_on_event_capture(clients: Clients, region: str, account: str, cluster: str) -> None:
    """What the console's "event capture" (Container Insights lifecycle events) sets up for a
    cluster: its log group and an `eventsToLogs…` rule sending the cluster's ECS events there."""
    group = capture_group(cluster)
    clients.logs.create_log_group(logGroupName=group)
    rule = f"eventsToLogs-{cluster}"
    cluster_arn = f"arn:aws:ecs:{region}:{account}:cluster/{cluster}"
    pattern = {"source": ["aws.ecs"], "detail": {"clusterArn": [cluster_arn]}}
    clients.events.put_rule(Name=rule, EventPattern=json.dumps(pattern))
    clients.events.put_targets(
        Rule=rule,
        Targets=[{"Id": "logs", "Arn": f"arn:aws:logs:{region}:{account}:log-group:{group}"}],
    )


@dataclass(frozen=True)
class ArchivedStop:
    """One stop as its "ECS Task State Change" event tells it."""

    task_arn: str
    cluster_arn: str
    task_definition_arn: str
    group: str
    started_by: str
    container: str
    image: str
    created_at: datetime
    started_at: datetime | None
    stopped_at: datetime
    stop_code: str
    stopped_reason: str
    exit_code: int | None
    container_reason: str | None
    launch_type: str
    availability_zone: str


def task_arn(region: str, account: str, cluster: str) -> str:
    return f"arn:aws:ecs:{region}:{account}:task/{cluster}/{uuid.uuid4().hex}"


def archive_service_stops(
    clients: Clients,
    spec: ServiceSpec,
    refs: dict[str, str],
    *,
    revision: str,
    container: ContainerDefinitionTypeDef,
    zone: str,
    logs: TaskLogs,
    now: datetime,
) -> None:
    """The service's stops only the event archive still holds (`spec.archived_stops`), some
    hours ago, with their logs; `refs` holds the service's deployment id."""
    if not spec.archived_stops:
        return
    region, account, cluster = refs["region"], refs["account"], spec.scenario.cluster
    stops = []
    for index, stop in enumerate(spec.archived_stops):
        stopped_at = now - timedelta(
            hours=spec.archived_hours_ago, minutes=index * spec.minutes_between_stops
        )
        started_at = None if stop.ran is None else stopped_at - stop.ran
        arn = task_arn(region, account, cluster)
        stops.append(
            ArchivedStop(
                task_arn=arn,
                cluster_arn=f"arn:aws:ecs:{region}:{account}:cluster/{cluster}",
                task_definition_arn=revision,
                group=f"service:{spec.scenario.service}",
                started_by=refs["deployment"],
                container=container["name"],
                image=container["image"],
                created_at=(started_at or stopped_at) - timedelta(seconds=25),
                started_at=started_at,
                stopped_at=stopped_at,
                stop_code=stop.code,
                stopped_reason=fill_reason(stop.reason, refs) or "",
                exit_code=stop.exit_code,
                container_reason=fill_reason(stop.container_reason, refs),
                launch_type=launch_type(spec),
                availability_zone=zone,
            )
        )
        if started_at is not None:
            logs.write(arn.rsplit("/", 1)[-1], stop.logs, started_at, stopped_at)
    put_stops(clients, stops)


def put_stops(clients: Clients, stops: list[ArchivedStop]) -> None:
    """Each stop as EventBridge receives it from ECS: its STOPPING change, then STOPPED (the
    last one twice, as EventBridge may deliver an event more than once)."""
    entries = [_entry(stop, version) for stop in stops for version in (3, 4, 4)]
    for start in range(0, len(entries), 10):  # PutEvents takes ten entries at a time
        clients.events.put_events(Entries=entries[start : start + 10])


def _entry(stop: ArchivedStop, version: int) -> dict[str, Any]:
    stopped = version == 4
    container: dict[str, Any] = {
        "containerArn": stop.task_arn.replace(":task/", ":container/") + "/" + stop.container,
        "name": stop.container,
        "image": stop.image,
        "lastStatus": "STOPPED" if stopped else "RUNNING",
        "taskArn": stop.task_arn,
    }
    if stop.exit_code is not None:
        container["exitCode"] = stop.exit_code
    if stop.container_reason:
        container["reason"] = stop.container_reason
    detail: dict[str, Any] = {
        "clusterArn": stop.cluster_arn,
        "containers": [container],
        "createdAt": _iso(stop.created_at),
        "desiredStatus": "STOPPED",
        "group": stop.group,
        "lastStatus": "STOPPED" if stopped else "DEACTIVATING",
        "launchType": stop.launch_type,
        "availabilityZone": stop.availability_zone,
        "startedBy": stop.started_by,
        "stopCode": stop.stop_code,
        "stoppedReason": stop.stopped_reason,
        "stoppingAt": _iso(stop.stopped_at - timedelta(seconds=8)),
        "taskArn": stop.task_arn,
        "taskDefinitionArn": stop.task_definition_arn,
        "version": version,
    }
    if stop.started_at is not None:
        detail["startedAt"] = _iso(stop.started_at)
    if stopped:
        detail["stoppedAt"] = _iso(stop.stopped_at)
    return {
        "Source": "aws.ecs",
        "DetailType": "ECS Task State Change",
        "Resources": [stop.task_arn],
        "Detail": json.dumps(detail),
    }


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
