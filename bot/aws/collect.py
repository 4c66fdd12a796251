"""Collect the facts of one diagnosis; every read starts as soon as its inputs are known.

The read graph is the code of `_Graph`: each method awaits exactly what its reads need, so

- at once, the target being known: the cluster, its container instances, the service's
  capacity providers, target groups and network, the task definitions of its live deployments,
  its tasks (ListTasks → DescribeTasks, beside the event archive), what ran before, and every
  managed policy's default version;
- once the tasks are known: the task definitions of the focus and the stopped tasks, the focus
  task's network interface, the log tails of the focus and a few other stopped tasks;
- once a task definition is known: its roles (each with its inline and attached policies),
  log groups, images and EFS file systems;
- once the family is listed: its newest revisions no deployment holds;
- once the tasks and what ran before are known: the last healthy revision (the baseline).

What to make of the answers (is this a platform mismatch, which revision ran healthy) is the
caller's reasoning, passed in as plain functions: the AWS layer only reads.

How it runs: the graph is a coroutine on a private event loop in the caller's thread; each
AWS call runs on `pool` and never waits for anything there, so any pool size works (even one
thread shared by several diagnoses) without deadlock. Each read is made once (`_Reads`), and a
failed one, or one still running at the deadline, returns None and leaves a gap; the rest goes
on with what it has.

The longest chains are four round trips: DescribeServices → DescribeTaskDefinition →
ListAttachedRolePolicies → GetPolicyVersion (every managed policy's default version is listed
at once), and DescribeServices → ListTasks → DescribeTasks → GetLogEvents (the newest revisions
no deployment holds are read as soon as the family is listed, not once a task names one).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine, Hashable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, ParamSpec, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from bot.archive import DEFAULT_WINDOW, stopped_since
from bot.arns import account_of, family_and_revision, name_of
from bot.aws import archive, deployments, ec2, ecr, ecs, efs, elbv2, iam, logs
from bot.aws import reads as r
from bot.aws.clients import AwsClients, gap_from_error, unavailable
from bot.aws.ecs import ClusterIndex
from bot.image_uri import parse_image, registry_of
from bot.model import (
    ArchiveRead,
    CapacityProvider,
    Cluster,
    ContainerInstance,
    Facts,
    Gap,
    Image,
    LogGroup,
    LogStream,
    Network,
    PolicyDocument,
    Role,
    SecurityGroup,
    Service,
    ServiceDeployment,
    Subnet,
    Target,
    TargetGroup,
    Task,
    TaskDefinition,
    runs_on_fargate,
)

P = ParamSpec("P")
R = TypeVar("R")

WARM_CLIENTS = ("iam", "logs", "ec2", "elbv2", "ecr")
RECENT_REVISIONS = 2  # older revisions read before a stopped task is known to run one

WantsManifest = Callable[[Iterable[Task], Iterable[LogStream]], bool]
"""Whether stopped tasks or log streams make an image's manifest worth reading."""
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
) -> Facts:
    """Read everything the checks may need about the target.

    A service's stops also come from the event archive `archive_group` (CONTRACT §5): those
    of the window `since` when given, else the last hour's when ECS lists none. `index`
    remembers which cluster holds a service named without one. A multi-platform image's
    manifest is read only when `wants_manifest` says so (ecr:BatchGetImage counts as a pull),
    and the revision `baseline` picks is read for the diff; by default neither is.

    Raises TargetError when the target does not exist, AwsUnavailable when AWS cannot be
    reached or refuses to say where the target is. Any later failure is a gap in the facts.
    After `timeout` seconds, calls still running are given up as "timed out" gaps.
    The caller must not be one of `pool`'s threads (it waits for the pool's work).
    """
    region = clients.region
    ecs_client = clients.ecs()
    # The other clients are made on the pool while the target is looked up (a first
    # diagnosis would otherwise make them one after another between its reads).
    for service in WARM_CLIENTS:
        pool.submit(clients.client, service)
    try:
        found = ecs.resolve_target(ecs_client, target, region, pool, index)
    except (BotoCoreError, ClientError) as error:
        raise unavailable(error, ecs_client.meta.endpoint_url) from error
    window = _Window(archive_group, now - (since or DEFAULT_WINDOW), asked=since is not None)
    deadline = None if timeout is None else time.monotonic() + timeout

    async def collect() -> Facts:
        graph = _Graph(clients, _Reads(pool, deadline), found, window, wants_manifest, baseline)
        return await graph.facts(region, now)

    return asyncio.run(collect())


class _Reads:
    """Runs each AWS call on the pool, at most once per key; a failure is a gap, not an error.

    Only botocore's errors become gaps: anything else is a bug and propagates.
    """

    def __init__(self, pool: Executor, deadline: float | None) -> None:
        self._pool = pool
        self._deadline = deadline
        self._once: dict[Hashable, asyncio.Task[Any]] = {}
        self._started = 0
        self._failed: list[Gap] = []  # as they fail
        self._timed_out: list[tuple[int, Gap]] = []  # in the order they started

    @property
    def gaps(self) -> tuple[Gap, ...]:
        """What could not be read, each once: failures, then what the deadline cut short."""
        timed_out = [gap for _, gap in sorted(self._timed_out, key=lambda item: item[0])]
        return tuple(dict.fromkeys([*self._failed, *timed_out]))

    def once(self, key: Hashable, make: Callable[[], Coroutine[Any, Any, R]]) -> asyncio.Task[R]:
        """The one task for `key`, started on first use: asked again, the same answer."""
        if key not in self._once:
            self._once[key] = asyncio.ensure_future(make())
        task: asyncio.Task[R] = self._once[key]
        return task

    async def __call__(
        self, read: r.Read, call: Callable[P, R], *args: P.args, **kwargs: P.kwargs
    ) -> R | None:
        """`call` (which makes the AWS call `read`) on the pool; None if it failed, or has not
        answered by the deadline (past it, nothing starts)."""
        self._started += 1
        started = self._started
        remaining = None if self._deadline is None else self._deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            self._timed_out.append((started, _gap(read, "timed out")))
            return None
        running = asyncio.get_running_loop().run_in_executor(
            self._pool, partial(call, *args, **kwargs)
        )
        try:
            await asyncio.wait([running], timeout=remaining)
        finally:
            running.cancel()  # a call not started yet never will be (no-op once done)
        if not running.done() or running.cancelled():
            self._timed_out.append((started, _gap(read, "timed out")))
            return None
        error = running.exception()
        if isinstance(error, BotoCoreError | ClientError):
            self._failed.append(gap_from_error(read.fact, read.action, error))
            return None
        return running.result()

    async def settled(self) -> None:
        """Wait until every task started has finished (its errors, if any, raised here)."""
        while pending := [task for task in self._once.values() if not task.done()]:
            await asyncio.gather(*pending)
        for task in self._once.values():
            task.result()


def _gap(read: r.Read, message: str) -> Gap:
    return Gap(fact=read.fact, action=read.action, message=message)


async def _each(awaitables: Iterable[Awaitable[R | None]]) -> list[R] | None:
    """What each read returned, or None if any failed."""
    found = await asyncio.gather(*awaitables)
    return None if None in found else [f for f in found if f is not None]


async def _all(awaitables: Iterable[Awaitable[R | None]]) -> list[R]:
    """What each read returned, those that failed left out."""
    return [found for found in await asyncio.gather(*awaitables) if found is not None]


@dataclass(frozen=True)
class _Tasks:
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
        return tuple(dict.fromkeys((*focus, *ecs.tasks_to_tail(self.stopped))))


@dataclass(frozen=True)
class _Definition:
    """A task definition and what it names, as read."""

    definition: TaskDefinition
    roles: tuple[Role, ...]
    log_groups: tuple[LogGroup, ...]
    images: tuple[Image, ...]
    mount_zones: dict[str, tuple[str, ...]]  # EFS file system → the zones it mounts in


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


class _Graph:
    """The reads of one diagnosis; each method awaits only what its reads need."""

    def __init__(
        self,
        clients: AwsClients,
        read: _Reads,
        found: ecs.Found,
        window: _Window,
        wants_manifest: WantsManifest,
        baseline: PickBaseline,
    ) -> None:
        self.clients, self.read, self.window = clients, read, window
        self.wants_manifest, self.pick_baseline = wants_manifest, baseline
        self.cluster_arn, self.service, self.task = found.cluster_arn, found.service, found.task
        # Only a service target lists its tasks, reads the archive and what ran before.
        self.listed = found.service if found.task is None else None
        self.ecs = clients.ecs()

    async def facts(self, region: str, now: datetime) -> Facts:
        """The reads that need only the target start here, at once; each of them starts the
        reads that need it as soon as it answers. Facts once everything has answered."""
        once = self.read.once
        # The longest chains first: a bounded pool takes the reads in this order.
        definitions = self._definitions()  # the live revisions now, the tasks' once known
        once("policy-versions", self._policy_versions)  # for the roles the definitions name
        tasks = self._tasks()  # ListTasks → DescribeTasks, merged with the archive's stops
        archived = self._archive()
        lineage = self._lineage()  # what ran before: deployments, the family's revisions
        network = once("network", self._network)  # and the focus task's interface
        cluster = once("cluster", self._cluster)
        providers = once("capacity-providers", self._capacity_providers)
        target_groups = once("target-groups", self._target_groups)
        streams = once("log-streams", self._log_streams)  # once the tasks are known
        baseline = once("baseline", self._baseline)  # once the tasks and lineage are
        once("recent-revisions", self._recent_revisions)  # once the family is known
        read = await definitions
        images = {image.uri: image for d in read for image in d.images}
        facts = Facts(
            target=Target(
                cluster=name_of(self.cluster_arn),
                service=self.service.name if self.service else None,
                task_id=self.task.task_id if self.task else None,
                region=region,
            ),
            region=region,
            account=account_of(self.cluster_arn),
            collected_at=now,
            service=self.service,
            stopped_tasks=(await tasks).stopped,
            running_tasks=(await tasks).running,
            task_definitions={d.definition.arn: d.definition for d in _by_arn(read)},
            cluster=await cluster,
            log_groups=tuple(
                sorted(
                    {g for d in read for g in d.log_groups}, key=lambda g: (g.name, g.region or "")
                )
            ),
            log_streams=tuple(sorted(await streams, key=lambda s: s.container)),
            roles=dict(sorted((role.arn, role) for d in read for role in d.roles)),
            network=await network,
            images=tuple(image for _, image in sorted(images.items())),
            target_groups=await target_groups,
            capacity_providers=tuple(sorted(await providers, key=lambda p: p.name)),
            archive=await archived,
            service_deployments=(await lineage)[0],
            baseline=(await baseline)[0],
            baseline_source=(await baseline)[1],
        )
        await self.read.settled()  # every read started has answered, or given up
        return facts.model_copy(update={"gaps": self.read.gaps})

    # ------------------------------------------------------------------ ECS

    async def _cluster(self) -> Cluster | None:
        cluster, instances = await asyncio.gather(
            self.read(r.DESCRIBE_CLUSTERS, ecs.describe_cluster, self.ecs, self.cluster_arn),
            self._container_instances(),
        )
        return cluster.model_copy(update={"instances": tuple(instances)}) if cluster else None

    async def _container_instances(self) -> list[ContainerInstance]:
        if runs_on_fargate(self.task, self.service):  # no container instances there
            return []
        cluster = self.cluster_arn
        arns = await self.read(
            r.LIST_CONTAINER_INSTANCES, ecs.list_container_instance_arns, self.ecs, cluster
        )
        if not arns:
            return []
        return (
            await self.read(
                r.DESCRIBE_CONTAINER_INSTANCES,
                ecs.describe_container_instances,
                self.ecs,
                cluster,
                arns,
            )
            or []
        )

    async def _capacity_providers(self) -> list[CapacityProvider]:
        """The service's EC2 capacity providers (Fargate's have no settings to read)."""
        providers = self.service.capacity_providers if self.service else ()
        names = [p for p in providers if not p.startswith("FARGATE")]
        if not names:
            return []
        return (
            await self.read(
                r.DESCRIBE_CAPACITY_PROVIDERS, ecs.describe_capacity_providers, self.ecs, names
            )
            or []
        )

    def _tasks(self) -> asyncio.Task[_Tasks]:
        return self.read.once("tasks", self._read_tasks)

    async def _read_tasks(self) -> _Tasks:
        """A task target is that task; a service's tasks are ECS's and the archive's."""
        service = self.listed
        if service is None:
            return _split([self.task] if self.task else [])
        stopped, running = await asyncio.gather(
            *(
                self.read(
                    r.LIST_TASKS,
                    ecs.list_task_arns,
                    self.ecs,
                    service.cluster_arn,
                    service.name,
                    status,
                )
                for status in ("STOPPED", "RUNNING")
            )
        )
        # Stopped tasks first: they are why we are here; running ones fill the rest of the call.
        arns = list(dict.fromkeys([*(stopped or []), *(running or [])]))[: ecs.MAX_DESCRIBE_TASKS]
        described = (
            await self.read(r.DESCRIBE_TASKS, ecs.describe_tasks, self.ecs, self.cluster_arn, arns)
            if arns
            else []
        )
        # moto's ListTasks ignores serviceName: keep only the service's own tasks.
        group = ecs.SERVICE_GROUP_PREFIX + service.name
        listed = _split(t for t in described or [] if t.group == group)
        stops = self.window.merge(listed.stopped, await self._archive())
        return _Tasks(stopped=stops, running=listed.running)

    def _archive(self) -> asyncio.Task[ArchiveRead | None]:
        """The archive's stops of the window, read beside ListTasks."""
        return self.read.once("archive", self._read_archive)

    async def _read_archive(self) -> ArchiveRead | None:
        service, group = self.listed, self.window.group
        if service is None or not group:
            return None
        return await self.read(
            r.FILTER_LOG_EVENTS,
            archive.read_archive,
            self.clients.logs(),
            group,
            cluster=name_of(service.cluster_arn),
            service=service.name,
            since=self.window.since,
        )

    def _lineage(self) -> asyncio.Task[tuple[tuple[ServiceDeployment, ...], list[str]]]:
        """What ran before: the service's deployments and its family's revisions."""
        return self.read.once("lineage", self._read_lineage)

    async def _read_lineage(self) -> tuple[tuple[ServiceDeployment, ...], list[str]]:
        service = self.listed
        if service is None:
            return (), []
        found, revisions = await asyncio.gather(
            self.read(
                r.LIST_SERVICE_DEPLOYMENTS,
                deployments.read_service_deployments,
                self.ecs,
                service.cluster_arn,
                service.name,
            ),
            self._family(),
        )
        return found or (), revisions

    def _family(self) -> asyncio.Task[list[str]]:
        """The family's active revisions, newest first."""
        return self.read.once("family", self._read_family)

    async def _read_family(self) -> list[str]:
        family = family_and_revision(self.listed.task_definition_arn) if self.listed else None
        if family is None:
            return []
        return (
            await self.read(r.LIST_TASK_DEFINITIONS, ecs.list_family_revisions, self.ecs, family[0])
            or []
        )

    async def _recent_revisions(self) -> None:
        """The newest revisions no deployment holds are read as soon as the family is known: a
        stopped task most likely runs one of them, and the last healthy one is among them
        (DescribeTasks and the deployments API would name them a round trip or two later)."""
        live = set(self._live_revisions())
        for arn in [arn for arn in await self._family() if arn not in live][:RECENT_REVISIONS]:
            self._task_definition(arn)

    async def _baseline(self) -> tuple[TaskDefinition | None, str | None]:
        """The last revision that ran healthy before the focus stopped task's, when known."""
        tasks, (service_deployments, family) = await self._tasks(), await self._lineage()
        if self.listed is None or not tasks.stopped:
            return None, None
        archived = await self._archive()
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
        return await self._task_definition(found[0]), found[1]

    # ------------------------------------------------------------------ task definitions

    def _task_definition(self, arn: str) -> asyncio.Task[TaskDefinition | None]:
        return self.read.once(
            ("task-definition", arn),
            lambda: self.read(
                r.DESCRIBE_TASK_DEFINITION, ecs.describe_task_definition, self.ecs, arn
            ),
        )

    def _definitions(self) -> asyncio.Task[list[_Definition]]:
        return self.read.once("definitions", self._read_definitions)

    async def _read_definitions(self) -> list[_Definition]:
        """The service's live revisions at once (recent tasks mostly run one of those: a round
        trip less), the focus and stopped tasks' own once the tasks are known."""
        early = [self._definition(arn) for arn in self._live_revisions()]
        tasks = await self._tasks()
        focus = (tasks.focus,) if tasks.focus else ()
        later = [self._definition(t.task_definition_arn) for t in (*focus, *tasks.stopped)]
        return await _all(dict.fromkeys([*early, *later]))

    def _live_revisions(self) -> list[str]:
        """The revisions of the service and of its live deployments."""
        service = self.service
        if service is None:
            return []
        arns = [service.task_definition_arn, *(d.task_definition_arn for d in service.deployments)]
        return [arn for arn in dict.fromkeys(arns) if arn]

    def _definition(self, arn: str) -> asyncio.Task[_Definition | None]:
        return self.read.once(("definition", arn), lambda: self._read_definition(arn))

    async def _read_definition(self, arn: str) -> _Definition | None:
        """A task definition, then at once its roles, log groups, images and file systems."""
        definition = await self._task_definition(arn)
        if definition is None:
            return None
        roles = [a for a in (definition.execution_role_arn, definition.task_role_arn) if a]
        file_systems = [v.file_system_id for v in definition.efs_volumes]
        found_roles, groups, images, zones = await asyncio.gather(
            _all(map(self._role, dict.fromkeys(roles))),
            _all(map(self._log_group, logs.awslogs_sources(definition))),
            _all(self._image(c.image) for c in definition.containers),
            _all(map(self._mount_zones, dict.fromkeys(file_systems))),
        )
        return _Definition(
            definition, tuple(found_roles), tuple(groups), tuple(images), dict(zones)
        )

    # ------------------------------------------------------------------ logs

    def _log_group(self, source: logs.LogSource) -> asyncio.Task[LogGroup | None]:
        return self.read.once(
            ("log-group", source.group, source.region),
            lambda: self.read(
                r.DESCRIBE_LOG_GROUPS,
                logs.describe_log_group,
                self.clients.logs(source.region),
                source.group,
                source.region,
            ),
        )

    async def _log_streams(self) -> list[LogStream]:
        tasks = await self._tasks()
        tails = await asyncio.gather(*map(self._tail, tasks.to_tail()))
        return [stream for streams in tails for stream in streams]

    def _tail(self, task: Task) -> asyncio.Task[list[LogStream]]:
        return self.read.once(("tail", task.arn), lambda: self._read_tail(task))

    async def _read_tail(self, task: Task) -> list[LogStream]:
        """The end of the task's logs, once its task definition says where they are."""
        definition = await self._task_definition(task.task_definition_arn)
        sources = logs.awslogs_sources(definition) if definition else []
        return await _all(
            self.read(
                r.GET_LOG_EVENTS, logs.tail_log_stream, self.clients.logs(source.region), stream
            )
            for source in sources
            if (stream := logs.stream_of(source, task.task_id)) is not None
        )

    # ------------------------------------------------------------------ IAM

    def _role(self, arn: str) -> asyncio.Task[Role | None]:
        return self.read.once(("role", arn), lambda: self._read_role(arn))

    async def _read_role(self, arn: str) -> Role | None:
        role, inline, managed = await asyncio.gather(
            self.read(r.GET_ROLE, iam.get_role, self.clients.iam(), arn),
            self._inline_policies(arn),
            self._managed_policies(arn),
        )
        return role.model_copy(update={"policies": (*inline, *managed)}) if role else None

    async def _inline_policies(self, role: str) -> list[PolicyDocument]:
        client = self.clients.iam()
        names = await self.read(r.LIST_ROLE_POLICIES, iam.list_inline_policy_names, client, role)
        return await _all(
            self.read(r.GET_ROLE_POLICY, iam.get_inline_policy, client, role, name)
            for name in names or []
        )

    async def _managed_policies(self, role: str) -> list[PolicyDocument]:
        arns = await self.read(
            r.LIST_ATTACHED_ROLE_POLICIES, iam.list_attached_policy_arns, self.clients.iam(), role
        )
        return await _all(map(self._managed_policy, arns or []))

    def _managed_policy(self, arn: str) -> asyncio.Task[PolicyDocument | None]:
        return self.read.once(("policy", arn), lambda: self._read_managed_policy(arn))

    async def _read_managed_policy(self, arn: str) -> PolicyDocument | None:
        """The policy's default version, from the account's list (read at once) or else from
        GetPolicy, then its document."""
        client = self.clients.iam()
        listed = await self.read.once("policy-versions", self._policy_versions)
        version = listed.get(arn) or await self.read(
            r.GET_POLICY, iam.get_default_version_id, client, arn
        )
        if version is None:
            return None
        return await self.read(r.GET_POLICY_VERSION, iam.get_policy_version, client, arn, version)

    async def _policy_versions(self) -> dict[str, str]:
        listed = await self.read(r.LIST_POLICIES, iam.attached_policy_versions, self.clients.iam())
        return listed or {}

    # ------------------------------------------------------------------ ECR

    def _image(self, uri: str) -> asyncio.Task[Image | None]:
        return self.read.once(("image", uri), lambda: self._read_image(uri))

    async def _read_image(self, uri: str) -> Image | None:
        """Whether the image exists; its platforms only if it has several and the evidence
        points at a platform mismatch."""
        image, registry = parse_image(uri), registry_of(uri)
        if registry is None:
            return image
        account, region = registry
        client = self.clients.ecr(region)
        found = await self.read(r.DESCRIBE_IMAGES, ecr.describe_image, client, image, account)
        if found is None:
            return None
        image, multi_platform = found
        if not multi_platform or not await self.read.once("platform-evidence", self._evidence):
            return image
        platforms = await self.read(
            r.BATCH_GET_IMAGE, ecr.image_architectures, client, image, account
        )
        return platforms or image

    async def _evidence(self) -> bool:
        """Whether a stop or a log line makes a manifest worth reading, as soon as one does:
        ecr:BatchGetImage counts as a pull for ECR lifecycle rules (lastRecordedPullTime)."""
        tasks = await self._tasks()
        if self.wants_manifest(tasks.stopped, ()):
            return True
        for tail in asyncio.as_completed(list(map(self._tail, tasks.to_tail()))):
            if self.wants_manifest((), await tail):
                return True
        return False

    # ------------------------------------------------------------------ EC2, EFS

    async def _network(self) -> Network | None:
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
            self._routed_subnets(subnet_ids),
            self._security_groups(group_ids),
            self._eni(),
            self._definitions(),
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

    async def _routed_subnets(
        self, subnet_ids: list[str]
    ) -> tuple[tuple[Subnet, ...], tuple[str, ...]] | None:
        """The subnets with their routes, and their VPCs' endpoints; None if any is missing."""
        client = self.clients.ec2()
        subnets = await self.read(r.DESCRIBE_SUBNETS, ec2.describe_subnets, client, subnet_ids)
        if subnets is None:
            return None
        vpcs = list(dict.fromkeys(s.vpc_id for s in subnets))
        tables, endpoints = await asyncio.gather(
            _each(
                self.read(r.DESCRIBE_ROUTE_TABLES, ec2.describe_route_tables, client, v)
                for v in vpcs
            ),
            _each(
                self.read(r.DESCRIBE_VPC_ENDPOINTS, ec2.describe_vpc_endpoints, client, v)
                for v in vpcs
            ),
        )
        if tables is None or endpoints is None:
            return None
        routed = ec2.with_routes(subnets, [t for found in tables for t in found])
        return routed, tuple(sorted({e for found in endpoints for e in found}))

    async def _security_groups(self, group_ids: list[str]) -> list[SecurityGroup] | None:
        """The service's security groups; a task outside a service shows its own only on its
        network interface."""
        if not group_ids and self.service is None:
            eni = await self._eni()
            group_ids = list(eni.security_groups) if eni else []
        if not group_ids:
            return []
        return await self.read(
            r.DESCRIBE_SECURITY_GROUPS, ec2.describe_security_groups, self.clients.ec2(), group_ids
        )

    def _eni(self) -> asyncio.Task[ec2.Eni | None]:
        return self.read.once("eni", self._read_eni)

    async def _read_eni(self) -> ec2.Eni | None:
        """The focus task's network interface (gone soon after a stop)."""
        focus = (await self._tasks()).focus
        if focus is None or not focus.eni_id:
            return None
        return await self.read(
            r.DESCRIBE_NETWORK_INTERFACES, ec2.describe_eni, self.clients.ec2(), focus.eni_id
        )

    def _mount_zones(self, file_system_id: str) -> asyncio.Task[tuple[str, tuple[str, ...]] | None]:
        return self.read.once(
            ("efs", file_system_id), lambda: self._read_mount_zones(file_system_id)
        )

    async def _read_mount_zones(self, file_system_id: str) -> tuple[str, tuple[str, ...]] | None:
        zones = await self.read(
            r.DESCRIBE_MOUNT_TARGETS,
            efs.describe_mount_target_zones,
            self.clients.efs(),
            file_system_id,
        )
        return None if zones is None else (file_system_id, zones)

    # ------------------------------------------------------------------ ELBv2

    async def _target_groups(self) -> tuple[TargetGroup, ...]:
        balancers = self.service.load_balancers if self.service else ()
        arns = list(dict.fromkeys(lb.target_group_arn for lb in balancers))
        if not arns:
            return ()
        client = self.clients.elbv2()
        groups, health = await asyncio.gather(
            self.read(r.DESCRIBE_TARGET_GROUPS, elbv2.describe_target_groups, client, arns),
            asyncio.gather(
                *(
                    self.read(r.DESCRIBE_TARGET_HEALTH, elbv2.describe_target_health, client, arn)
                    for arn in arns
                )
            ),
        )
        targets = {arn: found for arn, found in zip(arns, health, strict=True) if found is not None}
        return tuple(
            group.model_copy(update={"targets": targets.get(group.arn, ())})
            for group in groups or []
        )


def _split(tasks: Iterable[Task]) -> _Tasks:
    listed = list(tasks)
    return _Tasks(
        stopped=ecs.newest_first(t for t in listed if ecs.is_stopping(t)),
        running=ecs.newest_first(t for t in listed if not ecs.is_stopping(t)),
    )


def _by_arn(definitions: Iterable[_Definition]) -> list[_Definition]:
    return sorted(definitions, key=lambda d: d.definition.arn)
