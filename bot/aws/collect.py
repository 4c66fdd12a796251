"""Collect the facts of one diagnosis; every read starts as soon as its inputs are known.

How the concurrency works: each AWS call is a leaf that runs on the given pool and never
waits for anything. The caller's thread waits for calls to finish and runs their
continuations, which store results and start the calls that depended on them. So nothing
blocks inside a pool thread (any pool size works, even one shared by several diagnoses,
without deadlock), and the state being collected is touched by one thread only.

The longest chain of dependent calls (a service named without its cluster):
ListClusters → DescribeServices → ListTasks → DescribeTasks → DescribeTaskDefinition (a
stopped task's older revision) → ListAttachedRolePolicies → GetPolicy → GetPolicyVersion.
Beside ListTasks run the event archive's read (the stops wait for it: one round trip) and what
ran before (the service deployments API, three calls in one leaf, and the family's
revisions): only the last healthy revision waits for those.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from bot.archive import DEFAULT_WINDOW, stopped_since
from bot.arns import account_of, name_of
from bot.aws import archive, deployments, ec2, ecr, ecs, efs, elbv2, iam, logs
from bot.aws.clients import AwsClients, gap_from_error, unavailable
from bot.changes import baseline_arn, family_and_revision
from bot.checks.patterns import classify, classify_log
from bot.image_uri import parse_image, registry_of
from bot.model import (
    ArchiveRead,
    CapacityProvider,
    Cause,
    Cluster,
    ContainerInstance,
    Fact,
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
    TargetHealth,
    Task,
    TaskDefinition,
    runs_on_fargate,
)

T = TypeVar("T")

# The reads a Network is made of; the task's own interface only adds whether it has a public IP.
NETWORK_PARTS = frozenset(
    {
        "ec2:DescribeSubnets",
        "ec2:DescribeRouteTables",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeVpcEndpoints",
    }
)


def collect_facts(
    target: Target,
    clients: AwsClients,
    *,
    now: datetime,
    pool: Executor,
    timeout: float | None = None,
    archive_group: str | None = None,
    since: timedelta | None = None,
) -> Facts:
    """Read everything the checks may need about the target.

    A service's stops also come from the event archive `archive_group` (CONTRACT §5): those
    of the window `since` when given, else the last hour's when ECS lists none.

    Raises TargetError when the target does not exist, AwsUnavailable when AWS cannot be
    reached or refuses to say where the target is. Any later failure is a gap in the facts.
    After `timeout` seconds, calls still running are given up as "timed out" gaps.
    The caller must not be one of `pool`'s threads (it waits for the pool's work).
    """
    region = clients.region
    ecs_client = clients.ecs()
    try:
        found = ecs.resolve_target(ecs_client, target, region, pool)
    except (BotoCoreError, ClientError) as error:
        raise unavailable(error, ecs_client.meta.endpoint_url) from error
    window = _Window(archive_group, now - (since or DEFAULT_WINDOW), asked=since is not None)
    collector = _Collector(clients, Flow(pool, timeout), found, window)
    collector.start()
    collector.flow.run()
    return collector.facts(region, now)


class Flow:
    """AWS calls on a pool, their continuations on the caller's thread; failures become gaps."""

    def __init__(self, pool: Executor, timeout: float | None) -> None:
        self._pool = pool
        self._deadline = None if timeout is None else time.monotonic() + timeout
        self._running: dict[Future[Any], tuple[Fact, str, Callable[[Any], None] | None]] = {}
        self._joins: list[tuple[tuple[Future[Any], ...], Callable[[], None]]] = []
        self.gaps: list[Gap] = []

    def call(
        self,
        fact: Fact,
        action: str,
        fn: Callable[[], T],
        then: Callable[[T], None] | None = None,
    ) -> Future[T]:
        """Start `fn` (one AWS call, `action`, a read of `fact`); `then` gets its result if it
        succeeds."""
        future = self._pool.submit(fn)
        self._running[future] = (fact, action, then)
        return future

    def after(self, futures: Iterable[Future[Any]], then: Callable[[], None]) -> None:
        """Run `then` once all these calls have finished, whether or not they succeeded."""
        self._joins.append((tuple(futures), then))

    def run(self) -> None:
        """Run until no call is left, or until the deadline: calls still running become gaps."""
        while True:
            self._run_ready_joins()
            if not self._running:
                return
            done, _ = wait(self._running, timeout=self._remaining(), return_when=FIRST_COMPLETED)
            if not done:
                self.gaps += [
                    Gap(fact=f, action=a, message="timed out") for f, a in self._abandon()
                ]
                return
            for future in done:
                self._finish(future)

    def _finish(self, future: Future[Any]) -> None:
        fact, action, then = self._running.pop(future)
        error = future.exception()
        if error is None:
            if then is not None:
                then(future.result())
        elif isinstance(error, BotoCoreError | ClientError):
            self.gaps.append(gap_from_error(fact, action, error))
        else:
            self._abandon()
            raise error

    def _run_ready_joins(self) -> None:
        while ready := [j for j in self._joins if not any(f in self._running for f in j[0])]:
            for join in ready:
                self._joins.remove(join)
                join[1]()

    def _remaining(self) -> float | None:
        return None if self._deadline is None else max(0.0, self._deadline - time.monotonic())

    def _abandon(self) -> list[tuple[Fact, str]]:
        """Cancel the calls not started yet, forget all unfinished ones; say which they were."""
        unfinished = [(fact, action) for fact, action, _ in self._running.values()]
        for future in self._running:
            future.cancel()
        self._running.clear()
        self._joins.clear()
        return unfinished


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


def platform_evidence(stopped: Iterable[Task], log_streams: Iterable[LogStream]) -> bool:
    """Whether a stopped task's reasons or a log line read as a platform mismatch: only then
    is an image's manifest worth reading (ecr:BatchGetImage counts as a pull)."""
    tasks = list(stopped)
    texts = [t.stopped_reason or "" for t in tasks]
    texts += [c.reason or "" for t in tasks for c in t.containers]
    lines = [line for stream in log_streams for line in stream.lines]
    rules = [classify(text) for text in texts] + [classify_log(line) for line in lines]
    return any(rule and rule.cause is Cause.PLATFORM_MISMATCH for rule in rules)


def _ec2_capacity_providers(service: Service) -> list[str]:
    """The capacity providers of the service that are not Fargate's (those have no settings)."""
    return [p for p in service.capacity_providers if not p.startswith("FARGATE")]


class _Collector:
    """The calls of one diagnosis and what they returned; used from the caller's thread only."""

    def __init__(self, clients: AwsClients, flow: Flow, found: ecs.Found, window: _Window) -> None:
        self.clients = clients
        self.flow = flow
        self.found = found
        self.window = window
        self.archive: ArchiveRead | None = None
        self.family: list[str] = []  # the service family's revisions, newest first
        self.service_deployments: tuple[ServiceDeployment, ...] = ()
        self.baseline: tuple[str, str] | None = None  # (task definition ARN, source)
        self.baseline_definitions: dict[str, TaskDefinition] = {}
        self.ecs = clients.ecs()
        self._asked: set[tuple[str, ...]] = set()  # so that no request is made twice
        self.stopped_arns: list[str] = []
        self.running_arns: list[str] = []
        self.stopped: tuple[Task, ...] = ()
        self.running: tuple[Task, ...] = ()
        self.task_definitions: dict[str, TaskDefinition] = {}
        self.cluster: Cluster | None = None
        self.instances: list[ContainerInstance] = []
        self.log_groups: list[LogGroup] = []
        self.log_streams: list[LogStream] = []
        self.roles: dict[str, Role] = {}
        self.inline_names: dict[str, list[str]] = {}  # role → inline policy names
        self.inline: dict[tuple[str, str], PolicyDocument] = {}  # (role, name) → document
        self.attached: dict[str, list[str]] = {}  # role → managed policy ARNs
        self.managed: dict[str, PolicyDocument] = {}  # policy ARN → document
        self.network_read = False
        self.subnets: list[Subnet] = []
        self.route_tables: list[ec2.RouteTable] = []
        self.security_groups: list[SecurityGroup] = []
        self.vpc_endpoints: set[str] = set()
        self.eni: ec2.Eni | None = None
        self.images: dict[str, Image] = {}
        self.efs_zones: dict[str, tuple[str, ...]] = {}  # file system → zones it mounts in
        self.target_groups: list[TargetGroup] = []
        self.target_health: dict[str, tuple[TargetHealth, ...]] = {}
        self.capacity_providers: list[CapacityProvider] = []
        self.multi_platform: dict[str, tuple[str, str]] = {}  # image → (account, region)

    def _once(self, *key: str) -> bool:
        if key in self._asked:
            return False
        self._asked.add(key)
        return True

    @property
    def focus(self) -> Task | None:
        """The task the diagnosis centres on, as `Facts.focus_task` will choose it."""
        if self.stopped:
            return self.stopped[0]
        return self.running[0] if self.running else None

    # ------------------------------------------------------------------ ECS

    def start(self) -> None:
        service, task = self.found.service, self.found.task
        cluster = self.found.cluster_arn
        self.flow.call(
            Fact.CLUSTER,
            "ecs:DescribeClusters",
            partial(ecs.describe_cluster, self.ecs, cluster),
            self._on_cluster,
        )
        if not runs_on_fargate(task, service):  # else there are no container instances
            self.flow.call(
                Fact.CLUSTER,
                "ecs:ListContainerInstances",
                partial(ecs.list_container_instance_arns, self.ecs, cluster),
                self._on_container_instance_arns,
            )
        if task:
            self._on_tasks([task])
        elif service:
            self._list_tasks(service, self._start_archive(service), self._start_lineage(service))
        if service and (providers := _ec2_capacity_providers(service)):
            self.flow.call(
                Fact.CAPACITY_PROVIDERS,
                "ecs:DescribeCapacityProviders",
                partial(ecs.describe_capacity_providers, self.ecs, providers),
                self.capacity_providers.extend,
            )
        if service:
            # Recent tasks mostly run a revision of a live deployment: read those now rather
            # than after DescribeTasks names them (one round trip less on the longest chain).
            for arn in dict.fromkeys(
                [service.task_definition_arn, *(d.task_definition_arn for d in service.deployments)]
            ):
                self._want_task_definition(arn)
            self._start_target_groups(service)
        if service and service.subnets:
            self._start_network(service.subnets, service.security_groups)
        elif task and task.subnet_id:
            self._start_network((task.subnet_id,), ())

    def _on_cluster(self, cluster: Cluster | None) -> None:
        self.cluster = cluster

    def _on_container_instance_arns(self, arns: list[str]) -> None:
        if arns:
            self.flow.call(
                Fact.CLUSTER,
                "ecs:DescribeContainerInstances",
                partial(ecs.describe_container_instances, self.ecs, self.found.cluster_arn, arns),
                self.instances.extend,
            )

    def _start_archive(self, service: Service) -> list[Future[Any]]:
        """The archive's stops of the window, beside ListTasks."""
        if not self.window.group:
            return []
        return [
            self.flow.call(
                Fact.ARCHIVE,
                "logs:FilterLogEvents",
                partial(
                    archive.read_archive,
                    self.clients.logs(),
                    self.window.group,
                    cluster=name_of(service.cluster_arn),
                    service=service.name,
                    since=self.window.since,
                ),
                self._on_archive,
            )
        ]

    def _start_lineage(self, service: Service) -> list[Future[Any]]:
        """What ran before: the service's deployments and its family's revisions."""
        started: list[Future[Any]] = [
            self.flow.call(
                Fact.DEPLOYMENTS,
                "ecs:ListServiceDeployments",
                partial(
                    deployments.read_service_deployments,
                    self.ecs,
                    service.cluster_arn,
                    service.name,
                ),
                self._on_service_deployments,
            )
        ]
        if family := family_and_revision(service.task_definition_arn):
            started.append(
                self.flow.call(
                    Fact.DEPLOYMENTS,
                    "ecs:ListTaskDefinitions",
                    partial(ecs.list_family_revisions, self.ecs, family[0]),
                    self.family.extend,
                )
            )
        return started

    def _on_service_deployments(self, found: tuple[ServiceDeployment, ...]) -> None:
        self.service_deployments = found

    def _on_archive(self, read: ArchiveRead) -> None:
        self.archive = read

    def _list_tasks(
        self, service: Service, archived: list[Future[Any]], lineage: list[Future[Any]]
    ) -> None:
        lists = [
            self.flow.call(
                Fact.TASKS,
                "ecs:ListTasks",
                partial(ecs.list_task_arns, self.ecs, service.cluster_arn, service.name, status),
                arns.extend,
            )
            for status, arns in (("STOPPED", self.stopped_arns), ("RUNNING", self.running_arns))
        ]
        self.flow.after(lists, partial(self._describe_tasks, service.name, archived, lineage))

    def _describe_tasks(
        self, service: str, archived: list[Future[Any]], lineage: list[Future[Any]]
    ) -> None:
        # Stopped tasks first: they are why we are here; running ones fill the rest of the call.
        arns = list(dict.fromkeys(self.stopped_arns + self.running_arns))[: ecs.MAX_DESCRIBE_TASKS]
        described: list[Task] = []
        if arns:
            archived = [
                *archived,
                self.flow.call(
                    Fact.TASKS,
                    "ecs:DescribeTasks",
                    partial(ecs.describe_tasks, self.ecs, self.found.cluster_arn, arns),
                    described.extend,
                ),
            ]
        # The stops are known once ECS and the archive have answered; the baseline, once
        # what ran before is known too (the stops' revisions need no wait for it).
        self.flow.after(archived, partial(self._on_service_tasks, service, described))
        self.flow.after([*archived, *lineage], self._start_baseline)

    def _on_service_tasks(self, service: str, tasks: list[Task]) -> None:
        # moto's ListTasks ignores serviceName: keep only the service's own tasks.
        group = ecs.SERVICE_GROUP_PREFIX + service
        self._on_tasks([t for t in tasks if t.group == group])

    def _on_tasks(self, tasks: list[Task]) -> None:
        listed = ecs.newest_first(t for t in tasks if ecs.is_stopping(t))
        # A task target is that task; a service's stops also come from the archive.
        self.stopped = listed if self.found.task else self.window.merge(listed, self.archive)
        self.running = ecs.newest_first(t for t in tasks if not ecs.is_stopping(t))
        focus = self.focus
        if focus is None:
            return
        for arn in dict.fromkeys(
            [focus.task_definition_arn, *(t.task_definition_arn for t in self.stopped)]
        ):
            self._want_task_definition(arn)
        if focus.eni_id:
            self.flow.call(
                Fact.NETWORK,
                "ec2:DescribeNetworkInterfaces",
                partial(ec2.describe_eni, self.clients.ec2(), focus.eni_id),
                self._on_eni,
            )
        self._maybe_tail_logs()
        self._maybe_read_platforms()

    def _want_task_definition(self, arn: str) -> None:
        if arn and self._once("task-definition", arn):
            self.flow.call(
                Fact.TASK_DEFINITIONS,
                "ecs:DescribeTaskDefinition",
                partial(ecs.describe_task_definition, self.ecs, arn),
                partial(self._on_task_definition, arn),
            )

    def _start_baseline(self) -> None:
        """The last revision that ran healthy before the focus stopped task's, when known."""
        focus = self.stopped[0] if self.stopped else None
        if focus is None:
            return
        archived = self.archive.stops if self.archive else ()
        self.baseline = baseline_arn(
            focus.task_definition_arn,
            self.found.service,
            self.family,
            (*self.stopped, *archived),
            self.service_deployments,
        )
        # A live deployment's revision is read anyway; any other is read for the diff only.
        if self.baseline and self._once("task-definition", self.baseline[0]):
            arn = self.baseline[0]
            self.flow.call(
                Fact.DEPLOYMENTS,
                "ecs:DescribeTaskDefinition",
                partial(ecs.describe_task_definition, self.ecs, arn),
                partial(self.baseline_definitions.__setitem__, arn),
            )

    def _on_task_definition(self, arn: str, task_definition: TaskDefinition) -> None:
        self.task_definitions[arn] = task_definition
        for role in (task_definition.execution_role_arn, task_definition.task_role_arn):
            if role:
                self._start_role(role)
        for source in logs.awslogs_sources(task_definition):
            self._start_log_group(source)
        for container in task_definition.containers:
            self._start_image(container.image)
        for volume in task_definition.efs_volumes:
            self._start_file_system(volume.file_system_id)
        self._maybe_tail_logs()

    def _start_file_system(self, file_system_id: str) -> None:
        if self._once("efs", file_system_id):
            self.flow.call(
                Fact.NETWORK,
                "elasticfilesystem:DescribeMountTargets",
                partial(efs.describe_mount_target_zones, self.clients.efs(), file_system_id),
                partial(self.efs_zones.__setitem__, file_system_id),
            )

    # ------------------------------------------------------------------ logs

    def _start_log_group(self, source: logs.LogSource) -> None:
        if self._once("log-group", source.group, source.region or ""):
            self.flow.call(
                Fact.LOG_GROUPS,
                "logs:DescribeLogGroups",
                partial(
                    logs.describe_log_group,
                    self.clients.logs(source.region),
                    source.group,
                    source.region,
                ),
                self.log_groups.append,
            )

    def _maybe_tail_logs(self) -> None:
        """Once a task and its definition are both known, read the end of its logs: the focus
        task's and a few more recent stopped tasks' (two crashes are two stories)."""
        tasks = [self.focus] if self.focus else []
        tasks += list(ecs.tasks_to_tail(self.stopped))
        for task in dict.fromkeys(tasks):
            if task is None or task.task_definition_arn not in self.task_definitions:
                continue
            if not self._once("log-tail", task.arn):
                continue
            for source in logs.awslogs_sources(self.task_definitions[task.task_definition_arn]):
                stream = logs.stream_of(source, task.task_id)
                if stream is not None:
                    self.flow.call(
                        Fact.LOG_STREAMS,
                        "logs:GetLogEvents",
                        partial(logs.tail_log_stream, self.clients.logs(source.region), stream),
                        self._on_log_stream,
                    )

    def _on_log_stream(self, stream: LogStream) -> None:
        self.log_streams.append(stream)
        self._maybe_read_platforms()

    # ------------------------------------------------------------------ IAM

    def _start_role(self, role: str) -> None:
        if not self._once("role", role):
            return
        client = self.clients.iam()
        self.flow.call(
            Fact.ROLES, "iam:GetRole", partial(iam.get_role, client, role), self._on_role
        )
        self.flow.call(
            Fact.ROLES,
            "iam:ListRolePolicies",
            partial(iam.list_inline_policy_names, client, role),
            partial(self._on_inline_names, role),
        )
        self.flow.call(
            Fact.ROLES,
            "iam:ListAttachedRolePolicies",
            partial(iam.list_attached_policy_arns, client, role),
            partial(self._on_attached, role),
        )

    def _on_role(self, role: Role) -> None:
        self.roles[role.arn] = role

    def _on_inline_names(self, role: str, names: list[str]) -> None:
        self.inline_names[role] = names
        for name in names:
            self.flow.call(
                Fact.ROLES,
                "iam:GetRolePolicy",
                partial(iam.get_inline_policy, self.clients.iam(), role, name),
                partial(self.inline.__setitem__, (role, name)),
            )

    def _on_attached(self, role: str, policy_arns: list[str]) -> None:
        self.attached[role] = policy_arns
        for arn in policy_arns:
            if self._once("policy", arn):
                self.flow.call(
                    Fact.ROLES,
                    "iam:GetPolicy",
                    partial(iam.get_default_version_id, self.clients.iam(), arn),
                    partial(self._on_policy_version_id, arn),
                )

    def _on_policy_version_id(self, arn: str, version_id: str) -> None:
        self.flow.call(
            Fact.ROLES,
            "iam:GetPolicyVersion",
            partial(iam.get_policy_version, self.clients.iam(), arn, version_id),
            partial(self.managed.__setitem__, arn),
        )

    def _policies(self, role: str) -> tuple[PolicyDocument, ...]:
        inline = [self.inline.get((role, name)) for name in self.inline_names.get(role, [])]
        managed = [self.managed.get(arn) for arn in self.attached.get(role, [])]
        return tuple(p for p in inline + managed if p is not None)

    # ------------------------------------------------------------------ ECR

    def _start_image(self, uri: str) -> None:
        if not self._once("image", uri):
            return
        image = parse_image(uri)
        registry = registry_of(uri)
        if registry is None:
            self.images[uri] = image
            return
        account, region = registry
        self.flow.call(
            Fact.IMAGES,
            "ecr:DescribeImages",
            partial(ecr.describe_image, self.clients.ecr(region), image, account),
            partial(self._on_image, account, region),
        )

    def _on_image(self, account: str, region: str, result: tuple[Image, bool]) -> None:
        image, multi_platform = result
        self.images[image.uri] = image
        if multi_platform:
            self.multi_platform[image.uri] = (account, region)
            self._maybe_read_platforms()

    def _maybe_read_platforms(self) -> None:
        """Read the platforms of multi-platform images, only once a stop or a log line points
        at a platform mismatch: ecr:BatchGetImage counts as a pull for ECR lifecycle rules
        (it updates the image's lastRecordedPullTime)."""
        if not platform_evidence(self.stopped, self.log_streams):
            return
        for uri, (account, region) in self.multi_platform.items():
            if self._once("platforms", uri):
                self.flow.call(
                    Fact.IMAGES,
                    "ecr:BatchGetImage",
                    partial(
                        ecr.image_architectures, self.clients.ecr(region), self.images[uri], account
                    ),
                    self._on_image_architectures,
                )

    def _on_image_architectures(self, image: Image) -> None:
        self.images[image.uri] = image

    # ------------------------------------------------------------------ EC2

    def _start_network(self, subnet_ids: Iterable[str], group_ids: Iterable[str]) -> None:
        self.network_read = True
        self.flow.call(
            Fact.NETWORK,
            "ec2:DescribeSubnets",
            partial(ec2.describe_subnets, self.clients.ec2(), list(subnet_ids)),
            self._on_subnets,
        )
        self._start_security_groups(group_ids)

    def _start_security_groups(self, group_ids: Iterable[str]) -> None:
        group_ids = list(group_ids)
        if group_ids and self._once("security-groups"):
            self.flow.call(
                Fact.NETWORK,
                "ec2:DescribeSecurityGroups",
                partial(ec2.describe_security_groups, self.clients.ec2(), group_ids),
                self.security_groups.extend,
            )

    def _on_subnets(self, subnets: list[Subnet]) -> None:
        self.subnets = subnets
        client = self.clients.ec2()
        for vpc_id in dict.fromkeys(s.vpc_id for s in subnets):
            self.flow.call(
                Fact.NETWORK,
                "ec2:DescribeRouteTables",
                partial(ec2.describe_route_tables, client, vpc_id),
                self.route_tables.extend,
            )
            self.flow.call(
                Fact.NETWORK,
                "ec2:DescribeVpcEndpoints",
                partial(ec2.describe_vpc_endpoints, client, vpc_id),
                self.vpc_endpoints.update,
            )

    def _on_eni(self, eni: ec2.Eni | None) -> None:
        self.eni = eni
        # A task outside a service: its security groups are known only from its interface.
        if eni and self.found.service is None:
            self._start_security_groups(eni.security_groups)

    # ------------------------------------------------------------------ ELBv2

    def _start_target_groups(self, service: Service) -> None:
        arns = list(dict.fromkeys(lb.target_group_arn for lb in service.load_balancers))
        if not arns:
            return
        client = self.clients.elbv2()
        self.flow.call(
            Fact.TARGET_GROUPS,
            "elasticloadbalancing:DescribeTargetGroups",
            partial(elbv2.describe_target_groups, client, arns),
            self.target_groups.extend,
        )
        for arn in arns:
            self.flow.call(
                Fact.TARGET_GROUPS,
                "elasticloadbalancing:DescribeTargetHealth",
                partial(elbv2.describe_target_health, client, arn),
                partial(self.target_health.__setitem__, arn),
            )

    # ------------------------------------------------------------------ facts

    def facts(self, region: str, now: datetime) -> Facts:
        service, task = self.found.service, self.found.task
        cluster_arn = self.found.cluster_arn
        return Facts(
            target=Target(
                cluster=name_of(cluster_arn),
                service=service.name if service else None,
                task_id=task.task_id if task else None,
                region=region,
            ),
            region=region,
            account=account_of(cluster_arn),
            collected_at=now,
            service=service,
            stopped_tasks=self.stopped,
            running_tasks=self.running,
            task_definitions=dict(sorted(self.task_definitions.items())),
            cluster=self.cluster.model_copy(update={"instances": tuple(self.instances)})
            if self.cluster
            else None,
            log_groups=tuple(sorted(self.log_groups, key=lambda g: g.name)),
            log_streams=tuple(sorted(self.log_streams, key=lambda s: s.container)),
            roles={
                arn: role.model_copy(update={"policies": self._policies(arn)})
                for arn, role in sorted(self.roles.items())
            },
            network=self._network(service),
            images=tuple(image for _, image in sorted(self.images.items())),
            target_groups=tuple(
                group.model_copy(update={"targets": self.target_health.get(group.arn, ())})
                for group in self.target_groups
            ),
            capacity_providers=tuple(sorted(self.capacity_providers, key=lambda p: p.name)),
            gaps=tuple(dict.fromkeys(self.flow.gaps)),
            archive=self.archive,
            service_deployments=self.service_deployments,
            baseline=self._baseline_definition(),
            baseline_source=self.baseline[1] if self.baseline else None,
        )

    def _baseline_definition(self) -> TaskDefinition | None:
        if self.baseline is None:
            return None
        arn = self.baseline[0]
        return self.task_definitions.get(arn) or self.baseline_definitions.get(arn)

    def _network(self, service: Service | None) -> Network | None:
        """The network, or None when it was not read or any part of it is missing: a route
        table or a security group that could not be read must not look like none at all."""
        if not self.network_read or any(g.action in NETWORK_PARTS for g in self.flow.gaps):
            return None
        subnets = ec2.with_routes(self.subnets, self.route_tables)
        return Network(
            vpc_id=subnets[0].vpc_id if subnets else None,
            subnets=subnets,
            security_groups=tuple(self.security_groups),
            vpc_endpoints=tuple(sorted(self.vpc_endpoints)),
            assign_public_ip=service.assign_public_ip if service else None,
            task_has_public_ip=self.eni.public_ip if self.eni else None,
            efs_mount_target_zones=dict(sorted(self.efs_zones.items())),
        )
