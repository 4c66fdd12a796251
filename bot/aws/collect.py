"""Collect the facts of one diagnosis: the read graph, composed of the service modules' reads.

Each service module declares its own reads (`ecs`, `logs`, `iam`, `ec2`, `ecr`, `efs`, `elbv2`,
`archive`, `deployments`, `insights`, `upstreams`); this module joins them where one waits for
another's, one small class per join, and `collect_facts` composes the joins: every read starts
as soon as its inputs are known.

- beside DescribeServices, when the target names its cluster (`_first_wave`): what needs only
  the names: ListTasks (then DescribeTasks), the event archive's stops, the deployments
  lineage, the cluster and every managed policy's default version;
- at once, the target being known: the cluster's container instances, the service's capacity
  providers and target groups;
- `_Tasks`: a service's tasks (ListTasks → DescribeTasks, merged with the archive's stops only
  when ECS lists none); once they are known, the log tails of the focus and a few other
  stopped tasks, and whether a stop or a log line points at a platform mismatch; once the
  tails are known, the RDS or ElastiCache resources they say the app could not reach, with
  their security groups;
- `_Before`, what ran before: the service's deployments and its family's revisions at once
  (and the family's newest revisions no deployment holds, as soon as it is listed); once the
  tasks are known too, the last healthy revision (`baseline`);
- `_Definitions`: the task definitions of the service's live deployments at once, those of the
  focus and the stopped tasks once `_Tasks` knows them; once a definition is known, its roles
  (each with its inline and attached policies), log groups, images and EFS file systems; an
  image's manifest only once `_Tasks` says a stop or a log line makes it worth reading
  (`wants_manifest`);
- `_Network`: the subnets with their routes, the security groups and the VPC's endpoints at
  once; the focus task's network interface once `_Tasks` knows it (unless the service gives
  its tasks no public address), the EFS file systems' mount zones once `_Definitions` has
  read them.

How it runs (`bot.aws.graph`): each read is made once, and a failed one, or one still running
at the deadline, returns None and leaves a gap; the rest goes on with what it has. What to
make of the answers (is this a platform mismatch, which revision ran healthy) is the caller's
reasoning, passed in as plain functions: the AWS layer only reads.

The longest chain is four round trips, and only for a role's own policies: DescribeServices →
DescribeTaskDefinition → ListAttachedRolePolicies → GetPolicyVersion (or ListRolePolicies →
GetRolePolicy); an AWS-managed policy's document comes from `bot.aws.managed_policies`. Every
other chain is three at most: ListTasks → DescribeTasks → GetLogEvents starts beside
DescribeServices (the newest revisions no deployment holds are read as soon as the family is
listed, not once a task names one).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError

from bot.archive import DEFAULT_WINDOW, stopped_since
from bot.aws import (
    archive,
    deployments,
    ec2,
    ecr,
    ecs,
    efs,
    elbv2,
    iam,
    insights,
    logs,
    upstreams,
)
from bot.aws.clients import AwsClients, unavailable
from bot.aws.ecs import ClusterIndex, ServiceName, Tasks
from bot.aws.graph import Reads, every_found
from bot.model import (
    ArchiveRead,
    Facts,
    Image,
    LogGroup,
    LogStream,
    Network,
    Role,
    SecurityGroup,
    Service,
    ServiceDeployment,
    Target,
    Task,
    TaskDefinition,
    Upstream,
)
from bot.parse.arns import account_of, name_of

WARM_CLIENTS = ("iam", "logs", "ec2", "elbv2", "ecr")

WantsManifest = Callable[[Iterable[Task], Iterable[LogStream]], bool]
"""Whether stopped tasks or log streams make an image's manifest worth reading."""
DependencyHosts = Callable[[Iterable[LogStream]], Sequence[str]]
"""The hosts the log lines say the app could not reach (RDS and ElastiCache names are read)."""
PickBaseline = Callable[
    [str, Service | None, Sequence[str], Iterable[Task], Sequence[ServiceDeployment]],
    tuple[str, str] | None,
]
"""The last revision before the failing one that ran healthy, and its source, from the
service, its family's revisions, its stops and its deployments."""


def _no_manifest(stopped: Iterable[Task], log_streams: Iterable[LogStream]) -> bool:
    return False


def _no_baseline(*_: object) -> None:
    return None


def _no_hosts(log_streams: Iterable[LogStream]) -> Sequence[str]:
    return ()


def collect_facts(
    target: Target,
    clients: AwsClients,
    *,
    now: datetime,
    pool: Executor,
    timeout: float | None = None,
    archive_group: str | None = None,
    since: timedelta | None = None,
    index: ClusterIndex | None = None,
    wants_manifest: WantsManifest = _no_manifest,
    baseline: PickBaseline = _no_baseline,
    dependency_hosts: DependencyHosts = _no_hosts,
    on_found: Callable[[], None] | None = None,
) -> Facts:
    """Read everything the checks may need about the target.

    A service's stops also come from the event archive `archive_group` (CONTRACT §5): those
    of the window `since` when given, else the last hour's when ECS lists none. `index`
    remembers which cluster holds a service named without one. A multi-platform image's
    manifest is read only when `wants_manifest` says so (ecr:BatchGetImage counts as a pull),
    and the revision `baseline` picks is read for the diff; the RDS and ElastiCache resources at
    the hosts `dependency_hosts` picks from the log tails are read (optional reads); by default
    none of these is.
    `on_found` is called once the target is found, the other reads on their way.

    Raises TargetError when the target does not exist, AwsUnavailable when AWS cannot be
    reached or refuses to say where the target is. Any later failure is a gap in the facts.
    After `timeout` seconds, calls still running are given up as "timed out" gaps.
    The caller must not be one of `pool`'s threads (it waits for the pool's work).
    """
    region = clients.region
    clients.ecs()  # first: every read of the first wave needs it
    # The other clients are made on the pool while the target is looked up (a first
    # diagnosis would otherwise make them one after another between its reads).
    for service in WARM_CLIENTS:
        pool.submit(clients.client, service)
    window = _Window(archive_group, now - (since or DEFAULT_WINDOW), asked=since is not None)

    collected: list[Facts] = []

    async def collect() -> None:
        read = Reads(clients, pool, timeout)
        named = _named(target)
        if named is not None:
            _first_wave(read, named, window)
        try:
            found = await _resolve(target, clients, pool, index)
        except Exception:
            await read.abandon()  # the first wave's reads are of nothing
            raise
        read.start_clock()  # the deadline counts from here
        if on_found is not None:
            on_found()
        # Each join is handed the joins it waits for; none reads anything before `_facts`.
        tasks = _Tasks(read, found, window, wants_manifest, dependency_hosts)
        before = _Before(read, found, tasks, baseline)
        definitions = _Definitions(read, found.service, tasks)
        network = _Network(read, found, tasks, definitions)
        collected.append(
            await _facts(read, found, tasks, before, definitions, network, region, now)
        )

    # The facts are not the task's result: on the main thread (the CLI), asyncio.run reprs its
    # task twice as it ends (3.11's SIGINT handling), which would print the whole Facts (~4 ms).
    asyncio.run(collect())
    return collected[0]


def _named(target: Target) -> ServiceName | None:
    """The service as the user named it, when that says its cluster too."""
    if target.task_id or not target.service or not target.cluster:
        return None
    return ServiceName(name_of(target.cluster), target.service)


def _first_wave(read: Reads, named: ServiceName, window: _Window) -> None:
    """The reads that need only the names start beside DescribeServices: the tasks, the
    archive's stops, the deployments, the cluster and the managed policies' versions. The
    joins find them by the same names once the service is known (a service is found in the
    cluster it was named in, or not at all)."""
    ecs_client = read.clients.ecs()
    ecs.service_tasks(read, ecs_client, named)
    ecs.cluster(read, ecs_client, named.cluster)
    deployments.service_deployments(read, named)
    iam.policy_versions(read)
    if window.group:
        archive.service_stops(read, named, window.group, window.since)


async def _resolve(
    target: Target, clients: AwsClients, pool: Executor, index: ClusterIndex | None
) -> ecs.Found:
    """The target, looked up in a thread of its own (a bare name asks every cluster on the
    pool, which must not wait on itself)."""
    ecs_client = clients.ecs()
    try:
        return await asyncio.to_thread(
            ecs.resolve_target, ecs_client, target, clients.region, pool, index
        )
    except (BotoCoreError, ClientError) as error:
        raise unavailable(error, ecs_client.meta.endpoint_url) from error


async def _facts(
    read: Reads,
    found: ecs.Found,
    tasks: _Tasks,
    before: _Before,
    definitions: _Definitions,
    network: _Network,
    region: str,
    now: datetime,
) -> Facts:
    """The reads that need only the target start here, at once; each of them starts the reads
    that need it as soon as it answers. Facts once everything has answered."""
    once, service, ecs_client = read.once, found.service, read.clients.ecs()
    # The longest chains first: a bounded pool takes the reads in this order.
    by_definition = definitions.all()  # the live revisions now, the tasks' once known
    iam.policy_versions(read)  # for the roles the definitions name
    listed = tasks.all()  # ListTasks → DescribeTasks, merged with the archive's stops
    archived = tasks.archive()
    lineage = before.lineage()  # deployments, the family's revisions
    read_network = once("network", network.collect)  # and the focus task's interface
    cluster = once("cluster", lambda: ecs.read_cluster(read, ecs_client, found))
    providers = once(
        "capacity-providers", lambda: ecs.read_capacity_providers(read, ecs_client, service)
    )
    target_groups = once("target-groups", lambda: elbv2.read_target_groups(read, service))
    streams = once("log-streams", tasks.log_streams)  # once the tasks are known
    memory = once(  # beside the log tails, once the cluster and the tasks are known
        "container-insights",
        lambda: insights.read_insights(read, cluster, _focus(listed), name_of(found.cluster_arn)),
    )
    named = once("upstreams", tasks.upstreams)  # once the log tails are
    baseline = once("baseline", before.baseline)  # once the tasks and lineage are
    once(  # once the family is known
        "recent-revisions", lambda: ecs.read_recent_revisions(read, ecs_client, _listed(found))
    )
    read_definitions = await by_definition
    images = {image.uri: image for d in read_definitions for image in d.images}
    facts = Facts(
        target=Target(
            cluster=name_of(found.cluster_arn),
            service=service.name if service else None,
            task_id=found.task.task_id if found.task else None,
            region=region,
        ),
        region=region,
        account=account_of(found.cluster_arn),
        collected_at=now,
        service=service,
        stopped_tasks=(await listed).stopped,
        running_tasks=(await listed).running,
        task_definitions={d.definition.arn: d.definition for d in _by_arn(read_definitions)},
        cluster=await cluster,
        log_groups=tuple(
            sorted(
                {g for d in read_definitions for g in d.log_groups},
                key=lambda g: (g.name, g.region or ""),
            )
        ),
        log_streams=tuple(sorted(await streams, key=lambda s: s.container)),
        roles=dict(sorted((role.arn, role) for d in read_definitions for role in d.roles)),
        network=await read_network,
        images=tuple(image for _, image in sorted(images.items())),
        target_groups=await target_groups,
        capacity_providers=tuple(sorted(await providers, key=lambda p: p.name)),
        dependencies=await named,
        archive=await archived,
        service_deployments=(await lineage)[0],
        baseline=(await baseline)[0],
        baseline_source=(await baseline)[1],
        container_insights=await memory,
    )
    await read.settled()  # every read started has answered, or given up
    return facts.model_copy(update={"gaps": read.gaps})


class _Window:
    """Which stopped tasks count: those since `since`, from ECS and the archive `group`."""

    def __init__(self, group: str | None, since: datetime, *, asked: bool) -> None:
        self.group, self.since, self.asked = group, since, asked

    def merge(self, listed: tuple[Task, ...], read: ArchiveRead | None) -> tuple[Task, ...]:
        """ECS's stops (of the window, when one was asked for) and the archive's others; the
        archive's alone only for a window asked for, or when ECS lists none."""
        if self.asked:
            listed = tuple(t for t in listed if stopped_since(t, self.since))
        if read is None or (listed and not self.asked):
            return listed
        known = {t.arn for t in listed}
        return ecs.newest_first((*listed, *(t for t in read.stops if t.arn not in known)))


class _Tasks:
    """The target's tasks: a task target's own; a service's from ListTasks → DescribeTasks,
    merged with the archive's stops of the window (read beside ListTasks). Then the log tails
    of the focus and a few other stopped tasks, and whether any of it points at a platform
    mismatch."""

    def __init__(
        self,
        read: Reads,
        found: ecs.Found,
        window: _Window,
        wants_manifest: WantsManifest,
        dependency_hosts: DependencyHosts,
    ) -> None:
        self.read, self.found, self.window = read, found, window
        self.wants_manifest, self.dependency_hosts = wants_manifest, dependency_hosts
        listed = _listed(found)
        self.name = ServiceName.of(listed) if listed else None
        self.ecs = read.clients.ecs()

    def all(self) -> asyncio.Task[Tasks]:
        return self.read.once("tasks", self._read_tasks)

    async def _read_tasks(self) -> Tasks:
        name, task = self.name, self.found.task
        if name is None:
            return ecs.split_tasks([task] if task else [])
        listed = await ecs.service_tasks(self.read, self.ecs, name)
        if listed.stopped and not self.window.asked:
            return listed  # ECS lists stops: the archive's are not waited for (`merge`)
        stops = self.window.merge(listed.stopped, await self.archive())
        return Tasks(stopped=stops, running=listed.running)

    def archive(self) -> asyncio.Task[ArchiveRead | None]:
        """The archive's stops of the window."""
        return self.read.once("archive", self._read_archive)

    async def _read_archive(self) -> ArchiveRead | None:
        name, group = self.name, self.window.group
        if name is None or not group:
            return None
        return await archive.service_stops(self.read, name, group, self.window.since)

    async def log_streams(self) -> list[LogStream]:
        tasks = await self.all()
        tails = await asyncio.gather(*map(self._tail, tasks.to_tail()))
        return [stream for streams in tails for stream in streams]

    async def upstreams(self) -> tuple[Upstream, ...]:
        """What the log tails say the app could not reach, where RDS or ElastiCache know it."""
        hosts = self.dependency_hosts(await self.read.once("log-streams", self.log_streams))
        return await upstreams.read_upstreams(self.read, hosts) if hosts else ()

    def _tail(self, task: Task) -> asyncio.Task[list[LogStream]]:
        return logs.tail(self.read, task, self._task_definition)

    def _task_definition(self, arn: str) -> asyncio.Task[TaskDefinition | None]:
        return ecs.task_definition(self.read, self.ecs, arn)

    def platform_evidence(self) -> asyncio.Task[bool]:
        return self.read.once("platform-evidence", self._read_platform_evidence)

    async def _read_platform_evidence(self) -> bool:
        """Whether a stop or a log line makes a manifest worth reading, as soon as one does."""
        tasks = await self.all()
        if self.wants_manifest(tasks.stopped, ()):
            return True
        for tail in asyncio.as_completed(list(map(self._tail, tasks.to_tail()))):
            if self.wants_manifest((), await tail):
                return True
        return False


class _Before:
    """What ran before a service's tasks: its deployments and its family's revisions, and,
    once the tasks are known too, the last revision that ran healthy (`baseline`)."""

    def __init__(
        self, read: Reads, found: ecs.Found, tasks: _Tasks, pick_baseline: PickBaseline
    ) -> None:
        self.read, self.service, self.tasks = read, found.service, tasks
        self.pick_baseline = pick_baseline
        self.listed = _listed(found)
        self.ecs = read.clients.ecs()

    def lineage(self) -> asyncio.Task[tuple[tuple[ServiceDeployment, ...], list[str]]]:
        return self.read.once("lineage", self._read_lineage)

    async def _read_lineage(self) -> tuple[tuple[ServiceDeployment, ...], list[str]]:
        service = self.listed
        if service is None:
            return (), []
        found, revisions = await asyncio.gather(
            deployments.service_deployments(self.read, ServiceName.of(service)),
            ecs.family_revisions(self.read, self.ecs, service),
        )
        return found, revisions

    async def baseline(self) -> tuple[TaskDefinition | None, str | None]:
        """The last revision that ran healthy before the focus stopped task's, when known."""
        tasks, (service_deployments, family) = await self.tasks.all(), await self.lineage()
        if self.listed is None or not tasks.stopped:
            return None, None
        archived = await self.tasks.archive()
        found = self.pick_baseline(
            tasks.stopped[0].task_definition_arn,
            self.service,
            family,
            (*tasks.stopped, *(archived.stops if archived else ())),
            service_deployments,
        )
        if found is None:
            return None, None
        # Read for the diff only: what it names is not read unless a task runs it.
        return await ecs.task_definition(self.read, self.ecs, found[0]), found[1]


@dataclass(frozen=True)
class _Definition:
    """A task definition and what it names, as read."""

    definition: TaskDefinition
    roles: tuple[Role, ...]
    log_groups: tuple[LogGroup, ...]
    images: tuple[Image, ...]
    mount_zones: dict[str, tuple[str, ...]]  # EFS file system → the zones it mounts in


class _Definitions:
    """The task definitions the target's tasks run, each with what it names: its roles (each
    with its inline and attached policies), log groups, images and EFS file systems."""

    def __init__(self, read: Reads, service: Service | None, tasks: _Tasks) -> None:
        self.read, self.service, self.tasks = read, service, tasks
        self.ecs = read.clients.ecs()

    def all(self) -> asyncio.Task[list[_Definition]]:
        return self.read.once("definitions", self._read_all)

    async def _read_all(self) -> list[_Definition]:
        """The service's live revisions at once (recent tasks mostly run one of those: a round
        trip less), the focus and stopped tasks' own once the tasks are known."""
        early = [self._definition(arn) for arn in ecs.live_revisions(self.service)]
        tasks = await self.tasks.all()
        focus = (tasks.focus,) if tasks.focus else ()
        later = [self._definition(t.task_definition_arn) for t in (*focus, *tasks.stopped)]
        return await every_found(dict.fromkeys([*early, *later]))

    def _definition(self, arn: str) -> asyncio.Task[_Definition | None]:
        return self.read.once(("definition", arn), lambda: self._read_definition(arn))

    async def _read_definition(self, arn: str) -> _Definition | None:
        """A task definition, then at once its roles, log groups, images and file systems; an
        image's manifest only once a stop or a log line makes it worth reading."""
        definition = await ecs.task_definition(self.read, self.ecs, arn)
        if definition is None:
            return None
        read, evidence = self.read, self.tasks.platform_evidence
        roles = [a for a in (definition.execution_role_arn, definition.task_role_arn) if a]
        file_systems = [v.file_system_id for v in definition.efs_volumes]
        found_roles, groups, images, zones = await asyncio.gather(
            every_found(iam.role(read, role) for role in dict.fromkeys(roles)),
            every_found(logs.log_group(read, s) for s in logs.awslogs_sources(definition)),
            every_found(ecr.image(read, c.image, evidence) for c in definition.containers),
            every_found(efs.mount_zones(read, fs) for fs in dict.fromkeys(file_systems)),
        )
        return _Definition(
            definition, tuple(found_roles), tuple(groups), tuple(images), dict(zones)
        )


class _Network:
    """The target's subnets with their routes, its security groups, the VPC's endpoints, the
    focus task's network interface (once the tasks are known) and the zones its EFS file
    systems mount in (once the task definitions are)."""

    def __init__(
        self, read: Reads, found: ecs.Found, tasks: _Tasks, definitions: _Definitions
    ) -> None:
        self.read, self.service, self.task = read, found.service, found.task
        self.tasks, self.definitions = tasks, definitions

    async def collect(self) -> Network | None:
        """The network, or None when it was not read or any part of it is missing: a route
        table or a security group that could not be read must not look like none at all."""
        service, task = self.service, self.task
        if service and service.subnets:
            subnet_ids, group_ids = list(service.subnets), list(service.security_groups)
        elif task and task.subnet_id:
            subnet_ids, group_ids = [task.subnet_id], []
        else:
            return None
        routed, groups, eni, definitions = await asyncio.gather(
            ec2.read_routed_subnets(self.read, subnet_ids),
            self._security_groups(group_ids),
            self._eni(),
            self.definitions.all(),
        )
        if routed is None or groups is None:
            return None
        subnets, endpoints = routed
        return Network(
            vpc_id=subnets[0].vpc_id if subnets else None,
            subnets=subnets,
            security_groups=tuple(groups),
            vpc_endpoints=endpoints,
            assign_public_ip=service.assign_public_ip if service else None,
            task_has_public_ip=eni.public_ip if eni else None,
            efs_mount_target_zones=dict(
                sorted((fs, zones) for d in definitions for fs, zones in d.mount_zones.items())
            ),
        )

    async def _security_groups(self, group_ids: list[str]) -> list[SecurityGroup] | None:
        """The service's security groups; a task outside a service shows its own only on its
        network interface."""
        if not group_ids and self.service is None:
            eni = await self._eni()
            group_ids = list(eni.security_groups) if eni else []
        return await ec2.read_security_groups(self.read, group_ids)

    def _eni(self) -> asyncio.Task[ec2.Eni | None]:
        return self.read.once("eni", self._read_eni)

    async def _read_eni(self) -> ec2.Eni | None:
        """The focus task's network interface (gone soon after a stop), when it can tell
        something: not for a service that gives its tasks no public address (its groups are
        the service's)."""
        if self.service is not None and self.service.assign_public_ip is False:
            return None
        focus = (await self.tasks.all()).focus
        if focus is None or not focus.eni_id:
            return None
        return await ec2.read_eni(self.read, focus.eni_id)


async def _focus(tasks: asyncio.Task[Tasks]) -> Task | None:
    return (await tasks).focus


def _listed(found: ecs.Found) -> Service | None:
    """The service whose tasks, archive and history are read: a task target reads none."""
    return found.service if found.task is None else None


def _by_arn(definitions: Iterable[_Definition]) -> list[_Definition]:
    return sorted(definitions, key=lambda d: d.definition.arn)
