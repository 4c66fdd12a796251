"""Builds one scenario's service on the shared account: its image, log group, task definition,
service, tasks (with their history and logs), targets and events."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import cycle, islice
from typing import TYPE_CHECKING, TypeVar, cast

from bot.demo.archive import ArchivedStop, put_stops, task_arn
from bot.demo.backend_patch import MotoAccount, ServiceState, TaskState
from bot.demo.infrastructure import Clients, Infrastructure
from bot.demo.specs import REASON_LIMIT, ServiceSpec

if TYPE_CHECKING:
    from mypy_boto3_ecs.type_defs import (
        ContainerDefinitionTypeDef,
        CreateServiceRequestTypeDef,
        NetworkConfigurationTypeDef,
        RunTaskRequestTypeDef,
        TaskTypeDef,
    )

T = TypeVar("T")

Event = tuple[datetime, str]

# The deployment that started the tasks a rolling deployment later replaced.
_PREVIOUS_DEPLOYMENT = "ecs-svc/4718340052918573110"


@dataclass(frozen=True)
class _Launched:
    """A task as RunTask/StartTask returned it, with where it runs."""

    arn: str
    private_ip: str | None
    zone: str

    @property
    def task_id(self) -> str:
        return self.arn.rsplit("/", 1)[-1]


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
        self.container = cast(
            "ContainerDefinitionTypeDef", self.task_definition["containerDefinitions"][0]
        )
        self.launch_type = "EC2" if spec.placement is None else "FARGATE"
        self.log_group = _awslogs_group(self.container) if spec.log_group_exists else None
        self.refs = dict(infra.refs)

    def build(self) -> None:
        self._push_image()
        if self.log_group is not None:
            self.clients.logs.create_log_group(logGroupName=self.log_group)
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
        self._create_service(current_revision)
        deployment = self.moto.deployment_id(self.cluster, self.name)
        self.refs["deployment"] = deployment
        if self.spec.target_group is not None:
            self.refs["target_group"] = self.infra.target_groups[self.spec.target_group]

        stopped = self._launch(
            stopped_revision,
            len(self.spec.stops),
            self.spec.stopped_hosts or self.spec.hosts,
            _PREVIOUS_DEPLOYMENT if self.spec.previous_revision else deployment,
        )
        live = self._launch(
            healthy_revision or current_revision,
            self.spec.running + self.spec.provisioning,
            self.spec.hosts,
            _PREVIOUS_DEPLOYMENT if healthy_revision else deployment,
        )
        events = self._stop(stopped) + self._keep_alive(live)
        events += [
            (self.now - timedelta(minutes=ago), text.format_map(self.refs))
            for ago, text in self.spec.events
        ]
        if self.spec.steady:
            message = f"(service {self.name}) has reached a steady state."
            events.append((self.now - timedelta(minutes=1), message))
        self._set_service_state(deployment, events)
        if healthy_revision is not None:
            self.moto.add_active_deployment(
                self.cluster,
                self.name,
                _PREVIOUS_DEPLOYMENT,
                healthy_revision,
                running=self.spec.running,
                created_at=self._live_since() - timedelta(minutes=1),
            )
        self._archive(current_revision)

    def _archive(self, revision: str) -> None:
        """The stops only the event archive still holds, delivered through EventBridge."""
        if not self.spec.archived_stops:
            return
        region, account = self.infra.refs["region"], self.infra.refs["account"]
        zone = self._zone()
        stops = []
        for index, stop in enumerate(self.spec.archived_stops):
            stopped_at = self.now - timedelta(
                hours=self.spec.archived_hours_ago,
                minutes=index * self.spec.minutes_between_stops,
            )
            started_at = None if stop.ran is None else stopped_at - stop.ran
            arn = task_arn(region, account, self.cluster)
            stops.append(
                ArchivedStop(
                    task_arn=arn,
                    cluster_arn=f"arn:aws:ecs:{region}:{account}:cluster/{self.cluster}",
                    task_definition_arn=revision,
                    group=f"service:{self.name}",
                    started_by=self.refs["deployment"],
                    container=self.container["name"],
                    image=self.container["image"],
                    created_at=(started_at or stopped_at) - timedelta(seconds=25),
                    started_at=started_at,
                    stopped_at=stopped_at,
                    stop_code=stop.code,
                    stopped_reason=self._reason(stop.reason) or "",
                    exit_code=stop.exit_code,
                    container_reason=self._reason(stop.container_reason),
                    launch_type=self.launch_type,
                    availability_zone=zone,
                )
            )
            if started_at is not None:
                self._write_logs(_Launched(arn, None, zone), stop.logs, started_at, stopped_at)
        put_stops(self.clients, stops)

    def _zone(self) -> str:
        placement = self.spec.placement
        subnet = placement.subnets[0] if placement else "private-a"  # where the hosts run
        return self.infra.zones[self.infra.subnets[subnet]]

    def _stop(self, tasks: Sequence[_Launched]) -> list[Event]:
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
                stopped_reason=self._reason(stop.reason),
                exit_code=stop.exit_code,
                container_reason=self._reason(stop.container_reason),
                health_status=stop.health,
                availability_zone=task.zone,
                launch_type=self.launch_type,
            )
            self.moto.set_task(self.cluster, task.arn, state)
            events.append(self._started_event(created_at, task))
            if stop.code == "ServiceSchedulerInitiated":
                message = (
                    f"(service {self.name}) has stopped 1 running tasks: (task {task.task_id})."
                )
                events.append((stopped_at - timedelta(seconds=10), message))
            if started_at is not None:
                self._write_logs(task, stop.logs, started_at, stopped_at)
        return events

    def _keep_alive(self, tasks: Sequence[_Launched]) -> list[Event]:
        """Make the first `running` tasks RUNNING and the rest wait in PROVISIONING."""
        events: list[Event] = []
        started_at = self._live_since()
        for index, task in enumerate(tasks):
            if index < self.spec.running:
                state = TaskState(
                    last_status="RUNNING",
                    created_at=started_at - timedelta(seconds=25),
                    started_at=started_at,
                    health_status=self._live_health(),
                    availability_zone=task.zone,
                    launch_type=self.launch_type,
                )
                self._write_logs(task, self.spec.running_logs, started_at, self.now)
            else:
                state = TaskState(
                    last_status="PROVISIONING",
                    created_at=self.now - timedelta(minutes=25),
                    availability_zone=task.zone,
                )
            self.moto.set_task(self.cluster, task.arn, state)
            events.append(self._started_event(state.created_at, task))
        if self.spec.target_group is not None:
            self._register_targets(tasks[: self.spec.running])
        return events

    def _set_service_state(self, deployment: str, events: list[Event]) -> None:
        steady, failed = self.spec.steady, self.spec.rollout_failed
        if failed:
            rollout, reason = "FAILED", "ECS deployment circuit breaker: tasks failed to start."
        elif steady:
            rollout, reason = "COMPLETED", f"ECS deployment {deployment} completed."
        else:
            rollout, reason = "IN_PROGRESS", f"ECS deployment {deployment} in progress."
        first = min((at for at, _ in events), default=self.now - timedelta(days=3))
        state = ServiceState(
            running=self.spec.running,
            pending=self.spec.provisioning,
            events=tuple(sorted(events, reverse=True)[:100]),  # AWS keeps the last 100
            rollout_state=rollout,
            rollout_state_reason=reason,
            failed_tasks=sum(1 for stop in self.spec.stops if stop.failure),
            deployed_at=first - timedelta(minutes=1),
            capacity_provider=self.spec.capacity_provider,
            health_check_grace_period=self.spec.grace_period,
        )
        self.moto.set_service(self.cluster, self.name, state)

    def _reason(self, text: str | None) -> str | None:
        return None if text is None else text.format_map(self.refs)[:REASON_LIMIT]

    def _started_event(self, at: datetime, task: _Launched) -> Event:
        return at, f"(service {self.name}) has started 1 tasks: (task {task.task_id})."

    def _stopped_event(self, task: _Launched) -> str:
        return f"(service {self.name}) has stopped 1 running tasks: (task {task.task_id})."

    def _live_since(self) -> datetime:
        """When the live tasks started: replacements after the newest stop, a rolling
        deployment's new tasks before it stopped the old ones, a quiet service's days ago."""
        if self.spec.new_revision is not None:  # the old revision's tasks, from days ago
            return self.now - timedelta(days=3)
        if self.spec.archived_stops:  # replaced after the last archived stop
            return self.now - timedelta(hours=self.spec.archived_hours_ago, seconds=-30)
        if not self.spec.stops:
            return self.now - timedelta(days=3)
        newest_stop = self.now - timedelta(minutes=2)
        if self.spec.previous_revision:
            span = timedelta(minutes=self.spec.minutes_between_stops * len(self.spec.stops))
            return newest_stop - span - timedelta(minutes=3)
        return newest_stop + timedelta(seconds=30)

    def _live_health(self) -> str:
        if "healthCheck" not in self.container:
            return "UNKNOWN"
        return "HEALTHY" if self.spec.steady else "UNHEALTHY"

    def _push_image(self) -> None:
        """Push the image (or the spec's tags) to its repository when it is in our ECR."""
        registry = self.infra.refs["registry"] + "/"
        image = self.container["image"]
        if not image.startswith(registry):
            return
        repository, tag = image.removeprefix(registry).split(":")
        self.clients.ecr.create_repository(repositoryName=repository)
        for pushed in self.spec.pushed_tags or (tag,):
            manifest = _manifest(repository, pushed)
            self.clients.ecr.put_image(
                repositoryName=repository,
                imageManifest=manifest,
                imageManifestMediaType="application/vnd.docker.distribution.manifest.v2+json",
                imageTag=pushed,
                # ECR names an image by the digest of its manifest
                imageDigest="sha256:" + hashlib.sha256(manifest.encode()).hexdigest(),
            )

    def _create_service(self, task_definition_arn: str) -> None:
        request: CreateServiceRequestTypeDef = {
            "cluster": self.cluster,
            "serviceName": self.name,
            "taskDefinition": task_definition_arn,
            "desiredCount": self.spec.desired,
        }
        if self.spec.placement is None:
            request["launchType"] = "EC2"
        else:
            request["networkConfiguration"] = self._network()
            if self.spec.capacity_provider is not None:
                request["capacityProviderStrategy"] = [
                    {"capacityProvider": self.spec.capacity_provider}
                ]
            else:
                request["launchType"] = "FARGATE"
        if self.spec.target_group is not None:
            request["loadBalancers"] = [
                {
                    "targetGroupArn": self.infra.target_groups[self.spec.target_group],
                    "containerName": self.container["name"],
                    "containerPort": self._container_port(),
                }
            ]
        self.clients.ecs.create_service(**request)

    def _network(self) -> NetworkConfigurationTypeDef:
        placement = self.spec.placement
        assert placement is not None
        return {
            "awsvpcConfiguration": {
                "subnets": [self.infra.subnets[name] for name in placement.subnets],
                "securityGroups": [self.infra.security_groups[placement.security_group]],
                "assignPublicIp": "DISABLED",
            }
        }

    def _launch(
        self, task_definition_arn: str, count: int, hosts: Sequence[str], started_by: str
    ) -> list[_Launched]:
        """Start `count` tasks: RunTask on Fargate, StartTask on the named EC2 hosts in turn."""
        if count == 0:
            return []
        group = f"service:{self.name}"
        if self.spec.placement is None:
            tasks = self.clients.ecs.start_task(
                cluster=self.cluster,
                taskDefinition=task_definition_arn,
                containerInstances=[self.infra.hosts[host] for host in islice(cycle(hosts), count)],
                group=group,
                startedBy=started_by,
            )["tasks"]
            zone = self.infra.zones[self.infra.subnets["private-a"]]  # where the hosts run
            return [_Launched(task["taskArn"], None, zone) for task in tasks]
        request: RunTaskRequestTypeDef = {
            "cluster": self.cluster,
            "taskDefinition": task_definition_arn,
            "count": count,
            "group": group,
            "startedBy": started_by,
            "networkConfiguration": self._network(),
        }
        if self.spec.capacity_provider is not None:
            request["capacityProviderStrategy"] = [
                {"capacityProvider": self.spec.capacity_provider}
            ]
        else:
            request["launchType"] = "FARGATE"
        tasks = self.clients.ecs.run_task(**request)["tasks"]
        # moto places an awsvpc task in the first subnet
        zone = self.infra.zones[self.infra.subnets[self.spec.placement.subnets[0]]]
        return [_Launched(task["taskArn"], _private_ip(task), zone) for task in tasks]

    def _write_logs(
        self, task: _Launched, lines: Sequence[str], start: datetime, end: datetime
    ) -> None:
        """The container's awslogs stream (`PREFIX/CONTAINER/TASK-ID`), lines spread over its
        life, as the awslogs driver writes one event per line."""
        if self.log_group is None or not lines:
            return
        options = self.container["logConfiguration"].get("options", {})
        stream = f"{options['awslogs-stream-prefix']}/{self.container['name']}/{task.task_id}"
        self.clients.logs.create_log_stream(logGroupName=self.log_group, logStreamName=stream)
        step = (end - start) / len(lines)
        self.clients.logs.put_log_events(
            logGroupName=self.log_group,
            logStreamName=stream,
            logEvents=[
                {"timestamp": int((start + step * index).timestamp() * 1000), "message": line}
                for index, line in enumerate(lines)
            ],
        )

    def _register_targets(self, tasks: Sequence[_Launched]) -> None:
        target_group = self.refs["target_group"]
        ips = [task.private_ip for task in tasks if task.private_ip is not None]
        port = self._container_port()
        self.clients.elbv2.register_targets(
            TargetGroupArn=target_group, Targets=[{"Id": ip, "Port": port} for ip in ips]
        )
        if self.spec.target_health is not None:
            for ip in ips:
                self.moto.set_target_health(target_group, ip, *self.spec.target_health)

    def _container_port(self) -> int:
        return self.container["portMappings"][0]["containerPort"]


def _awslogs_group(container: ContainerDefinitionTypeDef) -> str | None:
    config = container.get("logConfiguration")
    if config is None or config["logDriver"] != "awslogs":
        return None
    return config.get("options", {}).get("awslogs-group")


def _private_ip(task: TaskTypeDef) -> str | None:
    for attachment in task.get("attachments", []):
        for detail in attachment.get("details", []):
            if detail.get("name") == "privateIPv4Address":
                return detail.get("value")
    return None


def _manifest(repository: str, tag: str) -> str:
    """A Docker image manifest (schema 2) with stable, per-image digests."""

    def blob(kind: str, size: int) -> dict[str, object]:
        digest = hashlib.sha256(f"{repository}:{tag}:{kind}".encode()).hexdigest()
        media = "container.image.v1+json" if kind == "config" else "image.rootfs.diff.tar.gzip"
        return {
            "mediaType": f"application/vnd.docker.{media}",
            "size": size,
            "digest": f"sha256:{digest}",
        }

    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": blob("config", 7023),
            "layers": [blob("base", 29_126_484), blob("runtime", 48_331_902), blob("app", 912_477)],
        }
    )
