"""What ECS shows of a service's launched tasks: how each stopped task ended and when, which
still run or wait to be placed, what their containers logged, which are the load balancer's
targets; and the service events their starts and stops made."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.demo.backend_patch import MotoAccount, TaskState
from bot.demo.infrastructure import Clients
from bot.demo.launch import Launched, launch_type
from bot.demo.performance import Performance
from bot.demo.specs import ServiceSpec, fill_reason
from bot.demo.task_logs import TaskLogs

if TYPE_CHECKING:
    from mypy_boto3_ecs.type_defs import ContainerDefinitionTypeDef

Event = tuple[datetime, str]


class TaskHistory:
    """One service's tasks; `refs` is the builder's, holding the service's deployment id and
    target group by the time its tasks are stopped or kept alive."""

    def __init__(
        self,
        clients: Clients,
        moto: MotoAccount,
        spec: ServiceSpec,
        logs: TaskLogs,
        refs: dict[str, str],
        now: datetime,
    ) -> None:
        self.clients, self.moto, self.spec, self.logs, self.refs = clients, moto, spec, logs, refs
        self.now = now
        self.name, self.cluster = spec.scenario.service, spec.scenario.cluster
        self.container: ContainerDefinitionTypeDef = logs.containers[0]
        self.performance = Performance(clients, spec, self.container)
        self.launch_type = launch_type(spec)
        # The EC2 capacity provider the service's tasks run on, if any.
        self.ec2_capacity_provider = spec.capacity_provider if spec.placement is None else None

    def stop(self, tasks: Sequence[Launched]) -> list[Event]:
        """Give each stopped task its ending, times and logs; returns the service events."""
        events: list[Event] = []
        for index, (task, stop) in enumerate(zip(tasks, self.spec.stops, strict=True)):
            stopped_at = self.now - timedelta(minutes=2 + index * self.spec.minutes_between_stops)
            started_at = None if stop.ran is None else stopped_at - stop.ran
            created_at = (started_at or stopped_at) - timedelta(seconds=25 if started_at else 50)
            state = TaskState(
                last_status="STOPPED",
                created_at=created_at,
                started_at=started_at,
                stopped_at=stopped_at,
                stop_code=stop.code,
                stopped_reason=fill_reason(stop.reason, self.refs),
                exit_code=stop.exit_code,
                container_reason=fill_reason(stop.container_reason, self.refs),
                health_status=stop.health,
                availability_zone=task.zone,
                launch_type=self.launch_type,
                capacity_provider=self.ec2_capacity_provider,
                side=None
                if stop.side is None
                else (
                    stop.side.name,
                    stop.side.exit_code,
                    fill_reason(stop.side.reason, self.refs),
                ),
            )
            self.moto.set_task(self.cluster, task.arn, state)
            events.append(self._started_event(created_at, task))
            if stop.code == "ServiceSchedulerInitiated":
                message = (
                    f"(service {self.name}) has stopped 1 running tasks: (task {task.task_id})."
                )
                events.append((stopped_at - timedelta(seconds=10), message))
            if started_at is not None:
                self.logs.write(task.task_id, stop.logs, started_at, stopped_at)
                self.performance.write(task.task_id, stop, started_at, stopped_at)
                if stop.side is not None:
                    self.logs.write(task.task_id, stop.side.logs, started_at, stopped_at, 1)
        return events

    def keep_alive(self, tasks: Sequence[Launched]) -> list[Event]:
        """Make the first `running` tasks RUNNING, and the load balancer's targets, and the rest
        wait in PROVISIONING; returns the service events."""
        events: list[Event] = []
        started_at = live_since(self.spec, self.now)
        for index, task in enumerate(tasks):
            if index < self.spec.running:
                state = TaskState(
                    last_status="RUNNING",
                    created_at=started_at - timedelta(seconds=25),
                    started_at=started_at,
                    health_status=_live_health(self.container, self.spec),
                    availability_zone=task.zone,
                    launch_type=self.launch_type,
                )
                self.logs.write(task.task_id, self.spec.running_logs, started_at, self.now)
            else:
                state = TaskState(
                    last_status="PROVISIONING",
                    created_at=self.now - timedelta(minutes=25),
                    availability_zone=task.zone,
                    launch_type=self.launch_type,
                    capacity_provider=self.ec2_capacity_provider,
                )
            self.moto.set_task(self.cluster, task.arn, state)
            events.append(self._started_event(state.created_at, task))
        if self.spec.target_group is not None:
            self._register_targets(tasks[: self.spec.running])
        return events

    def _register_targets(self, tasks: Sequence[Launched]) -> None:
        target_group = self.refs["target_group"]
        ips = [task.private_ip for task in tasks if task.private_ip is not None]
        if not ips:
            return
        port = self.container["portMappings"][0]["containerPort"]
        self.clients.elbv2.register_targets(
            TargetGroupArn=target_group, Targets=[{"Id": ip, "Port": port} for ip in ips]
        )
        if self.spec.target_health is not None:
            for ip in ips:
                self.moto.set_target_health(target_group, ip, *self.spec.target_health)

    def _started_event(self, at: datetime, task: Launched) -> Event:
        return at, f"(service {self.name}) has started 1 tasks: (task {task.task_id})."


def live_since(spec: ServiceSpec, now: datetime) -> datetime:
    """When the live tasks started: replacements after the newest stop, a rolling deployment's
    new tasks before it stopped the old ones, a quiet service's days ago."""
    if spec.new_revision is not None:  # the old revision's tasks, from days ago
        return now - timedelta(days=3)
    if spec.archived_stops:  # replaced after the last archived stop
        return now - timedelta(hours=spec.archived_hours_ago, seconds=-30)
    if not spec.stops:
        return now - timedelta(days=3)
    newest_stop = now - timedelta(minutes=2)
    if spec.previous_revision:
        span = timedelta(minutes=spec.minutes_between_stops * len(spec.stops))
        return newest_stop - span - timedelta(minutes=3)
    return newest_stop + timedelta(seconds=30)


def _live_health(container: ContainerDefinitionTypeDef, spec: ServiceSpec) -> str:
    if "healthCheck" not in container:
        return "UNKNOWN"
    return "HEALTHY" if spec.steady else "UNHEALTHY"
