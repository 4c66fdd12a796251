"""Hand-built `Facts` for unit tests: a healthy Fargate service, changed with keyword overrides.

Every function returns a healthy default; a test overrides only what its story needs, e.g.
`facts(stopped_tasks=(stopped(reason="…"),))`. Names and ARNs are consistent across helpers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.checks.base import Knowledge
from bot.model import (
    Cause,
    Cluster,
    ContainerDefinition,
    ContainerInstance,
    ContainerState,
    Diagnosis,
    Fact,
    Facts,
    Finding,
    Gap,
    Image,
    LoadBalancerRef,
    LogGroup,
    LogStream,
    Network,
    NextStep,
    PolicyDocument,
    PortMapping,
    PortRule,
    Role,
    Route,
    SecurityGroup,
    Service,
    ServiceEvent,
    Subnet,
    Target,
    TargetGroup,
    TargetHealth,
    Task,
    TaskDefinition,
)
from bot.reason import reason
from tests.aws_cli import problems
from tests.unit.real_messages import REAL_MESSAGES

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
REGION = "us-east-1"
ACCOUNT = "123456789012"
CLUSTER = "production"
SERVICE = "api"
CLUSTER_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{CLUSTER}"
SERVICE_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{CLUSTER}/{SERVICE}"
TASK_DEFINITION_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/api:7"
EXECUTION_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/api-execution"
TASK_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/api-task"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/api:1.4.2"
LOG_GROUP = "/ecs/api"
TARGET_GROUP_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/api/0123abcd"
SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/db-AbCdEf"
SUBNET = "subnet-0aaa"
SECURITY_GROUP = "sg-0api"

ALLOW_ALL_EGRESS = PortRule(protocol="-1", cidrs=("0.0.0.0/0",))


def trust_ecs_tasks(service: str = "ecs-tasks.amazonaws.com") -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        ],
    }


def allow(actions: list[str], resources: list[str] | str = "*") -> dict[str, Any]:
    """An identity policy document with one Allow statement."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resources}],
    }


EXECUTION_POLICY = allow(
    [
        "ecr:GetAuthorizationToken",
        "ecr:BatchCheckLayerAvailability",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchGetImage",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ]
)


def role(arn: str = EXECUTION_ROLE_ARN, *policies: dict[str, Any], **overrides: Any) -> Role:
    fields: dict[str, Any] = {
        "arn": arn,
        "name": arn.rsplit("/", 1)[-1],
        "exists": True,
        "trust_policy": trust_ecs_tasks(),
        "policies": tuple(
            PolicyDocument(name=f"policy-{n}", document=doc)
            for n, doc in enumerate(policies or (EXECUTION_POLICY,))
        ),
    }
    return Role(**(fields | overrides))


def container_definition(**overrides: Any) -> ContainerDefinition:
    fields: dict[str, Any] = {
        "name": "app",
        "image": IMAGE,
        "port_mappings": (PortMapping(container_port=8080),),
        "log_driver": "awslogs",
        "log_options": {
            "awslogs-group": LOG_GROUP,
            "awslogs-region": REGION,
            "awslogs-stream-prefix": "ecs",
        },
        "environment_names": ("DATABASE_URL",),
    }
    return ContainerDefinition(**(fields | overrides))


def task_definition(**overrides: Any) -> TaskDefinition:
    fields: dict[str, Any] = {
        "arn": TASK_DEFINITION_ARN,
        "family": "api",
        "revision": 7,
        "network_mode": "awsvpc",
        "requires_compatibilities": ("FARGATE",),
        "cpu": "512",
        "memory": "1024",
        "execution_role_arn": EXECUTION_ROLE_ARN,
        "task_role_arn": TASK_ROLE_ARN,
        "containers": (container_definition(),),
    }
    return TaskDefinition(**(fields | overrides))


def container(**overrides: Any) -> ContainerState:
    fields: dict[str, Any] = {"name": "app", "last_status": "STOPPED", "image": IMAGE}
    return ContainerState(**(fields | overrides))


def task(number: int = 1, **overrides: Any) -> Task:
    """A task of the service; `number` makes its id, and a later number an older task."""
    started = NOW - timedelta(minutes=5 * number)
    fields: dict[str, Any] = {
        "arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/{CLUSTER}/{number:032x}",
        "cluster_arn": CLUSTER_ARN,
        "task_definition_arn": TASK_DEFINITION_ARN,
        "last_status": "RUNNING",
        "desired_status": "RUNNING",
        "group": f"service:{SERVICE}",
        "launch_type": "FARGATE",
        "created_at": started - timedelta(seconds=40),
        "started_at": started,
        "containers": (container(last_status="RUNNING"),),
        "subnet_id": SUBNET,
        "private_ip": f"10.0.1.{number}",
    }
    return Task(**(fields | overrides))


def stopped(
    number: int = 1,
    reason: str = "Essential container in task exited",
    *,
    stop_code: str | None = "EssentialContainerExited",
    exit_code: int | None = None,
    container_reason: str | None = None,
    ran_for: timedelta = timedelta(minutes=2),
    **overrides: Any,
) -> Task:
    """A stopped task of the service: its stop reason, code, and the app container's exit."""
    base = task(number)
    assert base.started_at is not None
    ended = base.started_at + ran_for
    fields: dict[str, Any] = {
        "last_status": "STOPPED",
        "desired_status": "STOPPED",
        "stop_code": stop_code,
        "stopped_reason": reason,
        "stopping_at": ended,
        "stopped_at": ended + timedelta(seconds=20),
        "containers": (container(exit_code=exit_code, reason=container_reason),),
    }
    return base.model_copy(update=fields | overrides)


def event(message: str, minutes_ago: int = 1) -> ServiceEvent:
    return ServiceEvent(created_at=NOW - timedelta(minutes=minutes_ago), message=message)


def service(**overrides: Any) -> Service:
    fields: dict[str, Any] = {
        "arn": SERVICE_ARN,
        "name": SERVICE,
        "cluster_arn": CLUSTER_ARN,
        "status": "ACTIVE",
        "desired": 2,
        "running": 2,
        "pending": 0,
        "launch_type": "FARGATE",
        "task_definition_arn": TASK_DEFINITION_ARN,
        "events": (event(f"(service {SERVICE}) has reached a steady state.", 30),),
        "subnets": (SUBNET,),
        "security_groups": (SECURITY_GROUP,),
        "assign_public_ip": False,
        "load_balancers": (
            LoadBalancerRef(
                target_group_arn=TARGET_GROUP_ARN, container_name="app", container_port=8080
            ),
        ),
        "health_check_grace_period": 60,
    }
    return Service(**(fields | overrides))


def subnet(**overrides: Any) -> Subnet:
    """A private subnet whose default route goes to a NAT gateway."""
    fields: dict[str, Any] = {
        "id": SUBNET,
        "vpc_id": "vpc-0main",
        "availability_zone": f"{REGION}a",
        "route_table_id": "rtb-0private",
        "routes": (
            Route(destination="10.0.0.0/16", target="local"),
            Route(destination="0.0.0.0/0", target="nat-0abc"),
        ),
    }
    return Subnet(**(fields | overrides))


# The load balancer's group may reach the app's port.
FROM_ALB = PortRule(protocol="tcp", from_port=8080, to_port=8080, security_groups=("sg-0alb",))


def network(**overrides: Any) -> Network:
    fields: dict[str, Any] = {
        "vpc_id": "vpc-0main",
        "subnets": (subnet(),),
        "security_groups": (
            SecurityGroup(
                id=SECURITY_GROUP, name="api", egress=(ALLOW_ALL_EGRESS,), ingress=(FROM_ALB,)
            ),
        ),
        "assign_public_ip": False,
        "task_has_public_ip": False,
    }
    return Network(**(fields | overrides))


def image(**overrides: Any) -> Image:
    fields: dict[str, Any] = {
        "uri": IMAGE,
        "registry": "ecr",
        "repository": "api",
        "tag": "1.4.2",
        "repository_exists": True,
        "tag_exists": True,
        "architectures": ("amd64",),
    }
    return Image(**(fields | overrides))


def target_health(**overrides: Any) -> TargetHealth:
    fields: dict[str, Any] = {"target_id": "10.0.1.1", "port": 8080, "state": "healthy"}
    return TargetHealth(**(fields | overrides))


def target_group(**overrides: Any) -> TargetGroup:
    fields: dict[str, Any] = {
        "arn": TARGET_GROUP_ARN,
        "name": "api",
        "port": 8080,
        "protocol": "HTTP",
        "target_type": "ip",
        "health_check_port": "traffic-port",
        "health_check_path": "/health",
        "targets": (target_health(), target_health(target_id="10.0.1.2")),
    }
    return TargetGroup(**(fields | overrides))


def logs(of: Task, *lines: str, container_name: str = "app") -> LogStream:
    """The tail of a task's app log stream."""
    return LogStream(
        container=container_name,
        task_id=of.task_id,
        group=LOG_GROUP,
        stream=f"ecs/{container_name}/{of.task_id}",
        lines=lines,
    )


def container_instance(number: int = 1, **overrides: Any) -> ContainerInstance:
    fields: dict[str, Any] = {
        "arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:container-instance/{CLUSTER}/{number:032x}",
        "ec2_instance_id": f"i-{number:017x}",
        "status": "ACTIVE",
        "agent_connected": True,
        "registered_cpu": 2048,
        "registered_memory": 3904,
        "remaining_cpu": 1024,
        "remaining_memory": 2048,
        "used_ports": (22, 2375, 2376, 51678, 51679),
    }
    return ContainerInstance(**(fields | overrides))


def cluster(**overrides: Any) -> Cluster:
    fields: dict[str, Any] = {
        "arn": CLUSTER_ARN,
        "name": CLUSTER,
        "status": "ACTIVE",
        "running_tasks": 2,
    }
    return Cluster(**(fields | overrides))


def gap(fact: Fact, action: str, message: str = "AccessDenied") -> Gap:
    return Gap(fact=fact, action=action, message=message)


# The fact the collectors (bot/aws/collect.py) file a failed read under, by action or service.
GAP_FACTS: dict[str, Fact] = {
    "ecs:DescribeServices": Fact.SERVICE,
    "ecs:ListTasks": Fact.TASKS,
    "ecs:DescribeTasks": Fact.TASKS,
    "ecs:DescribeTaskDefinition": Fact.TASK_DEFINITIONS,
    "ecs:ListContainerInstances": Fact.CLUSTER,
    "ecs:DescribeContainerInstances": Fact.CLUSTER,
    "ecs:DescribeClusters": Fact.CLUSTER,
    "ecs:DescribeCapacityProviders": Fact.CAPACITY_PROVIDERS,
    "logs:DescribeLogGroups": Fact.LOG_GROUPS,
    "logs:GetLogEvents": Fact.LOG_STREAMS,
    "logs:FilterLogEvents": Fact.ARCHIVE,
    "iam": Fact.ROLES,
    "ecr": Fact.IMAGES,
    "ec2": Fact.NETWORK,
    "elasticfilesystem": Fact.NETWORK,
    "elasticloadbalancing": Fact.TARGET_GROUPS,
}


def denied(*actions: str) -> tuple[Gap, ...]:
    """The gaps the collectors leave when these reads are refused, as AWS refuses them."""
    return tuple(
        gap(GAP_FACTS.get(a) or GAP_FACTS[a.partition(":")[0]], a, "access denied") for a in actions
    )


def failing(*stops: Task, **overrides: Any) -> Facts:
    """The service with none of its tasks running, and these recent stops."""
    fields: dict[str, Any] = {
        "service": service(running=0),
        "running_tasks": (),
        "stopped_tasks": stops,
    }
    return facts(**(fields | overrides))


def facts(**overrides: Any) -> Facts:
    """A healthy Fargate service behind a load balancer, with nothing stopped recently."""
    fields: dict[str, Any] = {
        "target": Target(cluster=CLUSTER, service=SERVICE, region=REGION),
        "region": REGION,
        "account": ACCOUNT,
        "collected_at": NOW,
        "service": service(),
        "running_tasks": (task(1), task(2)),
        "task_definitions": {TASK_DEFINITION_ARN: task_definition()},
        "cluster": cluster(),
        "log_groups": (LogGroup(name=LOG_GROUP, exists=True, region=REGION),),
        "roles": {
            EXECUTION_ROLE_ARN: role(EXECUTION_ROLE_ARN),
            TASK_ROLE_ARN: role(TASK_ROLE_ARN, allow(["s3:GetObject"], "arn:aws:s3:::api/*")),
        },
        "network": network(),
        "images": (image(),),
        "target_groups": (target_group(),),
    }
    return Facts(**(fields | overrides))


def on_ec2(**overrides: Any) -> Facts:
    """The same service on EC2 container instances, in bridge mode with a fixed host port."""
    definition = task_definition(
        network_mode="bridge",
        requires_compatibilities=("EC2",),
        cpu=None,
        memory=None,
        containers=(
            container_definition(
                cpu=512,
                memory=1024,
                port_mappings=(PortMapping(container_port=8080, host_port=80),),
            ),
        ),
    )
    fields: dict[str, Any] = {
        "service": service(launch_type="EC2", subnets=(), security_groups=()),
        "running_tasks": (task(1, launch_type="EC2"), task(2, launch_type="EC2")),
        "task_definitions": {TASK_DEFINITION_ARN: definition},
        "cluster": cluster(
            registered_instances=2,
            instances=(container_instance(1), container_instance(2)),
        ),
        "network": None,
        "target_groups": (target_group(target_type="instance", port=80),),
    }
    return facts(**(fields | overrides))


def diagnose(of: Facts) -> Diagnosis:
    """Every check, then the verdict: what the bot concludes from these facts."""
    return reason(of)


def codes(findings: Iterable[Finding]) -> list[Cause]:
    """The cause codes of some findings, in order."""
    return [finding.code for finding in findings]


def only(findings: list[Finding], code: Cause) -> Finding:
    """The one finding of a cause code (the test fails if there is not exactly one)."""
    matching = [finding for finding in findings if finding.code is code]
    assert len(matching) == 1, codes(findings)
    return matching[0]


def real(code: str, containing: str = "") -> str:
    """The words of a real message of a cause code (tests/unit/real_messages.py)."""
    return next(m.text for m in REAL_MESSAGES if m.code == code and containing in m.text)


def fixed(knowledge: Knowledge, of: Facts, **finding: Any) -> NextStep:
    """The next step the cause's fix builds for a finding of it (`finding` sets its fields,
    `where` and `particulars` among them); the test fails on a command the AWS CLI would not
    run."""
    fields: dict[str, Any] = {
        "code": knowledge.code,
        "step": knowledge.step,
        "severity": "error",
        "title": knowledge.title,
    }
    step = knowledge.fix(Finding(**(fields | finding)), of)
    for line in (step.command or "").splitlines():
        assert problems(line) == [], line
    return step
