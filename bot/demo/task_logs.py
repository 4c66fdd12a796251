"""A service's log group and its tasks' container logs, as the awslogs driver writes them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from bot.demo.infrastructure import Clients
from bot.demo.specs import ServiceSpec

if TYPE_CHECKING:
    from mypy_boto3_ecs.type_defs import ContainerDefinitionTypeDef


class TaskLogs:
    """The log group of the service's containers, when it exists (`spec.log_group_exists`)."""

    def __init__(
        self, clients: Clients, spec: ServiceSpec, containers: Sequence[ContainerDefinitionTypeDef]
    ) -> None:
        self.clients, self.containers = clients, containers
        self.group = awslogs_group(containers[0]) if spec.log_group_exists else None

    def create_group(self) -> None:
        if self.group is not None:
            self.clients.logs.create_log_group(logGroupName=self.group)

    def write(
        self, task_id: str, lines: Sequence[str], start: datetime, end: datetime, container: int = 0
    ) -> None:
        """The task's stream of its `container`-th container (`PREFIX/CONTAINER/TASK-ID`),
        lines spread over its life, as the awslogs driver writes one event per line."""
        if self.group is None or not lines:
            return
        definition = self.containers[container]
        options = definition["logConfiguration"].get("options", {})
        stream = f"{options['awslogs-stream-prefix']}/{definition['name']}/{task_id}"
        self.clients.logs.create_log_stream(logGroupName=self.group, logStreamName=stream)
        step = (end - start) / len(lines)
        self.clients.logs.put_log_events(
            logGroupName=self.group,
            logStreamName=stream,
            logEvents=[
                {"timestamp": int((start + step * index).timestamp() * 1000), "message": line}
                for index, line in enumerate(lines)
            ],
        )


def awslogs_group(container: ContainerDefinitionTypeDef) -> str | None:
    """The log group the container's awslogs driver writes to, if it has one."""
    config = container.get("logConfiguration")
    if config is None or config["logDriver"] != "awslogs":
        return None
    return config.get("options", {}).get("awslogs-group")
