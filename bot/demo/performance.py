"""Container Insights' performance log of the demo's memory failures, as AWS writes it: one
`Task` event a minute per task (and one per container with enhanced observability) in
`/aws/ecs/containerinsights/CLUSTER/performance`, every task of the cluster in the same group.

Only the services whose failure is about memory get events, each stopped task of them that ran
(the service's other endings too: a group holds other tasks' events beside the one diagnosed).
Field names and units follow the reference:
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-reference-performance-logs-ECS.html
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.demo.infrastructure import INSIGHTS, Clients
from bot.demo.launch import launch_type
from bot.demo.specs import ServiceSpec, Stop
from bot.model import Cause

if TYPE_CHECKING:
    from mypy_boto3_ecs.type_defs import ContainerDefinitionTypeDef

_ABOUT_MEMORY = frozenset({Cause.OUT_OF_MEMORY, Cause.HEAP_EXHAUSTED})
_STARTING = 0.35  # of the limit, in the first minute


def performance_group(cluster: str) -> str:
    return f"/aws/ecs/containerinsights/{cluster}/performance"


class Performance:
    """The performance log of one service's tasks, when its cluster has Container Insights
    and its failure is about memory; otherwise writes nothing."""

    def __init__(
        self, clients: Clients, spec: ServiceSpec, container: ContainerDefinitionTypeDef
    ) -> None:
        self.clients, self.spec, self.container = clients, spec, container
        self.cluster = spec.scenario.cluster
        self.mode = INSIGHTS.get(self.cluster)
        task_memory = str(spec.task_definition.get("memory") or "")
        self.task_limit = int(task_memory) if task_memory.isdigit() else None
        self.limit = container.get("memory") or self.task_limit or 512
        self.on = self.mode is not None and spec.scenario.cause in _ABOUT_MEMORY

    def write(self, task_id: str, stop: Stop, started_at: datetime, stopped_at: datetime) -> None:
        """One event a minute (per container too, when enhanced) over the task's life."""
        if not self.on:
            return
        minutes = max(1, int((stopped_at - started_at) / timedelta(minutes=1)))
        used = [self._used(stop, minute, minutes) for minute in range(1, minutes + 1)]
        events = []
        for minute, value in enumerate(used, start=1):
            at = started_at + timedelta(minutes=minute)
            events.append(self._event("Task", task_id, at, value, self.task_limit or self.limit))
            if self.mode == "enhanced":
                events.append(self._event("Container", task_id, at, value, self.limit))
        group, stream = performance_group(self.cluster), f"FargateTelemetry-{task_id}"
        logs = self.clients.logs
        if not logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]:
            logs.create_log_group(logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[
                {"timestamp": int(at.timestamp() * 1000), "message": json.dumps(event)}
                for at, event in events
            ],
        )

    def _used(self, stop: Stop, minute: int, minutes: int) -> float:
        """MiB in use: a climb to the limit for a kill, a runtime's heap for the rest."""
        if self.spec.scenario.cause is Cause.OUT_OF_MEMORY and stop.exit_code == 137:
            share = _STARTING + (0.995 - _STARTING) * minute / minutes
        elif self.spec.scenario.cause is Cause.HEAP_EXHAUSTED:
            share = 0.27 + 0.02 * (minute % 2)  # a 256 MiB heap and the JVM around it
        else:
            share = 0.12
        return round(self.limit * share, 1)

    def _event(
        self, kind: str, task_id: str, at: datetime, used: float, reserved: int
    ) -> tuple[datetime, dict[str, Any]]:
        family = str(self.spec.task_definition["family"])
        event: dict[str, Any] = {
            "Version": "0",
            "Type": kind,
            "TaskId": task_id,
            "TaskDefinitionFamily": family,
            "TaskDefinitionRevision": "1",
            "ServiceName": self.spec.scenario.service,
            "ClusterName": self.cluster,
            "LaunchType": launch_type(self.spec),
            "Timestamp": int(at.timestamp() * 1000),
            "CpuUtilized": 180.0,
            "CpuReserved": 1024.0,
            "MemoryUtilized": used,
            "MemoryReserved": reserved,
        }
        if kind == "Container":
            event |= {"ContainerName": self.container["name"], "ContainerKnownStatus": "RUNNING"}
        return at, event
