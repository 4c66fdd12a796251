"""The one place that writes to moto's in-process backends.

AWS fills in fields that no API call can set: a stopped task's stop code, reason, timestamps and
exit codes, a service's events and counts, a deployment's rollout state, a target's health, a
container instance's capacity. The demo account sets them here, on the objects moto's server
serialises, so `DescribeTasks`, `DescribeServices`, `DescribeTargetHealth`… answer over HTTP
exactly as AWS would. Everything else is built through the emulator's AWS API.

moto attributes written (moto 5.2):
- ecs `Task`: status (lastStatus), desired_status, stop_code, stopped_reason, created_at,
  pull_started_at, pull_stopped_at, started_at, stopping_at, execution_stopped_at, stopped_at,
  health_status, availability_zone, launch_type, capacity_provider_name, containers (a copy of
  the first for a second container); its `Container`: name, last_status, exitCode, reason,
  health_status, task_arn, container_arn.
- ecs `Service`: running_count, pending_count, events, launch_type, capacity_provider_strategy,
  health_check_grace_period_seconds, and its deployment dict's runningCount, pendingCount,
  failedTasks, rolloutState, rolloutStateReason, createdAt, updatedAt, launchType,
  platformFamily; and a second, ACTIVE deployment dict for a rollout in progress.
- ecs `ContainerInstance`: registered_resources and remaining_resources (CPU, MEMORY).
- ecs `Cluster`: running_tasks_count, pending_tasks_count, registered_container_instances_count,
  active_services_count.
- elbv2 `FakeTargetGroup`: health_for (answers a chosen state for chosen targets).
And three settings of moto itself: the ECS task state machine is set to manual, the server's
routing table of moto modules is computed once, and ListTasks keeps to the service a
`serviceName` names, as AWS does (moto lists the whole cluster's tasks).
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from moto import backends as moto_backends
from moto.ecs.models import EC2ContainerServiceBackend, Task, ecs_backends
from moto.elbv2.models import FakeHealthStatus, elbv2_backends
from moto.moto_api import state_manager


def prepare_emulator() -> None:
    """Make this process's moto keep the demo's task states, and answer requests faster."""
    # Each DescribeTasks would otherwise move a task one lifecycle state (RUNNING -> STOPPED).
    state_manager.set_transition("ecs::task", {"progression": "manual", "times": 10**9})
    # moto's server lists its package directory on every request to route it (~3 ms, a third
    # of the demo's build time); the listing cannot change while the process runs.
    modules = tuple(moto_backends.list_of_moto_modules())
    moto_backends.list_of_moto_modules = lambda: modules
    # Without it, a service's DescribeTasks names the cluster's last 100 tasks, which moto
    # matches against every task it holds: ~85 ms of the emulator's time on a cold CLI run.
    EC2ContainerServiceBackend.list_tasks = _list_service_tasks  # type: ignore[method-assign,assignment]


_moto_list_tasks = EC2ContainerServiceBackend.list_tasks


def _list_service_tasks(
    backend: EC2ContainerServiceBackend,
    cluster_str: str | None = None,
    container_instance: str | None = None,
    family: str | None = None,
    started_by: str | None = None,
    service_name: str | None = None,
    desiredStatus: str | None = None,  # noqa: N803 - moto's own name
) -> list[Task]:
    """moto's ListTasks, then only the tasks of the service named (moto is given the name but
    does not filter on it)."""
    tasks = _moto_list_tasks(
        backend, cluster_str, container_instance, family, started_by, service_name, desiredStatus
    )
    group = f"service:{service_name}"
    return [t for t in tasks if t.group == group] if service_name else tasks


@dataclass(frozen=True)
class TaskState:
    """What AWS shows for one task; `started_at` is None for a task that never started."""

    last_status: str  # PROVISIONING | RUNNING | STOPPED
    created_at: datetime
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    stop_code: str | None = None
    stopped_reason: str | None = None
    exit_code: int | None = None
    container_reason: str | None = None
    health_status: str = "UNKNOWN"  # HEALTHY | UNHEALTHY | UNKNOWN (no container health check)
    availability_zone: str | None = None
    launch_type: str = "FARGATE"
    capacity_provider: str | None = None  # an EC2 capacity provider's name
    # A second container (name, exit code, reason): moto makes one container per task only.
    side: tuple[str, int | None, str | None] | None = None


@dataclass(frozen=True)
class ServiceState:
    running: int
    pending: int
    events: tuple[tuple[datetime, str], ...]  # newest first, as AWS returns them
    rollout_state: str  # COMPLETED | IN_PROGRESS | FAILED
    rollout_state_reason: str
    failed_tasks: int
    deployed_at: datetime
    capacity_provider: str | None = None  # e.g. FARGATE_SPOT (moto drops the strategy)
    health_check_grace_period: int | None = None  # moto drops it too


class MotoAccount:
    """Handles on moto's backends for one account and region of this process: where moto keeps
    each object, and the backends' own operations; what the fields say is written below."""

    def __init__(self, account_id: str, region: str) -> None:
        self._ecs: Any = ecs_backends[account_id][region]
        self._elbv2: Any = elbv2_backends[account_id][region]

    def deployment_id(self, cluster: str, service: str) -> str:
        """The id (`ecs-svc/…`) moto gave the service's primary deployment."""
        return str(self._service(cluster, service).deployments[0]["id"])

    def set_task(self, cluster: str, task_arn: str, state: TaskState) -> None:
        task = self._ecs.tasks[cluster][task_arn]
        if state.last_status == "STOPPED":
            # moto's own StopTask releases the container instance's CPU, memory and ports.
            self._ecs.stop_task(cluster, task_arn, state.stopped_reason or "")
        _write_task(task, task_arn, state)

    def set_service(self, cluster: str, service: str, state: ServiceState) -> None:
        _write_service(self._service(cluster, service), state)

    def add_active_deployment(
        self,
        cluster: str,
        service: str,
        deployment_id: str,
        task_definition_arn: str,
        *,
        running: int,
        created_at: datetime,
    ) -> None:
        """The deployment a rollout replaces: ACTIVE, still running the old revision's tasks
        (moto's UpdateService keeps one deployment only)."""
        deployments = self._service(cluster, service).deployments
        primary = deployments[0]
        primary.update(runningCount=0)
        deployments.append(
            _active_deployment(primary, deployment_id, task_definition_arn, running, created_at)
        )

    def set_instance_capacity(self, cluster: str, instance_arn: str, cpu: int, memory: int) -> None:
        """Registered (and still free) CPU units and MiB, as the instance type gives them."""
        instance = self._ecs.container_instances[cluster][instance_arn.rsplit("/", 1)[-1]]
        for resources in (instance.registered_resources, instance.remaining_resources):
            for resource in resources:
                if resource["name"] == "CPU":
                    resource["integerValue"] = cpu
                elif resource["name"] == "MEMORY":
                    resource["integerValue"] = memory

    def refresh_cluster_counts(self) -> None:
        """Recount each cluster's tasks, instances and services from what the backend holds."""
        for name, cluster in self._ecs.clusters.items():
            tasks = self._ecs.tasks.get(name, {}).values()
            statuses = [task.status for task in tasks]
            cluster.running_tasks_count = statuses.count("RUNNING")
            cluster.pending_tasks_count = statuses.count("PENDING") + statuses.count("PROVISIONING")
            cluster.registered_container_instances_count = len(
                self._ecs.container_instances.get(name, {})
            )
            cluster.active_services_count = sum(
                1 for svc in self._ecs.services.values() if svc.cluster_name == name
            )

    def set_target_health(
        self, target_group_arn: str, target_id: str, state: str, reason: str, description: str
    ) -> None:
        """Make DescribeTargetHealth answer `state` for one registered target."""
        group = self._elbv2.target_groups[target_group_arn]
        _override_health(group, target_id, (state, reason, description))

    def _service(self, cluster: str, service: str) -> Any:
        return self._ecs.services[f"{cluster}:{service}"]


def _write_task(task: Any, task_arn: str, state: TaskState) -> None:
    """Set moto's `Task` (after its StopTask, for a stopped one) as AWS shows `state`."""
    if state.last_status == "STOPPED":
        task.stop_code = state.stop_code
    task.status = state.last_status
    task.desired_status = "STOPPED" if state.last_status == "STOPPED" else "RUNNING"
    task.stopped_reason = state.stopped_reason
    task.launch_type = state.launch_type
    task.availability_zone = state.availability_zone
    task.health_status = state.health_status
    task.created_at = state.created_at
    if state.started_at is not None:
        task.pull_started_at = state.created_at + timedelta(seconds=4)
        task.pull_stopped_at = state.started_at - timedelta(seconds=2)
        task.started_at = state.started_at
    elif state.stopped_at is not None:
        task.pull_started_at = state.created_at + timedelta(seconds=4)
    if state.stopped_at is not None:
        task.stopping_at = state.stopped_at - timedelta(seconds=8)
        task.execution_stopped_at = state.stopped_at - timedelta(seconds=3)
        task.stopped_at = state.stopped_at
    container = task.containers[0]
    # moto names a container after its task definition; AWS after the task.
    container.task_arn = task_arn
    container.container_arn = _container_arn(task_arn)
    container.last_status = state.last_status
    container.exitCode = state.exit_code
    container.reason = state.container_reason
    container.health_status = state.health_status
    if state.capacity_provider is not None:
        task.capacity_provider_name = state.capacity_provider
    if state.side is not None:
        name, exit_code, reason = state.side
        side = copy.copy(container)
        side.name = name
        side.container_arn = _container_arn(task_arn)
        side.exitCode = exit_code
        side.reason = reason
        side.health_status = "UNKNOWN"
        task.containers = [container, side]


def _container_arn(task_arn: str) -> str:
    return task_arn.replace(":task/", ":container/") + f"/{uuid.uuid4()}"


def _write_service(svc: Any, state: ServiceState) -> None:
    """Set moto's `Service` and its primary deployment as AWS shows `state`."""
    svc.running_count = state.running
    svc.pending_count = state.pending
    svc.events = [
        {"id": str(uuid.uuid4()), "createdAt": at, "message": message}
        for at, message in state.events
    ]
    svc.health_check_grace_period_seconds = state.health_check_grace_period
    if state.capacity_provider is not None:
        svc.launch_type = None
        svc.capacity_provider_strategy = [
            {"capacityProvider": state.capacity_provider, "weight": 1, "base": 0}
        ]
    deployment = svc.deployments[0]
    deployment.update(
        runningCount=state.running,
        pendingCount=state.pending,
        failedTasks=state.failed_tasks,
        rolloutState=state.rollout_state,
        rolloutStateReason=state.rollout_state_reason,
        createdAt=state.deployed_at,
        updatedAt=state.events[0][0] if state.events else state.deployed_at,
        launchType=svc.launch_type,
        platformFamily="EC2" if svc.launch_type == "EC2" else "FARGATE",  # moto's convention
    )


def _active_deployment(
    primary: dict[str, Any],
    deployment_id: str,
    task_definition_arn: str,
    running: int,
    created_at: datetime,
) -> dict[str, Any]:
    """A copy of the primary deployment dict, as the completed one it replaces."""
    return {
        **primary,
        "id": deployment_id,
        "status": "ACTIVE",
        "taskDefinition": task_definition_arn,
        "runningCount": running,
        "pendingCount": 0,
        "failedTasks": 0,
        "rolloutState": "COMPLETED",
        "rolloutStateReason": f"ECS deployment {deployment_id} completed.",
        "createdAt": created_at,
        "updatedAt": created_at,
    }


def _override_health(group: Any, target_id: str, health: tuple[str, str, str]) -> None:
    """Make moto's target group answer `health` (state, reason, description) for `target_id`,
    and compute the others' as it did."""
    overrides: dict[str, tuple[str, str, str]] = group.__dict__.setdefault("demo_target_health", {})
    overrides[target_id] = health
    if "health_for" in group.__dict__:
        return
    computed = group.health_for

    def health_for(target: dict[str, Any], ec2_backend: Any) -> Any:
        if target["Id"] not in overrides:
            return computed(target, ec2_backend)
        port = group.targets[target["Id"]]["Port"]
        return FakeHealthStatus(
            target["Id"], port, group.health_check_port, *overrides[target["Id"]]
        )

    group.health_for = health_for
