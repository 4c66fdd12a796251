"""The shared vocabulary: what we diagnose, the facts we read, and what we conclude.

Collectors produce `Facts`, checks turn them into `Finding`s, the verdict makes a `Diagnosis`.
Everything here is plain data so checks stay pure and every renderer reads the same thing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Step(StrEnum):
    """The eight checklist steps, in the order an expert works through them."""

    STOPPED_REASON = "stopped-reason"
    EXIT_CODE = "exit-code"
    LOGS = "logs"
    IMAGE = "image"
    IAM = "iam"
    NETWORK = "network"
    RESOURCES = "resources"
    HEALTH_CHECK = "health-check"


STEPS: tuple[Step, ...] = tuple(Step)


class Cause(StrEnum):
    """Every cause code of CONTRACT.md §4."""

    DEPLOYMENT_OR_SCALE_IN = "deployment-or-scale-in"
    STOPPED_BY_USER = "stopped-by-user"
    SPOT_INTERRUPTION = "spot-interruption"
    INFRASTRUCTURE = "infrastructure"
    TASK_FAILED_TO_START = "task-failed-to-start"
    CONTAINER_RUNTIME = "container-runtime"
    APP_CRASH = "app-crash"
    EXEC_PERMISSION_DENIED = "exec-permission-denied"
    COMMAND_NOT_FOUND = "command-not-found"
    OUT_OF_MEMORY = "out-of-memory"
    SEGFAULT = "segfault"
    SIGTERM = "sigterm"
    DEPENDENCY_UNREACHABLE = "dependency-unreachable"
    CONFIG_MISSING = "config-missing"
    HEAP_EXHAUSTED = "heap-exhausted"
    FILE_LIMIT = "file-limit"
    NOT_FOREGROUND = "not-foreground"
    LOG_GROUP_MISSING = "log-group-missing"
    LOG_CONFIG_INVALID = "log-config-invalid"
    IMAGE_NOT_FOUND = "image-not-found"
    ECR_PERMISSION_DENIED = "ecr-permission-denied"
    REGISTRY_AUTH = "registry-auth"
    PLATFORM_MISMATCH = "platform-mismatch"
    EXECUTION_ROLE_MISSING = "execution-role-missing"
    ROLE_NOT_FOUND = "role-not-found"
    TRUST_POLICY = "trust-policy"
    SECRETS_ACCESS_DENIED = "secrets-access-denied"
    TASK_ROLE_MISSING = "task-role-missing"
    TASK_ROLE_DENIED = "task-role-denied"
    NO_ROUTE_TO_INTERNET = "no-route-to-internet"
    MISSING_VPC_ENDPOINT = "missing-vpc-endpoint"
    SECURITY_GROUP_NO_EGRESS = "security-group-no-egress"
    SECURITY_GROUP_NO_INGRESS = "security-group-no-ingress"
    EFS_MOUNT_FAILED = "efs-mount-failed"
    INSUFFICIENT_CPU = "insufficient-cpu"
    INSUFFICIENT_MEMORY = "insufficient-memory"
    NO_CONTAINER_INSTANCES = "no-container-instances"
    FARGATE_CAPACITY = "fargate-capacity"
    SERVICE_QUOTA = "service-quota"
    PORT_IN_USE = "port-in-use"
    DISK_FULL = "disk-full"
    PLACEMENT_CONSTRAINT = "placement-constraint"
    HEALTH_CHECK_START_PERIOD = "health-check-start-period"
    HEALTH_CHECK_FAILING = "health-check-failing"
    HEALTH_CHECK_PORT_MISMATCH = "health-check-port-mismatch"
    ELB_HEALTH_CHECK = "elb-health-check"
    UNKNOWN = "unknown"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------------- target


class Target(Frozen):
    """What the user asked about: a service, or one task. Region and account come from AWS."""

    cluster: str | None = None
    service: str | None = None
    task_id: str | None = None
    region: str | None = None
    account: str | None = None  # a short name from the settings' accounts, e.g. "prod"
    account_id: str | None = Field(default=None, pattern=r"^[0-9]{12}$")  # named by an ARN

    @property
    def label(self) -> str:
        name = self.service or self.task_id or "?"
        label = f"{self.cluster}/{name}" if self.cluster else name
        return f"{self.account}:{label}" if self.account else label


# --------------------------------------------------------------------------- facts


class Fact(StrEnum):
    """What the collector reads, as the checks name it: a failed read leaves a gap in one of
    these, and a check that needs it cannot pass."""

    SERVICE = "service"
    TASKS = "tasks"
    TASK_DEFINITIONS = "task-definitions"
    CLUSTER = "cluster"  # the cluster and its container instances
    CAPACITY_PROVIDERS = "capacity-providers"
    LOG_GROUPS = "log-groups"
    LOG_STREAMS = "log-streams"
    ROLES = "roles"  # each role, its trust policy and its policies
    NETWORK = "network"  # subnets, routes, security groups, endpoints, the task's interface, EFS
    IMAGES = "images"
    TARGET_GROUPS = "target-groups"
    ARCHIVE = "archive"
    DEPLOYMENTS = "deployments"  # what ran before: service deployments, the family's revisions
    INSIGHTS = "container-insights"  # Container Insights: its setting, the task's memory
    DEPENDENCIES = "dependencies"  # the databases and caches the app's logs name, and their groups


class Gap(Frozen):
    """Something we could not see: a read that failed, or a check that did. The checklist
    steps whose checks need that fact (or that check) show `unknown` with this note."""

    fact: Fact | None = None  # which fact the failed read was for
    check: str | None = None  # or which check failed on the facts, e.g. "check_image"
    action: str  # the IAM action that was refused or failed, e.g. "iam:GetRole"; or the check
    message: str  # short and safe to show: "AccessDenied", "timed out", "endpoint unreachable"

    @property
    def note(self) -> str:
        if self.check:
            return f"the {self.check} check failed: {self.message}"
        return f"could not call {self.action}: {self.message}"


class ContainerState(Frozen):
    name: str
    exit_code: int | None = None
    reason: str | None = None
    last_status: str | None = None
    image: str | None = None
    image_digest: str | None = None


class Task(Frozen):
    arn: str
    cluster_arn: str
    task_definition_arn: str
    last_status: str
    desired_status: str | None = None
    group: str | None = None
    launch_type: str | None = None
    capacity_provider: str | None = None
    stop_code: str | None = None
    stopped_reason: str | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    stopping_at: datetime | None = None
    stopped_at: datetime | None = None
    containers: tuple[ContainerState, ...] = ()
    container_instance_arn: str | None = None
    subnet_id: str | None = None
    private_ip: str | None = None
    eni_id: str | None = None
    availability_zone: str | None = None

    @property
    def task_id(self) -> str:
        return self.arn.rsplit("/", 1)[-1]


class PortMapping(Frozen):
    container_port: int
    host_port: int | None = None
    protocol: str = "tcp"


class HealthCheck(Frozen):
    command: tuple[str, ...]
    interval: int = 30
    timeout: int = 5
    retries: int = 3
    start_period: int = 0


class SecretRef(Frozen):
    name: str
    value_from: str  # an ARN or parameter name: never the value


class Dependency(Frozen):
    """A container's `dependsOn` entry: start only once `container` reached `condition`."""

    container: str
    condition: str  # START | COMPLETE | SUCCESS | HEALTHY


class ContainerDefinition(Frozen):
    name: str
    image: str
    essential: bool = True
    cpu: int | None = None
    memory: int | None = None
    memory_reservation: int | None = None
    port_mappings: tuple[PortMapping, ...] = ()
    health_check: HealthCheck | None = None
    log_driver: str | None = None
    log_options: dict[str, str] = Field(default_factory=dict)
    secrets: tuple[SecretRef, ...] = ()
    environment_names: tuple[str, ...] = ()  # names only: values are plain text in AWS
    repository_credentials: str | None = None
    entry_point: tuple[str, ...] = ()
    command: tuple[str, ...] = ()
    user: str | None = None
    working_directory: str | None = None
    environment_files: tuple[str, ...] = ()  # S3 object ARNs
    depends_on: tuple[Dependency, ...] = ()
    mount_points: tuple[str, ...] = ()  # "VOLUME:PATH"
    gpus: int = 0  # resourceRequirements of type GPU: GPUs the container reserves


class PlacementConstraint(Frozen):
    """Where ECS may place a task: `memberOf` a cluster query `expression`, or
    `distinctInstance` (each task of the group on its own instance)."""

    type: str
    expression: str | None = None


class EfsVolume(Frozen):
    name: str
    file_system_id: str
    transit_encryption: bool = False


class TaskDefinition(Frozen):
    arn: str
    family: str
    revision: int
    network_mode: str | None = None
    requires_compatibilities: tuple[str, ...] = ()
    cpu: str | None = None
    memory: str | None = None
    execution_role_arn: str | None = None
    task_role_arn: str | None = None
    cpu_architecture: str | None = None  # runtimePlatform
    os_family: str | None = None
    containers: tuple[ContainerDefinition, ...] = ()
    efs_volumes: tuple[EfsVolume, ...] = ()
    volumes: tuple[str, ...] = ()  # every volume's name
    placement_constraints: tuple[PlacementConstraint, ...] = ()  # memberOf only


class ServiceEvent(Frozen):
    created_at: datetime | None
    message: str


class Deployment(Frozen):
    id: str
    status: str
    task_definition_arn: str
    desired: int = 0
    running: int = 0
    pending: int = 0
    failed_tasks: int = 0
    rollout_state: str | None = None
    rollout_state_reason: str | None = None
    created_at: datetime | None = None


class LoadBalancerRef(Frozen):
    target_group_arn: str
    container_name: str
    container_port: int


class Service(Frozen):
    arn: str
    name: str
    cluster_arn: str
    status: str
    desired: int
    running: int
    pending: int
    launch_type: str | None = None
    capacity_providers: tuple[str, ...] = ()
    task_definition_arn: str
    deployments: tuple[Deployment, ...] = ()
    events: tuple[ServiceEvent, ...] = ()  # newest first, as AWS returns them
    subnets: tuple[str, ...] = ()
    security_groups: tuple[str, ...] = ()
    assign_public_ip: bool | None = None
    load_balancers: tuple[LoadBalancerRef, ...] = ()
    health_check_grace_period: int | None = None
    placement_constraints: tuple[PlacementConstraint, ...] = ()


class ContainerInstance(Frozen):
    arn: str
    ec2_instance_id: str | None = None
    status: str
    agent_connected: bool
    registered_cpu: int = 0
    registered_memory: int = 0
    remaining_cpu: int = 0
    remaining_memory: int = 0
    used_ports: tuple[int, ...] = ()
    # Its attributes by name (ecs.instance-type, ecs.availability-zone, ecs.capability.…, and
    # custom ones); an attribute without a value maps to "".
    attributes: dict[str, str] = Field(default_factory=dict)
    registered_gpus: int = 0  # GPUs the agent registered (the GPU resource's ids)
    remaining_gpus: int = 0  # of those, the ones no task holds
    agent_version: str | None = None
    running_tasks: int = 0


class Cluster(Frozen):
    arn: str
    name: str
    status: str
    registered_instances: int = 0
    running_tasks: int = 0
    instances: tuple[ContainerInstance, ...] = ()
    # Its Container Insights setting (enabled, enhanced, disabled); None: not said.
    container_insights: str | None = None


class CapacityProvider(Frozen):
    """An EC2 capacity provider of the service: its Auto Scaling group and managed scaling."""

    name: str
    status: str = "ACTIVE"
    auto_scaling_group_arn: str | None = None
    managed_scaling: bool | None = None  # None: not an Auto Scaling group provider
    target_capacity: int | None = None


class LogStream(Frozen):
    """The tail of one container's awslogs stream."""

    container: str
    task_id: str
    group: str
    stream: str
    lines: tuple[str, ...] = ()
    found: bool = True
    times: tuple[datetime, ...] = ()  # when each line was logged, when known


class LogGroup(Frozen):
    name: str
    exists: bool
    region: str | None = None


class PolicyDocument(Frozen):
    """One policy attached to a role (inline or managed), as its JSON document."""

    name: str
    document: dict[str, Any]


class Role(Frozen):
    arn: str
    name: str
    exists: bool
    trust_policy: dict[str, Any] | None = None
    policies: tuple[PolicyDocument, ...] = ()


class Route(Frozen):
    destination: str
    target: str  # igw-…, nat-…, local, pcx-…, tgw-…, vpce-…
    state: str = "active"


class Subnet(Frozen):
    id: str
    vpc_id: str
    availability_zone: str | None = None
    route_table_id: str | None = None
    routes: tuple[Route, ...] = ()


class PortRule(Frozen):
    """One rule of a security group, either way: a protocol, a port range and its peers."""

    protocol: str  # "-1" for all
    from_port: int | None = None
    to_port: int | None = None
    cidrs: tuple[str, ...] = ()
    prefix_lists: tuple[str, ...] = ()
    security_groups: tuple[str, ...] = ()


class SecurityGroup(Frozen):
    id: str
    name: str
    egress: tuple[PortRule, ...] = ()
    ingress: tuple[PortRule, ...] = ()


class Network(Frozen):
    vpc_id: str | None = None
    subnets: tuple[Subnet, ...] = ()
    security_groups: tuple[SecurityGroup, ...] = ()
    vpc_endpoints: tuple[str, ...] = ()  # service names, e.g. com.amazonaws.us-east-1.ecr.dkr
    assign_public_ip: bool | None = None
    task_has_public_ip: bool | None = None
    # file system id → Availability Zones with a mount target (absent: not read)
    efs_mount_target_zones: dict[str, tuple[str, ...]] = Field(default_factory=dict)


class Upstream(Frozen):
    """Something the app's logs say it could not reach, as AWS describes it: an RDS instance or
    cluster, an ElastiCache cluster or replication group; its port and the security groups in
    front of it (with their inbound rules)."""

    kind: Literal["rds-instance", "rds-cluster", "cache-cluster", "cache-replication-group"]
    id: str
    addresses: tuple[str, ...]  # the DNS names it answers at
    port: int | None = None
    status: str | None = None
    vpc_id: str | None = None
    security_groups: tuple[SecurityGroup, ...] = ()

    @property
    def label(self) -> str:
        what = {
            "rds-instance": "RDS instance",
            "rds-cluster": "RDS cluster",
            "cache-cluster": "ElastiCache cluster",
            "cache-replication-group": "ElastiCache replication group",
        }[self.kind]
        return f"{what} {self.id}"


class Image(Frozen):
    """An image a container definition names, and what its registry says about it."""

    uri: str
    registry: Literal["ecr", "other"]
    repository: str
    tag: str | None = None
    digest: str | None = None
    repository_exists: bool | None = None
    tag_exists: bool | None = None
    architectures: tuple[str, ...] = ()  # e.g. ("arm64",) when known


class TargetHealth(Frozen):
    target_id: str
    port: int | None = None
    state: str
    reason: str | None = None
    description: str | None = None


class TargetGroup(Frozen):
    arn: str
    name: str
    port: int | None = None
    protocol: str | None = None
    target_type: str | None = None
    health_check_port: str | None = None  # "traffic-port" or a number
    health_check_path: str | None = None
    health_check_protocol: str | None = None
    matcher: str | None = None
    targets: tuple[TargetHealth, ...] = ()
    health_check_interval: int | None = None  # seconds
    unhealthy_threshold: int | None = None


class ServiceDeployment(Frozen):
    """One deployment of the service deployments API, its revisions as task definitions."""

    arn: str
    status: str  # SUCCESSFUL, IN_PROGRESS, ROLLBACK_SUCCESSFUL, STOPPED, …
    created_at: datetime | None = None
    target: str | None = None  # the task definition it deploys
    sources: tuple[str, ...] = ()  # the task definitions it replaces
    rollback: bool = False  # the circuit breaker or an alarm rolled it back
    # task definition ARN → container → the image digest that revision resolved
    digests: dict[str, dict[str, str]] = Field(default_factory=dict)


# Where a service's history was read: AWS's own capture of the cluster's ECS lifecycle events
# (Container Insights / the console's event capture), or our archive (deploy/event-archive.yaml).
ArchiveSource = Literal["aws-event-capture", "ecs-why-archive"]


class ArchiveRead(Frozen):
    """What an event archive (CONTRACT §5) held for one service in a window."""

    group: str
    since: datetime
    found: bool  # False: the log group does not exist (no archive set up)
    stops: tuple[Task, ...] = ()  # one per task, its last change, newest first
    service_events: tuple[ServiceEvent, ...] = ()  # service actions and deployment changes
    skipped: int = 0  # lines that were not an ECS event
    duplicates: int = 0  # the same task change delivered again
    requests: int = 0  # FilterLogEvents pages read
    source: ArchiveSource = "ecs-why-archive"


class MemorySample(Frozen):
    """One minute of a task's (or, with enhanced observability, a container's) Container
    Insights performance log: averages over the minute, MiB and CPU units."""

    at: datetime
    used: float
    reserved: float | None = None  # the limit Container Insights counts against
    cpu_used: float | None = None
    cpu_reserved: float | None = None


class ContainerInsights(Frozen):
    """Container Insights for the focus task's cluster: whether it is on (the cluster's own
    setting, and the account default when that is not on), and what its performance log holds
    of the task's last minutes: the task's samples, and each container's with enhanced
    observability."""

    cluster: str
    setting: str | None = None  # enabled | enhanced | disabled; None: not known
    account_default: str | None = None  # read only when the cluster's is not on
    group: str
    task_id: str | None = None
    task: tuple[MemorySample, ...] = ()
    containers: dict[str, tuple[MemorySample, ...]] = Field(default_factory=dict)
    unread: str | None = None  # why the performance log could not be read (a denied call)

    @property
    def on(self) -> bool:
        return self.setting in ("enabled", "enhanced")

    def samples(self, container: str | None) -> tuple[MemorySample, ...]:
        """The container's own samples when it has any, else the task's."""
        return self.containers.get(container or "", ()) or self.task


def runs_on_fargate(
    task: Task | None, service: Service | None, definition: TaskDefinition | None = None
) -> bool:
    """Whether the work clearly runs on Fargate: as the task says, else the service (its launch
    type or its capacity providers, all Fargate's), else the task definition."""
    if task and (task.launch_type or task.capacity_provider):
        return "FARGATE" in f"{task.launch_type} {task.capacity_provider}"
    if service and service.launch_type:
        return service.launch_type == "FARGATE"
    if service and service.capacity_providers:
        return all(p.startswith("FARGATE") for p in service.capacity_providers)
    return definition is not None and definition.requires_compatibilities == ("FARGATE",)


class Facts(Frozen):
    """A read-only snapshot of everything the checks may look at, plus what could not be read."""

    target: Target
    region: str
    account: str | None = None
    collected_at: datetime
    service: Service | None = None
    stopped_tasks: tuple[Task, ...] = ()  # most recently stopped first
    running_tasks: tuple[Task, ...] = ()  # RUNNING, PENDING and PROVISIONING
    task_definitions: dict[str, TaskDefinition] = Field(default_factory=dict)  # by ARN
    cluster: Cluster | None = None
    log_groups: tuple[LogGroup, ...] = ()
    log_streams: tuple[LogStream, ...] = ()
    roles: dict[str, Role] = Field(default_factory=dict)  # by ARN
    network: Network | None = None
    images: tuple[Image, ...] = ()
    target_groups: tuple[TargetGroup, ...] = ()
    capacity_providers: tuple[CapacityProvider, ...] = ()  # the EC2 ones the service uses
    # What the app's logs say it could not reach, where AWS knows it (an optional read).
    dependencies: tuple[Upstream, ...] = ()
    gaps: tuple[Gap, ...] = ()
    archive: ArchiveRead | None = None  # None: the archive was not read
    # Newest first; empty when the service deployments API could not be read (then the
    # service's deployments[] and the family's revisions stand in).
    service_deployments: tuple[ServiceDeployment, ...] = ()
    # The last revision that ran healthy before the focus task's, and how it was found.
    baseline: TaskDefinition | None = None
    baseline_source: str | None = None
    # None: not read (no task to look at, or the cluster is unknown).
    container_insights: ContainerInsights | None = None

    @property
    def focus_task(self) -> Task | None:
        """The task the diagnosis centres on: the newest stopped one, else the newest other."""
        if self.stopped_tasks:
            return self.stopped_tasks[0]
        return self.running_tasks[0] if self.running_tasks else None

    @property
    def on_fargate(self) -> bool:
        """Whether the tasks run on Fargate, where AWS manages the hosts."""
        return runs_on_fargate(self.focus_task, self.service, self.task_definition)

    @property
    def task_definition(self) -> TaskDefinition | None:
        """The definition of the focus task, else the service's current one."""
        task = self.focus_task
        if task and task.task_definition_arn in self.task_definitions:
            return self.task_definitions[task.task_definition_arn]
        if self.service and self.service.task_definition_arn in self.task_definitions:
            return self.task_definitions[self.service.task_definition_arn]
        return None


# --------------------------------------------------------------------------- conclusions

# A service that runs what it should and stopped nothing for this long is calm again: its
# diagnosis no longer calls it degraded, and its watch's incident recovers.
QUIET = timedelta(minutes=15)

Severity = Literal["error", "warning", "info"]
# The card's primary button: the app's own logs, or the console page of the resource at fault.
Primary = Literal["logs", "resource"]
StepStatus = Literal["failed", "passed", "warning", "skipped", "unknown"]
Status = Literal["failing", "healthy", "unknown"]
# What the numbers show at a glance (CONTRACT §4); each word implies one Status.
ServiceState = Literal[
    "down",
    "degraded",
    "rollout-failing",
    "recovering",
    "rolled-back",
    "recovered",
    "scheduled",
    "healthy",
    "unknown",
]


class Kind(StrEnum):
    """What a piece of evidence is: it says how the evidence reads and what it proves."""

    MESSAGE = "message"  # what AWS said about a task: its stoppedReason, a container's reason
    EVENT = "event"  # a service event (DescribeServices)
    ACTION = "action"  # a service action or deployment event from the event archive
    TARGET = "target"  # a load balancer target's health, as the load balancer reports it
    EXIT = "exit"  # how an essential container exited: `text` is its exit code
    LOG = "log"  # a line the app logged, quoted as a sign of the failure
    APP = "app"  # a line the app logged about its start or a health check, read against them
    CONFIG = "config"  # the configuration as read now: a role, a policy, a route, a setting
    CONTRARY = "contrary"  # the configuration read now, arguing against the cause ("yet …")
    TASKS = "tasks"  # how many of the recent stopped tasks show it: `count` of `total`
    EVENTS = "events"  # how many current service events say so: `count`
    ROLLOUT = "rollout"  # what a deployment or a revision change shows
    UNREAD = "unread"  # a read that failed: `text` is the gap's note, `source` its action
    UNCONFIRMED = "unconfirmed"  # a failed read that could confirm or overturn the finding
    NOTE = "note"  # ecs-why's own reading of what it saw


class Evidence(Frozen):
    """One thing seen that supports a finding, as data: renderers turn it into words.

    `text` holds the raw words (a message or log line as read, unquoted and unprefixed, or a
    fact in words); `source` says where they came from ("stoppedReason", "container web",
    "role my-exec-role, policy X"; for an APP line, what the line shows). `when` is set only
    where the words are shown with their time (a service event, a deployment): equal items are
    one piece of evidence, so the same reason from three tasks is quoted once.
    """

    kind: Kind
    text: str = ""
    source: str = ""
    when: datetime | None = None
    count: int = 0
    total: int = 0


class Where(Frozen):
    """The resources a finding is about, by name: its title names them, its next step acts on
    them. None: not known (the title then says which kind of thing it is)."""

    cluster: str | None = None
    container: str | None = None
    role: str | None = None  # a role name
    role_kind: Literal["execution", "task"] | None = None
    image: str | None = None  # an image URI
    log_group: str | None = None
    target_group: str | None = None  # a target group name

    def labels(self) -> dict[str, str]:
        """The title template's fields for these names."""
        return {
            "cluster": self.cluster or "<cluster>",
            "container": self.container or "<container>",
            "role": self.role or "<none>",
            "kind": self.role_kind or "execution",
            "image": self.image or "<image>",
            "log_group": self.log_group or "<log group>",
            "target_group": self.target_group or "<target group>",
        }


class Particulars(Frozen):
    """What the check read that the fix acts on, typed: a fix never parses a finding's words."""

    # The configuration read now no longer shows the fault AWS named when the tasks stopped.
    fixed_since: bool = False
    # EC2 capacity providers whose managed scaling is off, so ECS launches nothing for tasks
    # that wait; and Auto Scaling groups whose managed scaling is on but do not grow.
    unscaled_providers: tuple[str, ...] = ()
    stuck_groups: tuple[str, ...] = ()
    # The hard memory limit that applies to the container (MiB) and whose it is; the soft
    # reservation, which kills nothing, is only named as such.
    memory_limit: int | None = None
    memory_scope: Literal["container", "task"] | None = None
    memory_reservation: int | None = None
    # The app's own log line that says most about the failure, as the evidence quotes it.
    quoted: str | None = None
    # Where in the app's code it failed ("/app/db.js:12"): its stack trace's first own frame.
    source: str | None = None
    # Environment variables the quoted line names that the container sets neither way.
    variables: tuple[str, ...] = ()
    # The executable the runtime found nowhere on the image's PATH.
    binary: str | None = None
    # The entrypoint the runtime was not permitted to execute.
    not_executable: str | None = None
    # The app's own log line that shows the SIGTERM came from inside (a watchdog, a script).
    sender: str | None = None
    # The EC2 instances at fault: gone from under the tasks, or failing what the task requires.
    instances: tuple[str, ...] = ()
    # The placement constraint (or requirement, "GPU: 1") no instance meets, as written.
    constraint: str | None = None
    # What the task reserves and no instance has free: CPU units, MiB, fixed host ports.
    cpu_needed: int | None = None
    memory_needed: int | None = None
    host_ports: tuple[int, ...] = ()
    # The HTTP codes the load balancer's health checks got, and the health path the app
    # itself names (in its container health check or its logs) when it is another one.
    status_codes: tuple[int, ...] = ()
    health_path: str | None = None
    # Which failure of its cause the decisive line shows (a dependency: refused, timeout,
    # dns, tls or db-auth; a ulimit: files or processes).
    failure: str | None = None
    # What the app could not reach (host:port, or a name); the database user a login was
    # refused for.
    endpoint: str | None = None
    db_user: str | None = None
    # The variable, key or file the app looked for and did not find.
    setting: str | None = None
    # The runtime's own heap limit as the command sets it (the flag token only: "-Xmx256m").
    heap_flag: str | None = None
    # An AWS call of the app that AWS refused: the action, on what, as whom, and what denies
    # it explicitly (an SCP, a permissions boundary…; None: no policy allows it).
    aws_action: str | None = None
    aws_resource: str | None = None
    aws_principal: str | None = None
    denied_by: str | None = None
    # What AWS knows of the endpoint the app could not reach (its label: "RDS instance
    # ledger-db"), and the inbound rule its security group lacks: the group, the port and the
    # task's group to admit.
    upstream: str | None = None
    ingress_group: str | None = None
    ingress_port: int | None = None
    ingress_source: str | None = None
    # Whose storage filled up: the task's own (Fargate ephemeral storage, a container's
    # writable layer) or its container instance's disk.
    storage: Literal["task", "instance"] | None = None
    # Container Insights' peak memory (per-minute average, MiB) of the container in its last
    # minutes, and the hard limit a fix would give it.
    memory_peak: int | None = None
    memory_suggested: int | None = None

    def filled(self, other: Particulars) -> Particulars:
        """These particulars, with what `other` read that these did not."""
        unread = [n for n, f in Particulars.model_fields.items() if getattr(self, n) == f.default]
        return self.model_copy(update={name: getattr(other, name) for name in unread})


class Finding(Frozen):
    code: Cause
    step: Step
    severity: Severity
    title: str
    evidence: tuple[Evidence, ...] = ()
    where: Where = Where()
    # How directly the evidence proves a root cause (0-100): an AWS message that names the
    # cause outranks a configuration smell, and a root cause outranks the symptom it explains.
    confidence: int = 50
    tasks: int = 0  # how many of the recent stopped tasks show it
    # Seen in what the tasks or the service did (a stop, an event, a log line, a target's
    # health), not only read from the configuration: only observed failures make a service fail.
    observed: bool = False
    # Tells two findings of one cause apart (two crashes whose last log lines differ).
    variant: str = ""
    # The cause that explains this finding: a symptom, shown at info (CONTRACT §4).
    explained_by: Cause | None = None
    particulars: Particulars = Particulars()


# The note of a step whose failure the cause accounts for starts with these words.
EXPLAINED = "explained by the cause"


class ChecklistItem(Frozen):
    step: Step
    status: StepStatus
    note: str


class NextStep(Frozen):
    """What to do about the cause, in words, and when one fixes or proves it, the command."""

    step: Step
    action: str
    command: str | None = None  # one AWS CLI command, shell-quoted, ready to paste
    # The console page of the resource at fault (the target group, the role, the log stream).
    console_url: str | None = None
    console_label: str | None = None
    primary: Primary = "resource"  # where the answer is: the cause declares it


class Impact(Frozen):
    """How bad it is at a glance: tasks running against desired, stops, and which revision."""

    running: int | None = None
    desired: int | None = None
    stopped: int = 0
    first_stopped_at: datetime | None = None
    revision: str | None = None  # family:revision the service deploys
    rollout_state: str | None = None  # IN_PROGRESS, COMPLETED, FAILED


class FieldChange(Frozen):
    """One task-definition field that differs; environment and secrets list names only."""

    container: str | None
    field: str
    before: str
    after: str


class Changes(Frozen):
    """What differs between the last revision that ran healthy and the failing one."""

    from_arn: str
    from_revision: int
    to_arn: str
    to_revision: int
    source: str  # how the healthy revision was found: deployments or family
    fields: tuple[FieldChange, ...] = ()


class SeenBefore(Frozen):
    """The cause's earlier episodes on this service in the archive's window: how many times in
    all (this one too), when the last one before this ended, and the revision deployed after
    it (what coincided with its end, not what ended it)."""

    times: int
    last: datetime
    after_revision: str | None = None


class History(Frozen):
    """What stopped in the window, and where that was read (CONTRACT §4 `history`)."""

    source: Literal["ecs", "archive"]
    since: datetime
    stops: int
    first: datetime | None = None
    last: datetime | None = None
    by_cause: dict[str, int] = Field(default_factory=dict)
    skipped: int = 0
    seen_before: SeenBefore | None = None  # shown on the card; not in the JSON document
    archive_source: ArchiveSource = "ecs-why-archive"  # whose archive was read
    archive_group: str = ""


class Diagnosis(Frozen):
    target: Target
    region: str
    account: str | None = None
    status: Status
    service_state: ServiceState = "unknown"
    cause: Finding | None
    findings: tuple[Finding, ...]
    checklist: tuple[ChecklistItem, ...]
    next_step: NextStep | None
    task_arn: str | None = None
    stopped_tasks: int = 0
    summary: str = ""
    diagnosed_at: datetime
    gaps: tuple[Gap, ...] = ()
    # Carried along so the card's buttons (logs, details) need no further AWS call.
    task_definition: TaskDefinition | None = None
    log_streams: tuple[LogStream, ...] = ()
    stopped_at: datetime | None = None  # when the task the diagnosis centres on stopped
    impact: Impact | None = None
    changes: Changes | None = None
    history: History | None = None
    archive_missing: bool = False  # no event archive: say once how to set one up
    # What Container Insights showed of the focus task's memory, or that it is off.
    container_insights: ContainerInsights | None = None
