"""ECS: find the target, then read the service, its tasks, task definitions and cluster.

Calls return `bot.model` types; the `*_from_aws` functions are the pure normalisers.
Botocore errors propagate: the caller decides whether they are fatal or a gap.

Its part of the read graph (the bottom of this module): the cluster with its container
instances, the service's capacity providers, its tasks (ListTasks → DescribeTasks), task
definitions, the family's revisions and the newest of them no deployment holds.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from botocore.exceptions import ClientError

from bot.aws import reads as r
from bot.aws.graph import Reads
from bot.budget import BudgetExhausted
from bot.cache import cache_key
from bot.errors import TargetError, UnknownName
from bot.model import (
    CapacityProvider,
    Cluster,
    ContainerDefinition,
    ContainerInstance,
    ContainerState,
    Dependency,
    Deployment,
    EfsVolume,
    HealthCheck,
    LoadBalancerRef,
    PlacementConstraint,
    PortMapping,
    SecretRef,
    Service,
    ServiceEvent,
    Target,
    Task,
    TaskDefinition,
    runs_on_fargate,
)
from bot.parse.arns import TASK_ARN, family_and_revision, name_of

if TYPE_CHECKING:
    from mypy_boto3_ecs import ECSClient

Raw = dict[str, Any]

SERVICE_GROUP_PREFIX = "service:"
# Log option values under these words may be credentials (splunk-token, apikey, …).
SECRET_OPTION = re.compile(r"token|key|secret|password|passwd|auth|credential", re.IGNORECASE)
MAX_DESCRIBE_TASKS = 100
CLUSTER_INDEX_TTL = 6 * 3600  # a service seldom moves between clusters; a miss corrects it
# A service named without its cluster is looked for in every cluster: 200 clusters at half of
# ECS's rate for service reads take ~15 s, within a diagnosis's 25 s.
SEARCH_PATIENCE = 18.0
SEARCH_RETRY = 0.5  # seconds before a read the budget refused asks again


@dataclass(frozen=True)
class ServiceName:
    """A service as named: all the first wave of reads needs (ListTasks, the archive, the
    deployments, the cluster), known before DescribeServices answers."""

    cluster: str  # the cluster's name
    service: str

    @classmethod
    def of(cls, service: Service) -> ServiceName:
        return cls(name_of(service.cluster_arn), service.name)


@dataclass(frozen=True)
class Found:
    """The resolved target: its cluster, its service (if any) and, for a task target, the task."""

    cluster_arn: str
    service: Service | None
    task: Task | None


# --------------------------------------------------------------------------- target


class Remembers(Protocol):
    """What the index needs of a store: a `Store`, or the CLI's `IndexFile`."""

    def get(self, key: str) -> bytes | None: ...
    def set(self, key: str, value: bytes, ttl: float) -> None: ...


class ClusterIndex:
    """Which cluster holds a service named without one, remembered for hours in `store`: found
    again, it costs one DescribeServices instead of one per cluster. `scope` says which
    account and region (`AwsClients.scope`)."""

    def __init__(self, store: Remembers, scope: str) -> None:
        self._store, self._scope = store, scope

    def _key(self, service: str) -> str:
        return cache_key("cluster-of", self._scope, service)

    def get(self, service: str) -> str | None:
        found = self._store.get(self._key(service))
        return found.decode() if found else None

    def remember(self, service: str, cluster_arn: str) -> None:
        self._store.set(self._key(service), cluster_arn.encode(), CLUSTER_INDEX_TTL)


def resolve_target(
    ecs: ECSClient,
    target: Target,
    region: str,
    pool: Executor,
    index: ClusterIndex | None = None,
) -> Found:
    """Find what the target names, or raise TargetError saying what would be valid.

    A service named without its cluster is looked for in the cluster `index` remembers, and
    in every cluster when it is not (or no longer) there."""
    if target.task_id:
        return _resolve_task(ecs, target, region, pool)
    if not target.service:
        raise TargetError("name a service, cluster/service, or a task ARN")
    if target.cluster:
        with _known_cluster(ecs, target.cluster, region):
            service = describe_service(ecs, target.cluster, target.service)
        if service is None:
            raise TargetError(f"no service named {target.service} in cluster {target.cluster}")
        return Found(cluster_arn=service.cluster_arn, service=service, task=None)
    name = target.service
    known = index.get(name) if index else None
    if known and (service := _describe_known(ecs, known, name)) is not None:
        return Found(cluster_arn=service.cluster_arn, service=service, task=None)
    clusters = list_cluster_arns(ecs)
    deadline = time.monotonic() + SEARCH_PATIENCE
    found = pool.map(lambda arn: _describe_in_turn(ecs, arn, name, deadline), clusters)
    matches = [service for service in found if service is not None]
    if not matches:
        raise UnknownName(
            f"no service named {name} in any cluster of {region}", [name_of(c) for c in clusters]
        )
    if len(matches) > 1:
        raise TargetError(
            f"service {name} is in several clusters: "
            f"{_names(s.cluster_arn for s in matches)}; name one as CLUSTER/{name}"
        )
    if index:
        index.remember(name, matches[0].cluster_arn)
    return Found(cluster_arn=matches[0].cluster_arn, service=matches[0], task=None)


def _describe_in_turn(ecs: ECSClient, cluster: str, name: str, deadline: float) -> Service | None:
    """One cluster of a search over all of them: a search of hundreds of clusters outruns the
    request budget's wait for one read, so a refused read asks again until `deadline`, at
    the budget's pace, instead of failing the whole search."""
    while True:
        try:
            return describe_service(ecs, cluster, name)
        except BudgetExhausted:
            if time.monotonic() >= deadline:
                raise
            time.sleep(SEARCH_RETRY)


def _describe_known(ecs: ECSClient, cluster: str, name: str) -> Service | None:
    """The service in the cluster the index named; None when that cluster is gone too."""
    try:
        return describe_service(ecs, cluster, name)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ClusterNotFoundException":
            raise
        return None


def _resolve_task(ecs: ECSClient, target: Target, region: str, pool: Executor) -> Found:
    task_ref = target.task_id or ""
    cluster = target.cluster
    if task_ref.startswith("arn:"):
        match = TASK_ARN.fullmatch(task_ref)
        if not match:
            raise TargetError(
                f"not a task ARN: {task_ref} (expected arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID)"
            )
        if match["region"] != region:
            raise TargetError(
                f"task {task_ref} is in {match['region']}, not {region}: "
                f"use --region {match['region']}"
            )
        cluster = cluster or match["cluster"]
    if cluster:
        with _known_cluster(ecs, cluster, region):
            tasks = describe_tasks(ecs, cluster, [task_ref])
    else:
        clusters = list_cluster_arns(ecs)
        found = pool.map(lambda arn: describe_tasks(ecs, arn, [task_ref]), clusters)
        tasks = [task for cluster_tasks in found for task in cluster_tasks]
    task_id = name_of(task_ref)
    # moto's DescribeTasks looks in every cluster and matches ids by substring.
    tasks = [task for task in tasks if task.task_id == task_id]
    if cluster:
        tasks = [task for task in tasks if cluster in (task.cluster_arn, name_of(task.cluster_arn))]
    if not tasks:
        where = f"cluster {cluster}" if cluster else f"any cluster of {region}"
        raise TargetError(
            f"no task {task_id} in {where} (stopped tasks stay visible for about an hour)"
        )
    task = tasks[0]
    service = None
    if task.group and task.group.startswith(SERVICE_GROUP_PREFIX):
        name = task.group.removeprefix(SERVICE_GROUP_PREFIX)
        service = describe_service(ecs, task.cluster_arn, name)
    return Found(cluster_arn=task.cluster_arn, service=service, task=task)


@contextmanager
def _known_cluster(ecs: ECSClient, cluster: str, region: str) -> Iterator[None]:
    """Turns ECS's ClusterNotFoundException into an UnknownName that lists the clusters."""
    try:
        yield
    except ClientError as error:
        if error.response["Error"]["Code"] != "ClusterNotFoundException":
            raise
        clusters = [name_of(arn) for arn in list_cluster_arns(ecs)]
        raise UnknownName(f"no cluster named {cluster} in {region}", clusters) from error


def _names(arns: Iterable[str]) -> str:
    return ", ".join(sorted(name_of(arn) for arn in arns)) or "(none)"


# --------------------------------------------------------------------------- calls


def list_cluster_arns(ecs: ECSClient) -> list[str]:
    pages = ecs.get_paginator("list_clusters").paginate()
    return [arn for page in pages for arn in page["clusterArns"]]


def describe_service(ecs: ECSClient, cluster: str, name: str) -> Service | None:
    """The service, or None when the cluster has no (active) service of that name."""
    response: Raw = dict(ecs.describe_services(cluster=cluster, services=[name]))
    services = [s for s in response.get("services", []) if s.get("status") != "INACTIVE"]
    return service_from_aws(services[0]) if services else None


def list_task_arns(ecs: ECSClient, cluster: str, service: str, desired_status: str) -> list[str]:
    """Up to 100 task ARNs of the service with that desired status (one page: newest matter)."""
    response = ecs.list_tasks(
        cluster=cluster,
        serviceName=service,
        desiredStatus=desired_status,  # type: ignore[arg-type]
        maxResults=MAX_DESCRIBE_TASKS,
    )
    return list(response["taskArns"])


def describe_tasks(ecs: ECSClient, cluster: str, arns: list[str]) -> list[Task]:
    response: Raw = dict(ecs.describe_tasks(cluster=cluster, tasks=arns[:MAX_DESCRIBE_TASKS]))
    return [task_from_aws(task) for task in response.get("tasks", [])]


def describe_task_definition(ecs: ECSClient, arn: str) -> TaskDefinition:
    response: Raw = dict(ecs.describe_task_definition(taskDefinition=arn))
    return task_definition_from_aws(response["taskDefinition"])


def list_family_revisions(ecs: ECSClient, family: str) -> list[str]:
    """The family's active revisions, newest first (one page: the recent ones matter)."""
    response = ecs.list_task_definitions(familyPrefix=family, sort="DESC", maxResults=100)
    # familyPrefix matches any family that starts with it.
    arns = response["taskDefinitionArns"]
    return [arn for arn in arns if (found := family_and_revision(arn)) and found[0] == family]


def describe_cluster(ecs: ECSClient, cluster: str) -> Cluster | None:
    response: Raw = dict(ecs.describe_clusters(clusters=[cluster], include=["SETTINGS"]))
    clusters = response.get("clusters", [])
    return cluster_from_aws(clusters[0]) if clusters else None


def list_container_instance_arns(ecs: ECSClient, cluster: str) -> list[str]:
    """Up to 100 container instances: enough to judge capacity, one page."""
    response = ecs.list_container_instances(cluster=cluster, maxResults=100)
    return list(response["containerInstanceArns"])


def describe_container_instances(
    ecs: ECSClient, cluster: str, arns: list[str]
) -> list[ContainerInstance]:
    response: Raw = dict(ecs.describe_container_instances(cluster=cluster, containerInstances=arns))
    return [container_instance_from_aws(i) for i in response.get("containerInstances", [])]


# --------------------------------------------------------------------------- normalisers


def service_from_aws(raw: Raw) -> Service:
    vpc = raw.get("networkConfiguration", {}).get("awsvpcConfiguration", {})
    public_ip = vpc.get("assignPublicIp")
    return Service(
        arn=raw["serviceArn"],
        name=raw["serviceName"],
        cluster_arn=raw["clusterArn"],
        status=raw.get("status", "UNKNOWN"),
        desired=raw.get("desiredCount", 0),
        running=raw.get("runningCount", 0),
        pending=raw.get("pendingCount", 0),
        launch_type=raw.get("launchType") or None,
        capacity_providers=tuple(
            item["capacityProvider"] for item in raw.get("capacityProviderStrategy", [])
        ),
        task_definition_arn=raw.get("taskDefinition", ""),
        deployments=tuple(deployment_from_aws(d) for d in raw.get("deployments", [])),
        events=tuple(
            ServiceEvent(created_at=e.get("createdAt"), message=e.get("message", ""))
            for e in raw.get("events", [])
        ),
        subnets=tuple(vpc.get("subnets", [])),
        security_groups=tuple(vpc.get("securityGroups", [])),
        assign_public_ip=None if public_ip is None else public_ip == "ENABLED",
        load_balancers=tuple(
            LoadBalancerRef(
                target_group_arn=lb["targetGroupArn"],
                container_name=lb.get("containerName", ""),
                container_port=lb.get("containerPort", 0),
            )
            for lb in raw.get("loadBalancers", [])
            if lb.get("targetGroupArn")  # classic load balancers have a name instead
        ),
        health_check_grace_period=raw.get("healthCheckGracePeriodSeconds"),
        placement_constraints=placement_constraints_from_aws(raw),
    )


def deployment_from_aws(raw: Raw) -> Deployment:
    return Deployment(
        id=raw.get("id", ""),
        status=raw.get("status", "UNKNOWN"),
        task_definition_arn=raw.get("taskDefinition", ""),
        desired=raw.get("desiredCount", 0),
        running=raw.get("runningCount", 0),
        pending=raw.get("pendingCount", 0),
        failed_tasks=raw.get("failedTasks", 0),
        rollout_state=raw.get("rolloutState"),
        rollout_state_reason=raw.get("rolloutStateReason"),
        created_at=raw.get("createdAt"),
    )


def task_from_aws(raw: Raw) -> Task:
    eni = _eni_details(raw)
    return Task(
        arn=raw["taskArn"],
        cluster_arn=raw.get("clusterArn", ""),
        task_definition_arn=raw.get("taskDefinitionArn", ""),
        last_status=raw.get("lastStatus", "UNKNOWN"),
        desired_status=raw.get("desiredStatus"),
        group=raw.get("group") or None,
        launch_type=raw.get("launchType") or None,
        capacity_provider=raw.get("capacityProviderName") or None,
        stop_code=raw.get("stopCode") or None,
        stopped_reason=raw.get("stoppedReason") or None,
        created_at=raw.get("createdAt"),
        started_at=raw.get("startedAt"),
        stopping_at=raw.get("stoppingAt"),
        stopped_at=raw.get("stoppedAt"),
        containers=tuple(
            ContainerState(
                name=c.get("name", ""),
                exit_code=c.get("exitCode"),
                reason=c.get("reason") or None,
                last_status=c.get("lastStatus"),
                image=c.get("image"),
                image_digest=c.get("imageDigest"),
            )
            for c in raw.get("containers", [])
        ),
        container_instance_arn=raw.get("containerInstanceArn") or None,
        subnet_id=eni.get("subnetId"),
        private_ip=eni.get("privateIPv4Address"),
        eni_id=eni.get("networkInterfaceId"),
        availability_zone=raw.get("availabilityZone"),
    )


def _eni_details(raw: Raw) -> dict[str, str]:
    for attachment in raw.get("attachments", []):
        if attachment.get("type") == "ElasticNetworkInterface":
            return {d["name"]: d["value"] for d in attachment.get("details", []) if "value" in d}
    return {}


def task_definition_from_aws(raw: Raw) -> TaskDefinition:
    platform = raw.get("runtimePlatform", {})
    return TaskDefinition(
        arn=raw["taskDefinitionArn"],
        family=raw.get("family", ""),
        revision=raw.get("revision", 0),
        network_mode=raw.get("networkMode"),
        requires_compatibilities=tuple(raw.get("requiresCompatibilities", [])),
        cpu=raw.get("cpu"),
        memory=raw.get("memory"),
        execution_role_arn=raw.get("executionRoleArn") or None,
        task_role_arn=raw.get("taskRoleArn") or None,
        cpu_architecture=platform.get("cpuArchitecture"),
        os_family=platform.get("operatingSystemFamily"),
        containers=tuple(container_definition_from_aws(c) for c in raw["containerDefinitions"]),
        efs_volumes=tuple(
            EfsVolume(
                name=v.get("name", ""),
                file_system_id=v["efsVolumeConfiguration"]["fileSystemId"],
                transit_encryption=v["efsVolumeConfiguration"].get("transitEncryption")
                == "ENABLED",
            )
            for v in raw.get("volumes", [])
            if "efsVolumeConfiguration" in v
        ),
        volumes=tuple(v["name"] for v in raw.get("volumes", []) if v.get("name")),
        placement_constraints=placement_constraints_from_aws(raw),
    )


def placement_constraints_from_aws(raw: Raw) -> tuple[PlacementConstraint, ...]:
    """A service's or a task definition's placement constraints, as written."""
    return tuple(
        PlacementConstraint(type=c["type"], expression=c.get("expression") or None)
        for c in raw.get("placementConstraints", [])
        if c.get("type")
    )


def container_definition_from_aws(raw: Raw) -> ContainerDefinition:
    """A container definition without secret values: env names only, secret options hidden."""
    log = raw.get("logConfiguration", {})
    health = raw.get("healthCheck")
    return ContainerDefinition(
        name=raw["name"],
        image=raw.get("image", ""),
        essential=raw.get("essential", True),
        cpu=raw.get("cpu"),
        memory=raw.get("memory"),
        memory_reservation=raw.get("memoryReservation"),
        port_mappings=tuple(
            PortMapping(
                container_port=p["containerPort"],
                host_port=p.get("hostPort"),
                protocol=p.get("protocol", "tcp"),
            )
            for p in raw.get("portMappings", [])
            if "containerPort" in p
        ),
        health_check=None
        if not health
        else HealthCheck(
            command=tuple(health.get("command", [])),
            interval=health.get("interval", 30),
            timeout=health.get("timeout", 5),
            retries=health.get("retries", 3),
            start_period=health.get("startPeriod", 0),
        ),
        log_driver=log.get("logDriver"),
        log_options={
            key: "***" if SECRET_OPTION.search(key) else str(value)
            for key, value in log.get("options", {}).items()
        },
        secrets=tuple(
            SecretRef(name=s["name"], value_from=s["valueFrom"]) for s in raw.get("secrets", [])
        ),
        environment_names=tuple(e["name"] for e in raw.get("environment", []) if "name" in e),
        repository_credentials=raw.get("repositoryCredentials", {}).get("credentialsParameter"),
        entry_point=tuple(raw.get("entryPoint") or ()),
        command=tuple(raw.get("command") or ()),
        user=raw.get("user") or None,
        working_directory=raw.get("workingDirectory") or None,
        environment_files=tuple(f.get("value", "") for f in raw.get("environmentFiles", [])),
        mount_points=tuple(
            f"{m.get('sourceVolume', '')}:{m.get('containerPath', '')}"
            for m in raw.get("mountPoints", [])
        ),
        depends_on=tuple(
            Dependency(container=d["containerName"], condition=d.get("condition", "START"))
            for d in raw.get("dependsOn", [])
            if "containerName" in d
        ),
        gpus=sum(
            int(r["value"])
            for r in raw.get("resourceRequirements", [])
            if r.get("type") == "GPU" and str(r.get("value", "")).isdigit()
        ),
    )


def describe_capacity_providers(ecs: ECSClient, names: list[str]) -> list[CapacityProvider]:
    """The EC2 capacity providers a service names (Fargate's own are not described)."""
    response: Raw = dict(ecs.describe_capacity_providers(capacityProviders=names))
    return [capacity_provider_from_aws(raw) for raw in response.get("capacityProviders", [])]


def capacity_provider_from_aws(raw: Raw) -> CapacityProvider:
    group = raw.get("autoScalingGroupProvider") or {}
    scaling = group.get("managedScaling") or {}
    return CapacityProvider(
        name=raw["name"],
        status=raw.get("status", "ACTIVE"),
        auto_scaling_group_arn=group.get("autoScalingGroupArn"),
        managed_scaling=scaling.get("status") == "ENABLED" if group else None,
        target_capacity=scaling.get("targetCapacity"),
    )


def cluster_from_aws(raw: Raw) -> Cluster:
    return Cluster(
        arn=raw["clusterArn"],
        name=raw.get("clusterName", name_of(raw["clusterArn"])),
        status=raw.get("status", "UNKNOWN"),
        registered_instances=raw.get("registeredContainerInstancesCount", 0),
        running_tasks=raw.get("runningTasksCount", 0),
        container_insights=next(
            (
                s.get("value")
                for s in raw.get("settings", [])
                if s.get("name") == "containerInsights"
            ),
            None,
        ),
    )


def container_instance_from_aws(raw: Raw) -> ContainerInstance:
    registered = _resources(raw.get("registeredResources", []))
    remaining = _resources(raw.get("remainingResources", []))
    # In remainingResources, PORTS lists the host ports already taken (reserved and used).
    ports = _string_set(raw.get("remainingResources", []), "PORTS")
    return ContainerInstance(
        arn=raw["containerInstanceArn"],
        ec2_instance_id=raw.get("ec2InstanceId"),
        status=raw.get("status", "UNKNOWN"),
        agent_connected=raw.get("agentConnected", False),
        registered_cpu=registered.get("CPU", 0),
        registered_memory=registered.get("MEMORY", 0),
        remaining_cpu=remaining.get("CPU", 0),
        remaining_memory=remaining.get("MEMORY", 0),
        used_ports=tuple(sorted(int(p) for p in ports if str(p).isdigit())),
        attributes={
            a["name"]: a.get("value") or "" for a in raw.get("attributes", []) if "name" in a
        },
        registered_gpus=len(_string_set(raw.get("registeredResources", []), "GPU")),
        remaining_gpus=len(_string_set(raw.get("remainingResources", []), "GPU")),
        agent_version=raw.get("versionInfo", {}).get("agentVersion"),
        running_tasks=raw.get("runningTasksCount", 0),
    )


def _string_set(items: list[Raw], name: str) -> list[str]:
    """A STRINGSET resource's members: the host ports taken, the GPU ids."""
    return next((r.get("stringSetValue") or [] for r in items if r.get("name") == name), [])


def _resources(items: list[Raw]) -> dict[str, int]:
    return {r["name"]: int(r.get("integerValue", 0)) for r in items if r.get("type") == "INTEGER"}


def is_stopping(task: Task) -> bool:
    """Stopped, or on its way there (DEACTIVATING … DEPROVISIONING): its stop reason is known."""
    return task.last_status == "STOPPED" or task.desired_status == "STOPPED"


def newest_first(tasks: Iterable[Task]) -> tuple[Task, ...]:
    """Tasks ordered by when they stopped (else stopped being wanted, else were created)."""

    def moment(task: Task) -> float:
        when = task.stopped_at or task.stopping_at or task.created_at
        return when.timestamp() if when else float("-inf")

    return tuple(sorted(tasks, key=moment, reverse=True))


# How many recent stopped tasks' logs are read: two crashes alike in ECS's eyes may still
# differ in their last lines.
MAX_LOG_TAILS = 5


def tasks_to_tail(stopped: Iterable[Task]) -> tuple[Task, ...]:
    """Stopped tasks that ran (those that never started left no logs): first the newest of
    each way they ended (stop code and exit codes), then the others, newest first."""
    ran = [task for task in stopped if task.started_at is not None]
    firsts: dict[tuple[object, ...], Task] = {}
    for task in ran:
        ending = (task.stop_code, *((c.name, c.exit_code) for c in task.containers))
        firsts.setdefault(ending, task)
    ordered = dict.fromkeys([*firsts.values(), *ran])
    return tuple(ordered)[:MAX_LOG_TAILS]


# --------------------------------------------------------------------------- read graph

RECENT_REVISIONS = 2  # older revisions read before a stopped task is known to run one


@dataclass(frozen=True)
class Tasks:
    """A target's tasks as read."""

    stopped: tuple[Task, ...] = ()  # newest first
    running: tuple[Task, ...] = ()

    @property
    def focus(self) -> Task | None:
        """The task the diagnosis centres on, as `Facts.focus_task` will choose it."""
        return (self.stopped or self.running or (None,))[0]

    def to_tail(self) -> tuple[Task, ...]:
        """The tasks whose logs are read: the focus and a few more recent stopped ones (two
        crashes are two stories)."""
        focus = (self.focus,) if self.focus else ()
        return tuple(dict.fromkeys((*focus, *tasks_to_tail(self.stopped))))


def split_tasks(tasks: Iterable[Task]) -> Tasks:
    """Tasks, the stopping ones apart from the running ones, each newest first."""
    listed = list(tasks)
    return Tasks(
        stopped=newest_first(t for t in listed if is_stopping(t)),
        running=newest_first(t for t in listed if not is_stopping(t)),
    )


def cluster(read: Reads, ecs: ECSClient, name: str) -> asyncio.Task[Cluster | None]:
    """The cluster, read once: its name is enough, so this starts beside DescribeServices."""
    return read.once(
        ("cluster", name), lambda: read(r.DESCRIBE_CLUSTERS, describe_cluster, ecs, name)
    )


async def read_cluster(read: Reads, ecs: ECSClient, found: Found) -> Cluster | None:
    """The target's cluster with its container instances."""
    described, instances = await asyncio.gather(
        cluster(read, ecs, name_of(found.cluster_arn)),
        _read_container_instances(read, ecs, found),
    )
    return described.model_copy(update={"instances": tuple(instances)}) if described else None


async def _read_container_instances(
    read: Reads, ecs: ECSClient, found: Found
) -> list[ContainerInstance]:
    if runs_on_fargate(found.task, found.service):  # no container instances there
        return []
    cluster = found.cluster_arn
    arns = await read(r.LIST_CONTAINER_INSTANCES, list_container_instance_arns, ecs, cluster)
    if not arns:
        return []
    return (
        await read(r.DESCRIBE_CONTAINER_INSTANCES, describe_container_instances, ecs, cluster, arns)
        or []
    )


async def read_capacity_providers(
    read: Reads, ecs: ECSClient, service: Service | None
) -> list[CapacityProvider]:
    """The service's EC2 capacity providers (Fargate's have no settings to read)."""
    providers = service.capacity_providers if service else ()
    names = [p for p in providers if not p.startswith("FARGATE")]
    if not names:
        return []
    return await read(r.DESCRIBE_CAPACITY_PROVIDERS, describe_capacity_providers, ecs, names) or []


def service_tasks(read: Reads, ecs: ECSClient, name: ServiceName) -> asyncio.Task[Tasks]:
    """The service's tasks as ECS lists them (ListTasks → DescribeTasks), read once: the
    names are enough, so this starts beside DescribeServices."""
    return read.once(("service-tasks", name), lambda: _read_service_tasks(read, ecs, name))


async def _read_service_tasks(read: Reads, ecs: ECSClient, name: ServiceName) -> Tasks:
    stopped, running = await asyncio.gather(
        *(
            read(r.LIST_TASKS, list_task_arns, ecs, name.cluster, name.service, status)
            for status in ("STOPPED", "RUNNING")
        )
    )
    # Stopped tasks first: they are why we are here; running ones fill the rest of the call.
    arns = list(dict.fromkeys([*(stopped or []), *(running or [])]))[:MAX_DESCRIBE_TASKS]
    described = (
        await read(r.DESCRIBE_TASKS, describe_tasks, ecs, name.cluster, arns) if arns else []
    )
    # moto's ListTasks ignores serviceName: keep only the service's own tasks.
    group = SERVICE_GROUP_PREFIX + name.service
    return split_tasks(t for t in described or [] if t.group == group)


def task_definition(read: Reads, ecs: ECSClient, arn: str) -> asyncio.Task[TaskDefinition | None]:
    """A task definition, read once."""
    return read.once(
        ("task-definition", arn),
        lambda: read(r.DESCRIBE_TASK_DEFINITION, describe_task_definition, ecs, arn),
    )


def live_revisions(service: Service | None) -> list[str]:
    """The revisions of the service and of its live deployments."""
    if service is None:
        return []
    arns = [service.task_definition_arn, *(d.task_definition_arn for d in service.deployments)]
    return [arn for arn in dict.fromkeys(arns) if arn]


def family_revisions(
    read: Reads, ecs: ECSClient, service: Service | None
) -> asyncio.Task[list[str]]:
    """The active revisions of the service's family, newest first, read once."""
    found = family_and_revision(service.task_definition_arn) if service else None
    family = found[0] if found else None
    return read.once(("family", family), lambda: _read_family(read, ecs, family))


async def _read_family(read: Reads, ecs: ECSClient, family: str | None) -> list[str]:
    if family is None:
        return []
    return await read(r.LIST_TASK_DEFINITIONS, list_family_revisions, ecs, family) or []


async def read_recent_revisions(read: Reads, ecs: ECSClient, service: Service | None) -> None:
    """The newest revisions of the service's family that none of its deployments holds are
    read as soon as the family is known: a stopped task most likely runs one of them, and the
    last healthy one is among them (DescribeTasks and the deployments API would name them a
    round trip or two later)."""
    live = set(live_revisions(service))
    revisions = await family_revisions(read, ecs, service)
    for arn in [arn for arn in revisions if arn not in live][:RECENT_REVISIONS]:
        task_definition(read, ecs, arn)
