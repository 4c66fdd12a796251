"""The AWS layer against moto's server over HTTP: what it reads, refuses and survives."""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import boto3
import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders
from botocore.loaders import Loader, create_loader
from moto.ecs.models import ecs_backends

from bot.aws import reads
from bot.aws.clients import AwsClients
from bot.aws.collect import collect_facts
from bot.demo.traffic import EmulatorServer, Faults
from bot.errors import AwsUnavailable, MutatingCallRefused, TargetError
from bot.model import Fact, Facts, Gap, Target
from bot.settings import Settings
from tests.conftest import free_port

if TYPE_CHECKING:
    from mypy_boto3_ecs.type_defs import NetworkConfigurationTypeDef

ACCOUNT = "123456789012"
REGION = "us-east-1"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
REPO_HOST = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
TRUST_ECS_TASKS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
PULL_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "ecr:BatchGetImage", "Resource": "*"}],
}
LOGS_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}],
}
IMAGE_MANIFEST = {
    "schemaVersion": 2,
    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": "sha256:c"},
    "layers": [],
}


@dataclass(frozen=True)
class Account:
    """What a scenario built, for assertions."""

    session: boto3.Session
    cluster_arn: str
    service_arn: str
    stopped_task_arn: str
    running_task_arn: str
    subnet_id: str
    vpc_id: str
    security_group_id: str
    role_arn: str
    target_group_arn: str


@functools.cache
def model_loader() -> Loader:
    """One loader for all tests, so each service model is parsed once (EC2's takes 0.5 s)."""
    return create_loader()


def new_session() -> boto3.Session:
    core = botocore.session.Session()
    core.register_component("data_loader", model_loader())
    return boto3.Session(botocore_session=core)


def make_clients(session: boto3.Session | None = None, **settings: Any) -> AwsClients:
    return AwsClients(session or new_session(), Settings(**settings))


def build_account(
    cluster: str = "prod", service: str = "api", *, public_ip: bool = False
) -> Account:
    """A Fargate service behind a target group: one task stopped (out of memory), one running;
    its tasks get a public address when `public_ip`."""
    session = new_session()
    ec2, ecs, iam = session.client("ec2"), session.client("ecs"), session.client("iam")
    logs, ecr, elbv2 = session.client("logs"), session.client("ecr"), session.client("elbv2")

    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    # moto's RunTask needs DNS hostnames for an awsvpc task's network interface.
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group_id = ec2.create_security_group(GroupName="api", Description="api", VpcId=vpc_id)[
        "GroupId"
    ]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
    ec2.associate_route_table(RouteTableId=table, SubnetId=subnet_id)
    ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=f"com.amazonaws.{REGION}.ecr.dkr")

    role_arn = iam.create_role(
        RoleName="api-execution", AssumeRolePolicyDocument=json.dumps(TRUST_ECS_TASKS)
    )["Role"]["Arn"]
    iam.put_role_policy(
        RoleName="api-execution", PolicyName="logs", PolicyDocument=json.dumps(LOGS_POLICY)
    )
    policy_arn = iam.create_policy(PolicyName="pull", PolicyDocument=json.dumps(PULL_POLICY))[
        "Policy"
    ]["Arn"]
    iam.attach_role_policy(RoleName="api-execution", PolicyArn=policy_arn)

    ecr.create_repository(repositoryName="api")
    ecr.put_image(repositoryName="api", imageManifest=json.dumps(IMAGE_MANIFEST), imageTag="v1")
    logs.create_log_group(logGroupName="/ecs/api")

    target_group_arn = elbv2.create_target_group(
        Name="api",
        Protocol="HTTP",
        Port=8080,
        VpcId=vpc_id,
        TargetType="ip",
        HealthCheckPath="/health",
    )["TargetGroups"][0]["TargetGroupArn"]

    cluster_arn = ecs.create_cluster(clusterName=cluster)["cluster"]["clusterArn"]
    task_definition = ecs.register_task_definition(
        family=service,
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        executionRoleArn=role_arn,
        containerDefinitions=[
            {
                "name": "app",
                "image": f"{REPO_HOST}/api:v1",
                "cpu": 256,
                "memory": 512,  # moto's RunTask needs a container memory
                "portMappings": [{"containerPort": 8080}],
                "environment": [{"name": "DB_PASSWORD", "value": "hunter2"}],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": "/ecs/api",
                        "awslogs-region": REGION,
                        "awslogs-stream-prefix": "ecs",
                    },
                },
            },
            {
                "name": "sidecar",
                "image": "public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0",
                "essential": False,
                "memory": 64,
            },
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    network: NetworkConfigurationTypeDef = {
        "awsvpcConfiguration": {
            "subnets": [subnet_id],
            "securityGroups": [group_id],
            "assignPublicIp": "ENABLED" if public_ip else "DISABLED",
        }
    }
    service_arn = ecs.create_service(
        cluster=cluster,
        serviceName=service,
        taskDefinition=task_definition,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=network,
        loadBalancers=[
            {"targetGroupArn": target_group_arn, "containerName": "app", "containerPort": 8080}
        ],
    )["service"]["serviceArn"]
    # moto's CreateService starts no tasks: run them as the service scheduler would.
    tasks = ecs.run_task(
        cluster=cluster,
        taskDefinition=task_definition,
        launchType="FARGATE",
        networkConfiguration=network,
        group=f"service:{service}",
        startedBy="ecs-svc/1",
        count=2,
    )["tasks"]
    stopped, running = tasks[0]["taskArn"], tasks[1]["taskArn"]
    ecs.stop_task(cluster=cluster, task=stopped, reason="Essential container in task exited")
    set_stopped_details(
        cluster, stopped, exit_code=137, reason="OutOfMemoryError: Container killed"
    )

    stream = f"ecs/app/{stopped.rsplit('/', 1)[-1]}"
    now_ms = int(time.time() * 1000)  # CloudWatch (and moto) drop events older than 14 days
    logs.create_log_stream(logGroupName="/ecs/api", logStreamName=stream)
    logs.put_log_events(
        logGroupName="/ecs/api",
        logStreamName=stream,
        logEvents=[
            {"timestamp": now_ms - 1000, "message": "starting"},
            {"timestamp": now_ms, "message": "heap exhausted\n"},
        ],
    )
    return Account(
        session=session,
        cluster_arn=cluster_arn,
        service_arn=service_arn,
        stopped_task_arn=stopped,
        running_task_arn=running,
        subnet_id=subnet_id,
        vpc_id=vpc_id,
        security_group_id=group_id,
        role_arn=role_arn,
        target_group_arn=target_group_arn,
    )


def set_stopped_details(cluster: str, task_arn: str, *, exit_code: int, reason: str) -> None:
    """Fields AWS sets on a stopped task that moto's API cannot: set on its backend objects."""
    task = ecs_backends[ACCOUNT][REGION].tasks[cluster][task_arn]
    vars(task).update(stop_code="EssentialContainerExited", stopped_at=NOW)
    vars(task.containers[0]).update(exitCode=exit_code, reason=reason)


def error_response(status: int, body: str) -> AWSResponse:
    class Raw:
        def stream(self, **_: Any) -> Iterator[bytes]:
            yield body.encode()

    return AWSResponse("http://refused.invalid", status, HTTPHeaders(), Raw())


def on_send(client: Any, service: str, handler: Callable[..., AWSResponse | None]) -> None:
    """Answer (or watch) a client's requests at the transport boundary, as test scaffolding."""
    client.meta.events.register(f"before-send.{service}", handler)


def iam_access_denied(**_: Any) -> AWSResponse:
    return error_response(
        403,
        "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
        "<Message>User is not authorized</Message></Error><RequestId>1</RequestId></ErrorResponse>",
    )


def json_error(status: int, code: str) -> Callable[..., AWSResponse]:
    def respond(**_: Any) -> AWSResponse:
        return error_response(status, json.dumps({"__type": code, "message": code}))

    return respond


# --------------------------------------------------------------------------- collecting


def test_collects_the_facts_of_a_service(aws: str, pool: ThreadPoolExecutor) -> None:
    account = build_account()

    facts = collect_facts(Target(service="api"), make_clients(), now=NOW, pool=pool)

    assert facts.gaps == ()
    assert facts.target == Target(cluster="prod", service="api", region=REGION)
    assert (facts.region, facts.account, facts.collected_at) == (REGION, ACCOUNT, NOW)
    assert facts.service is not None
    assert facts.service.arn == account.service_arn
    assert facts.service.load_balancers[0].target_group_arn == account.target_group_arn

    [stopped] = facts.stopped_tasks
    assert stopped.arn == account.stopped_task_arn
    assert (stopped.stop_code, stopped.stopped_reason) == (
        "EssentialContainerExited",
        "Essential container in task exited",
    )
    assert (stopped.containers[0].exit_code, stopped.containers[0].reason) == (
        137,
        "OutOfMemoryError: Container killed",
    )
    assert [t.arn for t in facts.running_tasks] == [account.running_task_arn]
    assert facts.focus_task == stopped

    definition = facts.task_definition
    assert definition is not None
    assert definition.execution_role_arn == account.role_arn
    assert definition.containers[0].environment_names == ("DB_PASSWORD",)
    assert "hunter2" not in facts.model_dump_json()

    assert facts.cluster is not None
    assert (facts.cluster.name, facts.cluster.instances) == ("prod", ())

    [group] = facts.log_groups
    assert (group.name, group.exists) == ("/ecs/api", True)
    [stream] = facts.log_streams
    assert stream.stream == f"ecs/app/{stopped.task_id}"
    assert (stream.found, stream.lines) == (True, ("starting", "heap exhausted"))

    role = facts.roles[account.role_arn]
    assert role.exists
    assert role.trust_policy == TRUST_ECS_TASKS
    assert {p.name: p.document for p in role.policies} == {"logs": LOGS_POLICY, "pull": PULL_POLICY}

    network = facts.network
    assert network is not None
    assert network.vpc_id == account.vpc_id
    [subnet] = network.subnets
    assert subnet.id == account.subnet_id
    assert {(r.destination, r.target[:4]) for r in subnet.routes} == {
        ("10.0.0.0/16", "loca"),
        ("0.0.0.0/0", "igw-"),
    }
    [group_facts] = network.security_groups
    assert group_facts.id == account.security_group_id
    assert group_facts.egress[0].cidrs == ("0.0.0.0/0",)
    assert network.vpc_endpoints == (f"com.amazonaws.{REGION}.ecr.dkr",)
    assert network.assign_public_ip is False

    images = {image.repository: image for image in facts.images}
    assert images["api"].registry == "ecr"
    assert (images["api"].repository_exists, images["api"].tag_exists) == (True, True)
    assert images["public.ecr.aws/aws-observability/aws-otel-collector"].registry == "other"

    [target_group] = facts.target_groups
    assert (target_group.arn, target_group.port) == (account.target_group_arn, 8080)
    assert target_group.health_check_path == "/health"


def test_a_plain_diagnosis_calls_each_operation_once(aws: str, pool: ThreadPoolExecutor) -> None:
    build_account()
    session = new_session()
    sent: list[tuple[str, str, bytes | str | None]] = []

    def spy(request: Any, event_name: str, **_: Any) -> None:
        sent.append((event_name, request.url, request.body))

    session.events.register("before-send", spy)
    clients = make_clients(session)

    collect_facts(Target(cluster="prod", service="api"), clients, now=NOW, pool=pool)

    assert len(sent) == len(set(sent)), "a request was made twice"
    assert clients.calls() == {
        "ecs:DescribeServices": 1,
        "ecs:ListTasks": 2,  # STOPPED and RUNNING
        "ecs:DescribeTasks": 1,
        "ecs:DescribeTaskDefinition": 1,
        "ecs:ListTaskDefinitions": 1,  # the family's revisions: the last healthy one
        "ecs:ListServiceDeployments": 1,  # and what its deployments replaced
        "ecs:DescribeServiceDeployments": 1,
        "ecs:DescribeServiceRevisions": 1,
        "ecs:DescribeClusters": 1,
        "ecs:ListAccountSettings": 1,  # the cluster has no Container Insights: is it the default?
        "logs:DescribeLogGroups": 1,
        "logs:GetLogEvents": 1,
        "iam:GetRole": 1,
        "iam:ListRolePolicies": 1,
        "iam:GetRolePolicy": 1,
        "iam:ListAttachedRolePolicies": 1,
        "iam:ListPolicies": 1,  # every managed policy's default version: no GetPolicy
        "iam:GetPolicyVersion": 1,
        "ec2:DescribeSubnets": 1,
        "ec2:DescribeRouteTables": 1,
        "ec2:DescribeSecurityGroups": 1,
        "ec2:DescribeVpcEndpoints": 1,
        "ecr:DescribeImages": 1,
        "elasticloadbalancing:DescribeTargetGroups": 1,
        "elasticloadbalancing:DescribeTargetHealth": 1,
    }


def test_a_diagnosis_takes_its_longest_chain_of_calls_not_their_sum(aws: str) -> None:
    build_account()
    session = new_session()
    round_trip: list[float] = [0.0]
    session.events.register("before-send", lambda **_: time.sleep(round_trip[0]))
    clients = make_clients(session)
    target = Target(cluster="prod", service="api")
    with ThreadPoolExecutor(max_workers=16) as pool:
        collect_facts(target, clients, now=NOW, pool=pool)  # makes the clients
        calls = sum(clients.calls().values())
        round_trip[0] = 0.2
        started = time.monotonic()
        collect_facts(target, clients, now=NOW, pool=pool)
        elapsed = time.monotonic() - started

    # DescribeServices → DescribeTaskDefinition → ListAttachedRolePolicies → GetPolicyVersion
    # is the longest chain here: 4 round trips, against 26 in all.
    assert calls == 26
    assert elapsed < 0.2 * 4 + 1.0, f"{elapsed:.2f}s: the calls did not overlap"


def test_a_task_arn_is_diagnosed_with_its_service(aws: str, pool: ThreadPoolExecutor) -> None:
    account = build_account()

    facts = collect_facts(
        Target(task_id=account.running_task_arn), make_clients(), now=NOW, pool=pool
    )

    assert facts.target.task_id == account.running_task_arn.rsplit("/", 1)[-1]
    assert facts.service is not None
    assert facts.service.name == "api"
    assert facts.stopped_tasks == ()
    assert [t.arn for t in facts.running_tasks] == [account.running_task_arn]
    assert facts.log_streams[0].found is False  # the running task wrote no logs


def test_a_task_id_with_its_cluster(aws: str, pool: ThreadPoolExecutor) -> None:
    account = build_account()
    task_id = account.stopped_task_arn.rsplit("/", 1)[-1]

    facts = collect_facts(
        Target(cluster="prod", task_id=task_id), make_clients(), now=NOW, pool=pool
    )

    assert [t.arn for t in facts.stopped_tasks] == [account.stopped_task_arn]
    assert facts.log_streams[0].lines == ("starting", "heap exhausted")


def test_container_instances_of_an_ec2_cluster(aws: str, pool: ThreadPoolExecutor) -> None:
    session = new_session()
    ecs, ec2 = session.client("ecs"), session.client("ec2")
    image_id = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance_id = ec2.run_instances(ImageId=image_id, MinCount=1, MaxCount=1)["Instances"][0][
        "InstanceId"
    ]
    ecs.create_cluster(clusterName="hosts")
    ecs.register_container_instance(
        cluster="hosts", instanceIdentityDocument=json.dumps({"instanceId": instance_id})
    )
    definition = ecs.register_task_definition(
        family="worker",
        networkMode="bridge",
        containerDefinitions=[
            {
                "name": "worker",
                "image": "busybox",
                "cpu": 1024,
                "memory": 1024,
                "portMappings": [{"containerPort": 80, "hostPort": 8080}],
            }
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(
        cluster="hosts",
        serviceName="worker",
        taskDefinition=definition,
        desiredCount=1,
        launchType="EC2",
    )
    ecs.run_task(
        cluster="hosts", taskDefinition=definition, launchType="EC2", group="service:worker"
    )

    facts = collect_facts(Target(service="worker"), make_clients(), now=NOW, pool=pool)

    assert facts.gaps == ()
    assert facts.network is None  # bridge mode: the host's network
    assert facts.cluster is not None
    [instance] = facts.cluster.instances
    assert instance.ec2_instance_id == instance_id
    assert (instance.status, instance.agent_connected) == ("ACTIVE", True)
    assert instance.registered_cpu == 4096
    assert instance.remaining_cpu == 4096 - 1024
    assert 8080 in instance.used_ports
    assert facts.images[0].registry == "other"


# --------------------------------------------------------------------------- targets


def test_an_unknown_service_lists_the_clusters(aws: str, pool: ThreadPoolExecutor) -> None:
    build_account()
    new_session().client("ecs").create_cluster(clusterName="staging")

    with pytest.raises(TargetError, match="no service named nope in any cluster of us-east-1; "):
        collect_facts(Target(service="nope"), make_clients(), now=NOW, pool=pool)
    with pytest.raises(TargetError, match="clusters: prod, staging"):
        collect_facts(Target(service="nope"), make_clients(), now=NOW, pool=pool)


def test_an_unknown_cluster_lists_the_clusters(aws: str, pool: ThreadPoolExecutor) -> None:
    build_account()

    with pytest.raises(TargetError, match="no cluster named nope in us-east-1; clusters: prod"):
        collect_facts(Target(cluster="nope", service="api"), make_clients(), now=NOW, pool=pool)


def test_an_unknown_service_in_a_cluster(aws: str, pool: ThreadPoolExecutor) -> None:
    build_account()

    with pytest.raises(TargetError, match="no service named nope in cluster prod"):
        collect_facts(Target(cluster="prod", service="nope"), make_clients(), now=NOW, pool=pool)


def test_no_request_of_a_target_not_found_outlives_its_answer(
    aws: str, emulator: EmulatorServer
) -> None:
    """The reads started beside DescribeServices are dropped once it says the service does not
    exist: those still queued on the pool are never sent, those in flight have answered by the
    time the error is raised (each is held here until DescribeServices has answered, or 10 s,
    and then takes the emulator's 0.2 s)."""
    build_account()
    session = new_session()
    answered = threading.Event()
    sent: list[str] = []
    received: list[str] = []

    def hold(request: Any, **_: Any) -> None:
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else target
        if not target.endswith(".DescribeServices"):
            answered.wait(timeout=10)
        sent.append(request.url)

    session.events.register("before-send", hold)
    session.events.register("response-received", lambda **_: received.append(""))
    session.events.register("after-call.ecs.DescribeServices", lambda **_: answered.set())
    emulator.traffic.latency = 0.2
    try:
        with ThreadPoolExecutor(1) as one:
            with pytest.raises(TargetError, match="no service named nope in cluster prod"):
                collect_facts(
                    Target(cluster="prod", service="nope"), make_clients(session), now=NOW, pool=one
                )
            at_answer = (len(sent), len(received))
        # Leaving the block has run whatever the pool still held.
    finally:
        emulator.traffic.latency = 0.0
    assert at_answer[0] == at_answer[1]
    assert (len(sent), len(received)) == at_answer


def test_a_service_in_several_clusters_is_ambiguous(aws: str, pool: ThreadPoolExecutor) -> None:
    ecs = new_session().client("ecs")
    definition = ecs.register_task_definition(
        family="api", containerDefinitions=[{"name": "app", "image": "nginx", "memory": 128}]
    )["taskDefinition"]["taskDefinitionArn"]
    for cluster in ("blue", "green"):
        ecs.create_cluster(clusterName=cluster)
        ecs.create_service(
            cluster=cluster, serviceName="api", taskDefinition=definition, desiredCount=1
        )

    with pytest.raises(TargetError, match="service api is in several clusters: blue, green"):
        collect_facts(Target(service="api"), make_clients(), now=NOW, pool=pool)


def test_an_unknown_task(aws: str, pool: ThreadPoolExecutor) -> None:
    build_account()
    arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/prod/0123456789abcdef0123456789abcdef"

    with pytest.raises(TargetError, match="no task 0123456789abcdef0123456789abcdef in cluster"):
        collect_facts(Target(task_id=arn), make_clients(), now=NOW, pool=pool)


# --------------------------------------------------------------------------- guard and failures


def test_the_guard_refuses_mutating_calls_before_they_are_sent(aws: str) -> None:
    account = build_account()
    session = new_session()
    sent: list[str] = []
    session.events.register("before-send", lambda event_name, **_: sent.append(event_name))
    clients = make_clients(session)

    with pytest.raises(MutatingCallRefused, match="ecs:DeleteService"):
        clients.ecs().delete_service(cluster="prod", service="api", force=True)
    with pytest.raises(MutatingCallRefused, match="ecs:StopTask"):
        clients.ecs().stop_task(cluster="prod", task=account.running_task_arn)
    with pytest.raises(MutatingCallRefused, match="iam:PutRolePolicy"):
        clients.iam().put_role_policy(RoleName="api-execution", PolicyName="x", PolicyDocument="{}")

    assert sent == []
    assert clients.calls() == {}
    [service] = account.session.client("ecs").describe_services(cluster="prod", services=["api"])[
        "services"
    ]
    assert service["status"] == "ACTIVE"
    [task] = account.session.client("ecs").describe_tasks(
        cluster="prod", tasks=[account.running_task_arn]
    )["tasks"]
    assert task["lastStatus"] == "RUNNING"


@pytest.mark.parametrize(
    ("service", "call"),
    [
        ("secretsmanager", lambda c: c.get_secret_value(SecretId="db")),
        ("ssm", lambda c: c.get_parameter(Name="/db/password", WithDecryption=True)),
        ("ssm", lambda c: c.get_parameters(Names=["/db/password"])),
        ("ssm", lambda c: c.get_parameters_by_path(Path="/db")),
        ("ecr", lambda c: c.get_authorization_token()),
        ("ecr", lambda c: c.get_download_url_for_layer(repositoryName="api", layerDigest="x")),
    ],
)
def test_the_guard_refuses_reads_of_secret_material(
    aws: str, service: str, call: Callable[[Any], object]
) -> None:
    clients = make_clients()

    with pytest.raises(MutatingCallRefused):
        call(clients.client(service))

    assert clients.calls() == {}


def test_a_denied_iam_call_is_a_gap_and_the_diagnosis_goes_on(
    aws: str, pool: ThreadPoolExecutor
) -> None:
    account = build_account()
    clients = make_clients()
    on_send(clients.iam(), "iam", iam_access_denied)

    facts = collect_facts(Target(service="api"), clients, now=NOW, pool=pool)

    assert Gap(fact=Fact.ROLES, action="iam:GetRole", message="access denied") in facts.gaps
    assert {gap.fact for gap in facts.gaps} == {Fact.ROLES}
    assert facts.roles == {}
    assert facts.stopped_tasks[0].arn == account.stopped_task_arn
    assert facts.log_streams[0].found


def test_a_missing_role_repository_and_log_group_are_facts_not_gaps(
    aws: str, pool: ThreadPoolExecutor
) -> None:
    build_account()
    session = new_session()
    session.client("iam").detach_role_policy(
        RoleName="api-execution", PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/pull"
    )
    session.client("iam").delete_role_policy(RoleName="api-execution", PolicyName="logs")
    session.client("iam").delete_role(RoleName="api-execution")
    session.client("ecr").delete_repository(repositoryName="api", force=True)
    session.client("logs").delete_log_group(logGroupName="/ecs/api")

    facts = collect_facts(Target(service="api"), make_clients(), now=NOW, pool=pool)

    assert facts.gaps == ()
    [role] = facts.roles.values()
    assert (role.name, role.exists) == ("api-execution", False)
    assert facts.log_groups[0].exists is False
    assert facts.log_streams[0].found is False
    image = next(i for i in facts.images if i.repository == "api")
    assert image.repository_exists is False


def test_a_missing_tag_is_a_fact(aws: str, pool: ThreadPoolExecutor) -> None:
    build_account()
    new_session().client("ecr").batch_delete_image(
        repositoryName="api", imageIds=[{"imageTag": "v1"}]
    )

    facts = collect_facts(Target(service="api"), make_clients(), now=NOW, pool=pool)

    image = next(i for i in facts.images if i.repository == "api")
    assert (image.repository_exists, image.tag_exists) == (True, False)


def test_ecr_throttling_is_retried(aws: str) -> None:
    new_session().client("ecr").create_repository(repositoryName="api")
    clients = make_clients(aws_max_attempts=4)
    attempts: list[str] = []
    throttle = json_error(400, "ThrottleException")

    def throttle_twice(**kwargs: Any) -> AWSResponse | None:
        attempts.append(kwargs["event_name"])
        return throttle() if len(attempts) <= 2 else None

    on_send(clients.ecr(), "ecr", throttle_twice)

    assert clients.ecr().describe_repositories()["repositories"][0]["repositoryName"] == "api"
    assert len(attempts) == 3
    assert clients.calls() == {"ecr:DescribeRepositories": 1}


def test_unreachable_aws_is_reported_with_the_endpoint(
    aws: str, monkeypatch: pytest.MonkeyPatch, pool: ThreadPoolExecutor
) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    clients = make_clients(aws_max_attempts=1, aws_connect_timeout=1)

    with pytest.raises(AwsUnavailable, match=f"cannot reach AWS at {endpoint}"):
        collect_facts(Target(service="api"), clients, now=NOW, pool=pool)


def test_a_refused_first_call_names_the_permission(aws: str, pool: ThreadPoolExecutor) -> None:
    clients = make_clients()
    on_send(clients.ecs(), "ecs", json_error(400, "AccessDeniedException"))

    with pytest.raises(AwsUnavailable, match="AWS refused ecs:DescribeServices: access denied"):
        collect_facts(Target(cluster="prod", service="api"), clients, now=NOW, pool=pool)


def test_no_region_says_how_to_set_one(
    aws: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any, pool: ThreadPoolExecutor
) -> None:
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))

    with pytest.raises(AwsUnavailable, match="set AWS_REGION"):
        collect_facts(Target(service="api"), make_clients(), now=NOW, pool=pool)


def test_scope_tells_accounts_and_regions_apart_without_credentials(
    aws: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = AwsClients.from_settings(Settings()).scope
    there = AwsClients.from_settings(Settings(), region="eu-west-1").scope
    again = AwsClients.from_settings(Settings()).scope
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAOTHERACCOUNT0000")
    other_account = AwsClients.from_settings(Settings()).scope

    assert (here.split(":")[0], there.split(":")[0]) == (REGION, "eu-west-1")
    assert here == again
    assert other_account != here
    assert "AKIA" not in other_account


def test_calls_still_running_at_the_deadline_become_gaps(
    aws: str, pool: ThreadPoolExecutor
) -> None:
    build_account()
    clients = make_clients()
    collect_facts(Target(service="api"), clients, now=NOW, pool=pool)  # makes the clients

    def slow(**_: Any) -> None:
        time.sleep(3.0)

    on_send(clients.iam(), "iam", slow)
    started = time.monotonic()

    facts = collect_facts(Target(service="api"), clients, now=NOW, pool=pool, timeout=0.75)

    # A second's slack: CI runs the tests two at a time on two cores.
    assert time.monotonic() - started < 0.75 + 1.0
    assert Gap(fact=Fact.ROLES, action="iam:GetRole", message="timed out") in facts.gaps
    assert facts.stopped_tasks


def test_facts_survive_a_json_round_trip(aws: str, pool: ThreadPoolExecutor) -> None:
    build_account()

    facts = collect_facts(Target(service="api"), make_clients(), now=NOW, pool=pool)

    assert Facts.model_validate_json(facts.model_dump_json()) == facts


# --------------------------------------------------------------------------- the read graph


def test_one_thread_shared_by_two_diagnoses_does_not_deadlock(aws: str) -> None:
    build_account()
    clients = make_clients()
    target = Target(cluster="prod", service="api")

    with ThreadPoolExecutor(max_workers=1) as pool, ThreadPoolExecutor(max_workers=2) as callers:
        runs = [
            callers.submit(collect_facts, target, clients, now=NOW, pool=pool) for _ in range(2)
        ]
        done = [run.result(timeout=60) for run in runs]

    assert [facts.gaps for facts in done] == [(), ()]
    assert all(facts.roles and facts.log_streams and facts.network for facts in done)


def test_reads_still_queued_at_the_deadline_are_timed_out_gaps(aws: str) -> None:
    build_account()
    clients = make_clients()
    with ThreadPoolExecutor(max_workers=1) as pool:
        collect_facts(Target(service="api"), clients, now=NOW, pool=pool)  # makes the clients
        on_send(clients.iam(), "iam", lambda **_: time.sleep(2.0))
        started = time.monotonic()

        facts = collect_facts(Target(service="api"), clients, now=NOW, pool=pool, timeout=0.75)

        elapsed = time.monotonic() - started
    # The only thread was held by a slow IAM call: every read queued behind it, of whatever
    # fact, is given up at the deadline too.
    assert {gap.message for gap in facts.gaps} == {"timed out"}
    assert "iam:ListPolicies" in {gap.action for gap in facts.gaps}
    assert {Fact.ROLES, Fact.TASKS, Fact.CLUSTER} <= {gap.fact for gap in facts.gaps}
    assert elapsed < 0.75 + 1.0  # before the slow call ends, with a second's slack


@pytest.mark.parametrize(
    "read",
    [
        reads.LIST_TASKS,
        reads.DESCRIBE_TASKS,
        reads.DESCRIBE_TASK_DEFINITION,
        reads.LIST_TASK_DEFINITIONS,
        reads.DESCRIBE_CLUSTERS,
        reads.DESCRIBE_LOG_GROUPS,
        reads.GET_LOG_EVENTS,
        reads.GET_ROLE,
        reads.LIST_ROLE_POLICIES,
        reads.GET_ROLE_POLICY,
        reads.LIST_ATTACHED_ROLE_POLICIES,
        reads.GET_POLICY_VERSION,
        reads.DESCRIBE_SUBNETS,
        reads.DESCRIBE_ROUTE_TABLES,
        reads.DESCRIBE_SECURITY_GROUPS,
        reads.DESCRIBE_VPC_ENDPOINTS,
        reads.DESCRIBE_IMAGES,
        reads.DESCRIBE_TARGET_GROUPS,
        reads.DESCRIBE_TARGET_HEALTH,
    ],
    ids=lambda read: read.action,
)
def test_a_refused_read_is_one_gap_in_the_fact_it_feeds(
    aws: str, emulator: EmulatorServer, pool: ThreadPoolExecutor, read: reads.Read
) -> None:
    build_account()
    target = Target(cluster="prod", service="api")

    with emulator.traffic.inject(Faults(deny=frozenset({read.action}))):
        facts = collect_facts(target, make_clients(), now=NOW, pool=pool)

    assert facts.gaps == (Gap(fact=read.fact, action=read.action, message="access denied"),)


@pytest.mark.parametrize("public_ip", [False, True])
def test_the_network_interface_is_read_only_when_the_task_may_have_a_public_address(
    aws: str, emulator: EmulatorServer, pool: ThreadPoolExecutor, public_ip: bool
) -> None:
    """A service that gives its tasks no public address leaves nothing for the interface to
    tell; one that does is asked (and a refusal is a gap in the network)."""
    build_account(public_ip=public_ip)
    target = Target(cluster="prod", service="api")
    read = reads.DESCRIBE_NETWORK_INTERFACES

    with emulator.traffic.inject(Faults(deny=frozenset({read.action}))):
        facts = collect_facts(target, make_clients(), now=NOW, pool=pool)

    gap = Gap(fact=read.fact, action=read.action, message="access denied")
    assert facts.gaps == ((gap,) if public_ip else ())
    assert emulator.traffic.counts()[read.action] == (1 if public_ip else 0)


def test_a_refused_policy_list_costs_a_get_policy_not_a_gap(
    aws: str, emulator: EmulatorServer, pool: ThreadPoolExecutor
) -> None:
    account = build_account()
    clients = make_clients()

    with emulator.traffic.inject(Faults(deny=frozenset({reads.LIST_POLICIES.action}))):
        facts = collect_facts(Target(cluster="prod", service="api"), clients, now=NOW, pool=pool)

    assert facts.gaps == ()
    assert clients.calls()["iam:GetPolicy"] == 1
    role = facts.roles[account.role_arn]
    assert {p.name: p.document for p in role.policies} == {"logs": LOGS_POLICY, "pull": PULL_POLICY}


def test_what_two_revisions_share_is_read_once(aws: str, emulator: EmulatorServer) -> None:
    account = build_account()
    ecs = account.session.client("ecs")
    first = ecs.describe_services(cluster="prod", services=["api"])["services"][0]
    definition = ecs.describe_task_definition(taskDefinition=first["taskDefinition"])[
        "taskDefinition"
    ]
    second = ecs.register_task_definition(
        family=definition["family"],
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        executionRoleArn=account.role_arn,
        taskRoleArn=account.role_arn,  # the same role twice, and in both revisions
        containerDefinitions=definition["containerDefinitions"],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster="prod", service="api", taskDefinition=second)
    clients = make_clients()
    emulator.traffic.reset()

    with ThreadPoolExecutor(max_workers=16) as pool:
        facts = collect_facts(Target(cluster="prod", service="api"), clients, now=NOW, pool=pool)

    assert emulator.traffic.repeats() == []
    assert set(facts.task_definitions) == {first["taskDefinition"], second}
    calls = clients.calls()
    assert calls["ecs:DescribeTaskDefinition"] == 2
    assert (calls["iam:GetRole"], calls["iam:GetPolicyVersion"]) == (1, 1)
    assert calls["ecr:DescribeImages"] == 1
    assert calls["logs:DescribeLogGroups"] == 1


def test_the_tasks_are_asked_for_beside_the_service(aws: str, pool: ThreadPoolExecutor) -> None:
    """ListTasks needs only the names: it is sent while DescribeServices is still waiting for
    its answer (held here until ListTasks has gone out, or 10 s)."""
    build_account()
    session = new_session()
    listed = threading.Event()

    def hold(request: Any, **_: Any) -> None:
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else target
        if target.endswith(".ListTasks"):
            listed.set()
        elif target.endswith(".DescribeServices"):
            held.append(listed.wait(timeout=10))

    held: list[bool] = []
    session.events.register("before-send.ecs", hold)
    facts = collect_facts(
        Target(cluster="prod", service="api"), make_clients(session), now=NOW, pool=pool
    )

    assert held == [True]
    assert facts.stopped_tasks
    assert facts.running_tasks
