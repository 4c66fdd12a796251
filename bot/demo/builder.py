"""Builds one scenario's service on the shared account: its image, log group, task definition
revisions, service, the state and events its service shows, and through `TaskHistory` and the
event archive, its tasks (with their history and logs) and targets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar, cast

from bot.demo.archive import archive_service_stops
from bot.demo.backend_patch import MotoAccount, ServiceState
from bot.demo.images import push_image
from bot.demo.infrastructure import Clients, Infrastructure
from bot.demo.launch import launch_tasks, network_configuration, task_zone
from bot.demo.specs import ServiceSpec
from bot.demo.task_history import Event, TaskHistory, live_since
from bot.demo.task_logs import TaskLogs

if TYPE_CHECKING:
    from mypy_boto3_ecs.type_defs import ContainerDefinitionTypeDef, CreateServiceRequestTypeDef

T = TypeVar("T")

# The deployment that started the tasks a rolling deployment later replaced.
_PREVIOUS_DEPLOYMENT = "ecs-svc/4718340052918573110"


def build_service(
    clients: Clients, moto: MotoAccount, infra: Infrastructure, spec: ServiceSpec, now: datetime
) -> None:
    """Create the service of `spec` and make its tasks, logs and events look as AWS shows them."""
    _ServiceBuilder(clients, moto, infra, spec, now).build()


def fill(value: T, refs: dict[str, str]) -> T:
    """`value` with every `{placeholder}` in its strings replaced from `refs`."""
    if isinstance(value, str):
        return cast(T, value.format_map(refs))
    if isinstance(value, dict):
        return cast(T, {key: fill(item, refs) for key, item in value.items()})
    if isinstance(value, list):
        return cast(T, [fill(item, refs) for item in value])
    return value


class _ServiceBuilder:
    """One service's build; `refs` gains its deployment id and target group once they exist."""

    def __init__(
        self,
        clients: Clients,
        moto: MotoAccount,
        infra: Infrastructure,
        spec: ServiceSpec,
        now: datetime,
    ) -> None:
        self.clients, self.moto, self.infra, self.spec, self.now = clients, moto, infra, spec, now
        self.name, self.cluster = spec.scenario.service, spec.scenario.cluster
        self.task_definition = fill(spec.task_definition, infra.refs)
        containers = cast(
            "Sequence[ContainerDefinitionTypeDef]", self.task_definition["containerDefinitions"]
        )
        self.container = containers[0]
        self.logs = TaskLogs(clients, spec, containers)
        self.refs = dict(infra.refs)

    def build(self) -> None:
        push_image(
            self.clients,
            self.infra.refs["registry"],
            self.container["image"],
            self.spec.pushed_tags,
        )
        self.logs.create_group()
        stopped_revision, current_revision, healthy_revision = self._register_revisions()
        request = _service_request(self.spec, self.infra, self.container, current_revision)
        self.clients.ecs.create_service(**request)
        deployment = self.moto.deployment_id(self.cluster, self.name)
        self.refs["deployment"] = deployment
        if self.spec.target_group is not None:
            self.refs["target_group"] = self.infra.target_groups[self.spec.target_group]

        stopped = launch_tasks(
            self.clients,
            self.infra,
            self.spec,
            stopped_revision,
            len(self.spec.stops),
            self.spec.stopped_hosts or self.spec.hosts,
            _PREVIOUS_DEPLOYMENT if self.spec.previous_revision else deployment,
        )
        live = launch_tasks(
            self.clients,
            self.infra,
            self.spec,
            healthy_revision or current_revision,
            self.spec.running + self.spec.provisioning,
            self.spec.hosts,
            _PREVIOUS_DEPLOYMENT if healthy_revision else deployment,
        )
        history = TaskHistory(self.clients, self.moto, self.spec, self.logs, self.refs, self.now)
        events = history.stop(stopped) + history.keep_alive(live)
        events += _spec_events(self.spec, self.refs, self.now)
        state = _service_state(self.spec, deployment, events, self.now)
        self.moto.set_service(self.cluster, self.name, state)
        if healthy_revision is not None:
            self.moto.add_active_deployment(
                self.cluster,
                self.name,
                _PREVIOUS_DEPLOYMENT,
                healthy_revision,
                running=self.spec.running,
                created_at=live_since(self.spec, self.now) - timedelta(minutes=1),
            )
        archive_service_stops(
            self.clients,
            self.spec,
            self.refs,
            revision=current_revision,
            container=self.container,
            zone=task_zone(self.infra, self.spec),
            logs=self.logs,
            now=self.now,
        )

    def _register_revisions(self) -> tuple[str, str, str | None]:
        """Register the task definition's revisions: the one the stopped tasks ran, the one the
        service runs now, and the healthy one a broken rollout replaced (if any)."""
        register = self.clients.ecs.register_task_definition
        stopped_revision = register(**self.task_definition)["taskDefinition"]["taskDefinitionArn"]
        current_revision = (
            register(**self.task_definition)["taskDefinition"]["taskDefinitionArn"]
            if self.spec.previous_revision
            else stopped_revision
        )
        healthy_revision = None
        if self.spec.new_revision is not None:  # the rollout of a revision that broke it
            healthy_revision = stopped_revision
            new = register(**fill(self.spec.new_revision, self.infra.refs))
            stopped_revision = current_revision = new["taskDefinition"]["taskDefinitionArn"]
        return stopped_revision, current_revision, healthy_revision


def _service_request(
    spec: ServiceSpec,
    infra: Infrastructure,
    container: ContainerDefinitionTypeDef,
    task_definition_arn: str,
) -> CreateServiceRequestTypeDef:
    """CreateService's request: launch type or capacity provider, network, load balancer."""
    request: CreateServiceRequestTypeDef = {
        "cluster": spec.scenario.cluster,
        "serviceName": spec.scenario.service,
        "taskDefinition": task_definition_arn,
        "desiredCount": spec.desired,
    }
    if spec.placement is None:
        request["launchType"] = "EC2"
    else:
        request["networkConfiguration"] = network_configuration(infra, spec.placement)
        if spec.capacity_provider is not None:
            request["capacityProviderStrategy"] = [{"capacityProvider": spec.capacity_provider}]
        else:
            request["launchType"] = "FARGATE"
    if spec.target_group is not None:
        request["loadBalancers"] = [
            {
                "targetGroupArn": infra.target_groups[spec.target_group],
                "containerName": container["name"],
                "containerPort": container["portMappings"][0]["containerPort"],
            }
        ]
    return request


def _spec_events(spec: ServiceSpec, refs: dict[str, str], now: datetime) -> list[Event]:
    """The service events the scenario tells, and a steady service's last word."""
    events = [(now - timedelta(minutes=ago), text.format_map(refs)) for ago, text in spec.events]
    if spec.steady:
        message = f"(service {spec.scenario.service}) has reached a steady state."
        events.append((now - timedelta(minutes=1), message))
    return events


def _service_state(
    spec: ServiceSpec, deployment: str, events: list[Event], now: datetime
) -> ServiceState:
    """What DescribeServices shows: counts, the last 100 events, the rollout's state."""
    if spec.rollout_failed:
        rollout, reason = "FAILED", "ECS deployment circuit breaker: tasks failed to start."
    elif spec.steady:
        rollout, reason = "COMPLETED", f"ECS deployment {deployment} completed."
    else:
        rollout, reason = "IN_PROGRESS", f"ECS deployment {deployment} in progress."
    first = min((at for at, _ in events), default=now - timedelta(days=3))
    return ServiceState(
        running=spec.running,
        pending=spec.provisioning,
        events=tuple(sorted(events, reverse=True)[:100]),  # AWS keeps the last 100
        rollout_state=rollout,
        rollout_state_reason=reason,
        failed_tasks=sum(1 for stop in spec.stops if stop.failure),
        deployed_at=first - timedelta(minutes=1),
        capacity_provider=spec.capacity_provider,
        health_check_grace_period=spec.grace_period,
    )
