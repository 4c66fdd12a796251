"""The vocabulary of the demo account's table: what a scenario is and how its service looks.

Strings in task definitions, stopped reasons and service events may hold placeholders that the
builder fills in once the account exists: `{account}`, `{region}`, `{registry}` (the account's
ECR registry host), `{db_secret}`, `{efs}`, `{doomed_instance}`, `{closest_instance}`, and per
service `{deployment}` (its primary deployment id) and `{target_group}` (its target group ARN).
Log lines are never filled in: they are the application's own words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.model import Cause, ServiceState, Status, Step
from bot.reason.state import STATUS_OF

if TYPE_CHECKING:
    from mypy_boto3_ecs.literals import LogDriverType
    from mypy_boto3_ecs.type_defs import (
        ContainerDefinitionTypeDef,
        HealthCheckTypeDef,
        LogConfigurationTypeDef,
        PortMappingTypeDef,
        RegisterTaskDefinitionRequestTypeDef,
        VolumeTypeDef,
    )

# ECS cuts stopped and container reasons at about 255 characters; so does the demo.
REASON_LIMIT = 255


def fill_reason(text: str | None, refs: Mapping[str, str]) -> str | None:
    """A stopped or container reason with its placeholders filled in, cut as ECS cuts it."""
    return None if text is None else text.format_map(refs)[:REASON_LIMIT]


@dataclass(frozen=True)
class Scenario:
    """One service of the demo account and the diagnosis it must get."""

    service: str
    cluster: str
    cause: Cause | None  # None: the service is fine
    step: Step | None  # the checklist step that fails
    evidence: str  # a substring a correct diagnosis quotes
    description: str
    since: timedelta | None = None  # the window it is diagnosed over (`--since`)
    warning: Cause | None = None  # a fault that stopped nothing: shown as a warning only
    extra: bool = False  # a further case of a cause code another service already shows
    # The state its diagnosis must show, where the numbers say more than failing or healthy.
    state: ServiceState | None = None

    @property
    def failure(self) -> bool:
        """Whether its tasks stopped for a failure: stops nobody's mistake caused are none."""
        return self.cause is not None and self.cause not in EXPECTED_STOPS

    @property
    def status(self) -> Status:
        """The status its diagnosis must have."""
        if self.state is not None:
            return STATUS_OF[self.state]
        return "failing" if self.failure else "healthy"


# Stops that are nobody's mistake; the demo's services replaced every one of them.
EXPECTED_STOPS = frozenset(
    {
        Cause.DEPLOYMENT_OR_SCALE_IN,
        Cause.STOPPED_BY_USER,
        Cause.SPOT_INTERRUPTION,
        Cause.INFRASTRUCTURE,
    }
)


@dataclass(frozen=True)
class SideContainer:
    """How a task's second container ended (an init or migration container, a sidecar)."""

    name: str
    exit_code: int | None = None
    reason: str | None = None
    logs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stop:
    """How one stopped task ended, in AWS's words."""

    reason: str
    code: str = "EssentialContainerExited"
    exit_code: int | None = None
    container_reason: str | None = None
    ran: timedelta | None = None  # None: the task never started
    logs: tuple[str, ...] = ()  # what its container wrote, oldest first
    health: str = "UNKNOWN"
    failure: bool = True  # False when the service meant it (deployment, user, Spot, host)
    side: SideContainer | None = None  # the task definition's second container


@dataclass(frozen=True)
class Placement:
    """Where awsvpc tasks run: subnet and security group names of the account."""

    subnets: tuple[str, ...]
    security_group: str


PRIVATE = Placement(("private-a", "private-b"), "app-tasks")


@dataclass(frozen=True)
class ServiceSpec:
    """Everything the builder needs to make one scenario's service and its history."""

    scenario: Scenario
    task_definition: RegisterTaskDefinitionRequestTypeDef
    desired: int = 2
    stops: tuple[Stop, ...] = ()  # newest first
    minutes_between_stops: int = 6
    running: int = 0
    running_logs: tuple[str, ...] = ()
    provisioning: int = 0
    # Fargate tasks get `placement`; EC2 tasks go to these container instances, in turn.
    placement: Placement | None = PRIVATE
    hosts: tuple[str, ...] = ()
    stopped_hosts: tuple[str, ...] = ()  # when the stopped tasks ran elsewhere
    capacity_provider: str | None = None  # e.g. FARGATE_SPOT instead of the launch type
    events: tuple[tuple[int, str], ...] = ()  # (minutes ago, message)
    target_group: str | None = None
    target_health: tuple[str, str, str] | None = None  # state, reason, description
    grace_period: int | None = None
    log_group_exists: bool = True
    previous_revision: bool = False  # stopped tasks ran the revision before the current one
    rollout_failed: bool = False  # the deployment circuit breaker gave up
    pushed_tags: tuple[str, ...] = ()  # tags in the image's ECR repository (default: its own)
    # The stops ran this revision, registered after `task_definition`, which the running tasks
    # still run under the ACTIVE deployment: a rollout that broke the service.
    new_revision: RegisterTaskDefinitionRequestTypeDef | None = None
    # Stops ECS no longer lists, only the event archive holds, this many hours ago.
    archived_stops: tuple[Stop, ...] = ()
    archived_hours_ago: int = 9

    @property
    def steady(self) -> bool:
        """All desired tasks run and none of the recent stops was a failure."""
        return (
            self.running == self.desired
            and self.provisioning == 0
            and not any(stop.failure for stop in self.stops)
        )


def repeat(stop: Stop, times: int) -> tuple[Stop, ...]:
    return (stop,) * times


def role(name: str) -> str:
    return f"arn:aws:iam::{{account}}:role/{name}"


def awslogs(family: str) -> dict[str, str]:
    return {
        "awslogs-group": f"/ecs/{family}",
        "awslogs-region": "{region}",
        "awslogs-stream-prefix": "ecs",
    }


def container(
    name: str,
    image: str,
    *,
    port: int | None = 8080,
    host_port: int | None = None,
    cpu: int = 256,
    memory: int = 512,
    command: list[str] | None = None,
    health_check: HealthCheckTypeDef | None = None,
    log_driver: LogDriverType = "awslogs",
    log_options: dict[str, str] | None = None,
    secrets: dict[str, str] | None = None,
    environment: dict[str, str] | None = None,
    volume: str | None = None,
) -> ContainerDefinitionTypeDef:
    """One essential container logging to `/ecs/NAME` unless told otherwise."""
    logging: LogConfigurationTypeDef = {
        "logDriver": log_driver,
        "options": awslogs(name) if log_options is None else log_options,
    }
    definition: ContainerDefinitionTypeDef = {
        "name": name,
        "image": image,
        "essential": True,
        "cpu": cpu,
        "memory": memory,  # moto's RunTask needs a container-level memory, even on Fargate
        "logConfiguration": logging,
    }
    if port is not None:
        mapping: PortMappingTypeDef = {"containerPort": port, "protocol": "tcp"}
        if host_port is not None:
            mapping["hostPort"] = host_port
        definition["portMappings"] = [mapping]
    if command is not None:
        definition["command"] = command
    if health_check is not None:
        definition["healthCheck"] = health_check
    if secrets:
        definition["secrets"] = [{"name": k, "valueFrom": v} for k, v in secrets.items()]
    if environment:
        definition["environment"] = [{"name": k, "value": v} for k, v in environment.items()]
    if volume is not None:
        definition["mountPoints"] = [{"sourceVolume": volume, "containerPath": f"/srv/{volume}"}]
    return definition


def migration(name: str, image: str, family: str) -> ContainerDefinitionTypeDef:
    """A non-essential container that runs once before the app (its logs go to the app's
    group, under its own name)."""
    definition = container(name, image, port=None, memory=256, log_options=awslogs(family))
    definition["essential"] = False
    definition["command"] = ["alembic", "upgrade", "head"]
    return definition


def fargate_task(
    definition: ContainerDefinitionTypeDef,
    *,
    cpu: str = "256",
    memory: str = "512",
    execution_role: str = "ecsTaskExecutionRole",
    task_role: str | None = None,
    volumes: list[VolumeTypeDef] | None = None,
    side: ContainerDefinitionTypeDef | None = None,
) -> RegisterTaskDefinitionRequestTypeDef:
    """A Fargate task definition (family = container name) for one container, and maybe a
    second one (`side`) that the first waits on."""
    if side is not None:
        definition = definition | {
            "dependsOn": [{"containerName": side["name"], "condition": "SUCCESS"}]
        }
    task: RegisterTaskDefinitionRequestTypeDef = {
        "family": definition["name"],
        "containerDefinitions": [definition] if side is None else [definition, side],
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": cpu,
        "memory": memory,
        "executionRoleArn": role(execution_role),
        "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
    }
    if task_role is not None:
        task["taskRoleArn"] = role(task_role)
    if volumes is not None:
        task["volumes"] = volumes
    return task


def ec2_task(
    definition: ContainerDefinitionTypeDef, *, execution_role: str | None = "ecsTaskExecutionRole"
) -> RegisterTaskDefinitionRequestTypeDef:
    """An EC2 (bridge network) task definition for one container."""
    task: RegisterTaskDefinitionRequestTypeDef = {
        "family": definition["name"],
        "containerDefinitions": [definition],
        "networkMode": "bridge",
        "requiresCompatibilities": ["EC2"],
    }
    if execution_role is not None:
        task["executionRoleArn"] = role(execution_role)
    return task
