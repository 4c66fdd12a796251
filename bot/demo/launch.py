"""Starting a service's tasks as its scheduler would: RunTask on Fargate (or a capacity
provider), StartTask on named EC2 container instances; and where each task then runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import cycle, islice
from typing import TYPE_CHECKING

from bot.demo.infrastructure import Clients, Infrastructure
from bot.demo.specs import Placement, ServiceSpec

if TYPE_CHECKING:
    from mypy_boto3_ecs.type_defs import (
        NetworkConfigurationTypeDef,
        RunTaskRequestTypeDef,
        TaskTypeDef,
    )

# The subnet the EC2 container instances (and tasks waiting for them) run in.
_HOSTS_SUBNET = "private-a"


@dataclass(frozen=True)
class Launched:
    """A task as RunTask/StartTask returned it, with where it runs."""

    arn: str
    private_ip: str | None
    zone: str

    @property
    def task_id(self) -> str:
        return self.arn.rsplit("/", 1)[-1]


def launch_type(spec: ServiceSpec) -> str:
    """EC2 for tasks on container instances (or an EC2 capacity provider), else FARGATE."""
    return "EC2" if spec.placement is None else "FARGATE"


def network_configuration(
    infra: Infrastructure, placement: Placement
) -> NetworkConfigurationTypeDef:
    """The awsvpc configuration of tasks placed in `placement`'s subnets and security group."""
    return {
        "awsvpcConfiguration": {
            "subnets": [infra.subnets[name] for name in placement.subnets],
            "securityGroups": [infra.security_groups[placement.security_group]],
            "assignPublicIp": "DISABLED",
        }
    }


def launch_tasks(
    clients: Clients,
    infra: Infrastructure,
    spec: ServiceSpec,
    task_definition_arn: str,
    count: int,
    hosts: Sequence[str],
    started_by: str,
) -> list[Launched]:
    """Start `count` tasks of the service: RunTask on Fargate, StartTask on the named EC2 hosts
    in turn."""
    if count == 0:
        return []
    cluster, group = spec.scenario.cluster, f"service:{spec.scenario.service}"
    if spec.placement is None and not hosts:
        # Tasks waiting for an EC2 capacity provider's instances: moto places EC2 tasks
        # only on instances, so they are made as Fargate's, then shown as EC2's.
        tasks = clients.ecs.run_task(
            cluster=cluster,
            taskDefinition=task_definition_arn,
            count=count,
            group=group,
            startedBy=started_by,
            capacityProviderStrategy=[{"capacityProvider": "FARGATE"}],
        )["tasks"]
        return [Launched(task["taskArn"], None, task_zone(infra, spec)) for task in tasks]
    if spec.placement is None:
        tasks = clients.ecs.start_task(
            cluster=cluster,
            taskDefinition=task_definition_arn,
            containerInstances=[infra.hosts[host] for host in islice(cycle(hosts), count)],
            group=group,
            startedBy=started_by,
        )["tasks"]
        return [Launched(task["taskArn"], None, task_zone(infra, spec)) for task in tasks]
    request: RunTaskRequestTypeDef = {
        "cluster": cluster,
        "taskDefinition": task_definition_arn,
        "count": count,
        "group": group,
        "startedBy": started_by,
        "networkConfiguration": network_configuration(infra, spec.placement),
    }
    if spec.capacity_provider is not None:
        request["capacityProviderStrategy"] = [{"capacityProvider": spec.capacity_provider}]
    else:
        request["launchType"] = "FARGATE"
    tasks = clients.ecs.run_task(**request)["tasks"]
    return [Launched(task["taskArn"], _private_ip(task), task_zone(infra, spec)) for task in tasks]


def task_zone(infra: Infrastructure, spec: ServiceSpec) -> str:
    """The availability zone the service's tasks run in: moto places an awsvpc task in its
    first subnet; the EC2 hosts run in one subnet."""
    subnet = spec.placement.subnets[0] if spec.placement else _HOSTS_SUBNET
    return infra.zones[infra.subnets[subnet]]


def _private_ip(task: TaskTypeDef) -> str | None:
    for attachment in task.get("attachments", []):
        for detail in attachment.get("details", []):
            if detail.get("name") == "privateIPv4Address":
                return detail.get("value")
    return None
