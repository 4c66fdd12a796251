"""Every AWS read the bot makes, declared once: its operation, the fact it feeds, how long its
answer stays true.

The IAM action of a read is derived from botocore's model of the operation (the signing name
is the IAM prefix: "elasticloadbalancing" for elbv2), never typed by hand. From this table
follow the actions the policy must grant (`fact_actions`), the gaps the collector records and
the fact cache's lifetimes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.loaders import Loader
from botocore.model import ServiceModel

from bot.aws.service_models import ReadModels, WalkedOnce
from bot.model import Fact
from bot.user_cache import cache_dir

if TYPE_CHECKING:
    from botocore.model import OperationModel

IMMUTABLE = 24 * 3600  # a stopped task, a task-definition revision, a policy version
SLOW = 300  # roles, routes, images: minutes
FAST = 15  # a service, its running tasks, target health: seconds


def _stopped_tasks_ttl(answer: Mapping[str, Any]) -> int:
    """DescribeTasks: a task that has stopped never changes again."""
    tasks = answer.get("tasks") or []
    stopped = tasks and all(t.get("lastStatus") == "STOPPED" for t in tasks)
    return IMMUTABLE if stopped else FAST


@dataclass(frozen=True)
class Read:
    """One AWS read operation.

    `service` is botocore's client name ("ecs", "elbv2"), `operation` the API's ("ListTasks").
    `ttl` is how long an answer may be cached, in seconds (0: never), or a function of the
    answer. `window` names a request field that moves with the clock: an answer read from an
    earlier value of it covers a later one (the caller keeps only what falls in its window).
    An `optional` read only enriches a diagnosis: it is tried once, never retried, and where
    it failed it is not asked again for a while (bot/aws/graph.py).
    """

    service: str
    operation: str
    fact: Fact
    ttl: int | Callable[[Mapping[str, Any]], int] = 0
    window: str | None = None
    optional: bool = False

    @property
    def action(self) -> str:
        """The IAM action, e.g. "ecs:DescribeServices"."""
        return _action(self.service, self.operation)

    def ttl_of(self, answer: Mapping[str, Any]) -> int:
        return self.ttl(answer) if callable(self.ttl) else self.ttl


# ECS
LIST_CLUSTERS = Read("ecs", "ListClusters", Fact.SERVICE, SLOW)
DESCRIBE_SERVICES = Read("ecs", "DescribeServices", Fact.SERVICE, FAST)
LIST_TASKS = Read("ecs", "ListTasks", Fact.TASKS, FAST)
DESCRIBE_TASKS = Read("ecs", "DescribeTasks", Fact.TASKS, _stopped_tasks_ttl)
DESCRIBE_TASK_DEFINITION = Read("ecs", "DescribeTaskDefinition", Fact.TASK_DEFINITIONS, IMMUTABLE)
DESCRIBE_CLUSTERS = Read("ecs", "DescribeClusters", Fact.CLUSTER, FAST)
LIST_CONTAINER_INSTANCES = Read("ecs", "ListContainerInstances", Fact.CLUSTER, FAST)
DESCRIBE_CONTAINER_INSTANCES = Read("ecs", "DescribeContainerInstances", Fact.CLUSTER, FAST)
DESCRIBE_CAPACITY_PROVIDERS = Read("ecs", "DescribeCapacityProviders", Fact.CAPACITY_PROVIDERS)
# What ran before: the family's revisions and the service deployments API.
LIST_TASK_DEFINITIONS = Read("ecs", "ListTaskDefinitions", Fact.DEPLOYMENTS, FAST)
# The deployments lineage only tells what changed; the service's deployments[] stand in for it.
LIST_SERVICE_DEPLOYMENTS = Read(
    "ecs", "ListServiceDeployments", Fact.DEPLOYMENTS, FAST, optional=True
)
DESCRIBE_SERVICE_DEPLOYMENTS = Read(
    "ecs", "DescribeServiceDeployments", Fact.DEPLOYMENTS, FAST, optional=True
)
DESCRIBE_SERVICE_REVISIONS = Read(
    "ecs", "DescribeServiceRevisions", Fact.DEPLOYMENTS, IMMUTABLE, optional=True
)
# Container Insights: whether it is on, and the focus task's memory in its last minutes. Only
# evidence: optional, and the performance read shares the archive's operation, cache and window.
LIST_ACCOUNT_SETTINGS = Read("ecs", "ListAccountSettings", Fact.INSIGHTS, SLOW, optional=True)
# CloudWatch Logs
DESCRIBE_LOG_GROUPS = Read("logs", "DescribeLogGroups", Fact.LOG_GROUPS, SLOW)
GET_LOG_EVENTS = Read("logs", "GetLogEvents", Fact.LOG_STREAMS, FAST)
FILTER_LOG_EVENTS = Read("logs", "FilterLogEvents", Fact.ARCHIVE, FAST, window="startTime")
FILTER_PERFORMANCE_EVENTS = Read(
    "logs", "FilterLogEvents", Fact.INSIGHTS, FAST, window="startTime", optional=True
)
# IAM
GET_ROLE = Read("iam", "GetRole", Fact.ROLES, SLOW)
LIST_ROLE_POLICIES = Read("iam", "ListRolePolicies", Fact.ROLES, SLOW)
GET_ROLE_POLICY = Read("iam", "GetRolePolicy", Fact.ROLES, SLOW)
LIST_ATTACHED_ROLE_POLICIES = Read("iam", "ListAttachedRolePolicies", Fact.ROLES, SLOW)
LIST_POLICIES = Read("iam", "ListPolicies", Fact.ROLES, SLOW)
GET_POLICY = Read("iam", "GetPolicy", Fact.ROLES, SLOW)
GET_POLICY_VERSION = Read("iam", "GetPolicyVersion", Fact.ROLES, IMMUTABLE)
# EC2 and EFS
DESCRIBE_SUBNETS = Read("ec2", "DescribeSubnets", Fact.NETWORK, SLOW)
DESCRIBE_ROUTE_TABLES = Read("ec2", "DescribeRouteTables", Fact.NETWORK, SLOW)
DESCRIBE_SECURITY_GROUPS = Read("ec2", "DescribeSecurityGroups", Fact.NETWORK, SLOW)
DESCRIBE_VPC_ENDPOINTS = Read("ec2", "DescribeVpcEndpoints", Fact.NETWORK, SLOW)
DESCRIBE_NETWORK_INTERFACES = Read("ec2", "DescribeNetworkInterfaces", Fact.NETWORK, SLOW)
DESCRIBE_MOUNT_TARGETS = Read("efs", "DescribeMountTargets", Fact.NETWORK)
# ECR: BatchGetImage counts as a pull, so it is read only on evidence of a platform mismatch.
DESCRIBE_IMAGES = Read("ecr", "DescribeImages", Fact.IMAGES, SLOW)
BATCH_GET_IMAGE = Read("ecr", "BatchGetImage", Fact.IMAGES)
# ELBv2
DESCRIBE_TARGET_GROUPS = Read("elbv2", "DescribeTargetGroups", Fact.TARGET_GROUPS, SLOW)
DESCRIBE_TARGET_HEALTH = Read("elbv2", "DescribeTargetHealth", Fact.TARGET_GROUPS, FAST)

# RDS and ElastiCache: what the app's logs say it could not reach, and the groups in front of
# it. Optional: they only add evidence, read once an app's log names such an endpoint.
DESCRIBE_DB_INSTANCES = Read("rds", "DescribeDBInstances", Fact.DEPENDENCIES, SLOW, optional=True)
DESCRIBE_DB_CLUSTERS = Read("rds", "DescribeDBClusters", Fact.DEPENDENCIES, SLOW, optional=True)
DESCRIBE_CACHE_CLUSTERS = Read(
    "elasticache", "DescribeCacheClusters", Fact.DEPENDENCIES, SLOW, optional=True
)
DESCRIBE_REPLICATION_GROUPS = Read(
    "elasticache", "DescribeReplicationGroups", Fact.DEPENDENCIES, SLOW, optional=True
)

READS: tuple[Read, ...] = tuple(v for v in tuple(globals().values()) if isinstance(v, Read))
# Two reads of one operation (the archive's and the performance log's FilterLogEvents) agree on
# how long an answer is kept: the fact cache knows an operation, not which read made it.
BY_OPERATION: dict[tuple[str, str], Read] = {(r.service, r.operation): r for r in reversed(READS)}


@functools.cache
def model_loader() -> Loader:
    """botocore's loader of service models, shared by every session of the process: a model
    is parsed once, not once per session, and holds only the operations declared here."""
    operations: dict[str, set[str]] = {}
    for read in READS:
        operations.setdefault(read.service, set()).add(read.operation)
    try:
        directory: Path | None = cache_dir() / "models"
    except RuntimeError:  # no home directory to keep them in
        directory = None
    loader = WalkedOnce()
    loader.file_loader = ReadModels({s: frozenset(o) for s, o in operations.items()}, directory)
    return loader


@functools.cache
def _service_model(service: str) -> ServiceModel:
    return ServiceModel(model_loader().load_service_model(service, "service-2"), service)


def iam_action(operation: OperationModel) -> str:
    """The IAM-style name of an operation, e.g. "ecs:DescribeServices"."""
    # The signing name is the IAM prefix ("elasticloadbalancing" for elbv2, "logs" for logs).
    return f"{operation.service_model.signing_name}:{operation.name}"


@functools.cache
def _action(service: str, operation: str) -> str:
    return iam_action(_service_model(service).operation_model(operation))


def read_of(operation: OperationModel) -> Read | None:
    """The declared read behind a botocore operation, if it is one."""
    return BY_OPERATION.get((operation.service_model.service_name, operation.name))


@functools.cache
def fact_actions() -> dict[Fact, frozenset[str]]:
    """The IAM actions behind each fact: what a check that reads the fact relies on."""
    actions: dict[Fact, set[str]] = {}
    for read in READS:
        actions.setdefault(read.fact, set()).add(read.action)
    return {fact: frozenset(found) for fact, found in actions.items()}


def all_actions() -> frozenset[str]:
    """Every IAM action a read can make: what deploy/iam-policy.json must grant."""
    return frozenset(read.action for read in READS)
