"""Plants one real message in an otherwise healthy service of the emulated account.

Each message goes where a user would meet it: a stopped reason on the service's stopped tasks,
a container reason under "Essential container in task exited", a service event on a service
short of its desired count, a target-health reason on its load balancer's targets, or a log line
as the last line of a stopped container that exited 1. Everything else about the service (its
image, roles, network, log group) is right, so only the message can explain what went wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import boto3

from bot.demo.backend_patch import MotoAccount, prepare_emulator
from bot.demo.builder import build_service
from bot.demo.infrastructure import Clients, Infrastructure, build_infrastructure
from bot.demo.specs import Scenario, ServiceSpec, Stop, container, fargate_task, repeat
from bot.model import Cause
from tests.unit.real_messages import EXIT_CODES, RealMessage

ESSENTIAL_EXITED = "Essential container in task exited"
# How AWS ends a task, by the words of its stopped reason; anything else never started.
STOP_CODES = (
    (ESSENTIAL_EXITED, "EssentialContainerExited"),
    ("Spot Task", "SpotInterruption"),
    ("maintenance", "TerminationNotice"),
    ("Host EC2", "TerminationNotice"),
    ("deregistration", "TerminationNotice"),
    ("Scaling activity", "ServiceSchedulerInitiated"),
    ("health checks", "ServiceSchedulerInitiated"),
    ("stopped by user", "UserInitiated"),
)
# What the app said before its last words (neutral: no row of any table reads them).
EARLIER_LINES = ("Starting worker process", "Loaded configuration from environment")
RAN = timedelta(minutes=3)


def service_name(index: int) -> str:
    """The service, and its cluster: moto lists a cluster's first 100 tasks, whatever the
    service asked for, so each planted service has a cluster of its own."""
    return f"planted-{index:03d}"


def spec_for(message: RealMessage, index: int) -> ServiceSpec:
    """A healthy Fargate service on the demo's network, with `message` planted in it."""
    name = service_name(index)
    scenario = Scenario(name, name, Cause(message.code), None, "", message.source)
    task = fargate_task(container(name, f"{{registry}}/{name}:1.0.0"), task_role="app-task-role")
    text = message.text
    if message.kind == "service-event":
        events = tuple((1 + 6 * n, _literal(text)) for n in range(3))
        return ServiceSpec(scenario, task, desired=1, events=events)
    if message.kind == "target-health":
        stop = Stop(
            "Task failed ELB health checks in (target-group {target_group})",
            code="ServiceSchedulerInitiated",
            exit_code=143,
            ran=RAN,
            logs=EARLIER_LINES,
        )
        return ServiceSpec(
            scenario,
            task,
            stops=repeat(stop, 2),
            running=1,
            running_logs=EARLIER_LINES,
            target_group=name,
            target_health=("unhealthy", _target_reason(text), text),
            grace_period=60,
        )
    if message.kind == "log-line":
        stop = Stop(ESSENTIAL_EXITED, exit_code=1, ran=RAN, logs=(*EARLIER_LINES, text))
    elif message.kind == "container-reason":
        exit_code = EXIT_CODES.get(message.code)
        stop = Stop(
            ESSENTIAL_EXITED,
            exit_code=exit_code,
            container_reason=_literal(text),
            ran=None if exit_code is None else RAN,
        )
    else:
        code = next((code for words, code in STOP_CODES if words in text), "TaskFailedToStart")
        ran = code != "TaskFailedToStart"
        exit_code = EXIT_CODES.get(message.code) if ran else None
        stop = Stop(_literal(text), code=code, exit_code=exit_code, ran=RAN if ran else None)
    return ServiceSpec(scenario, task, desired=1, stops=repeat(stop, 3))


def build_planted_account(session: boto3.Session, specs: Sequence[ServiceSpec]) -> None:
    """The demo's shared infrastructure (network, roles, load balancer), then `specs`."""
    clients = Clients.connect(session, None)
    prepare_emulator()
    region = clients.ecs.meta.region_name
    account_id = session.client("sts").get_caller_identity()["Account"]
    moto = MotoAccount(account_id, region)
    infra = build_infrastructure(clients, moto, account_id, region)
    now = datetime.now(UTC)
    for spec in specs:
        clients.ecs.create_cluster(
            clusterName=spec.scenario.cluster, capacityProviders=["FARGATE", "FARGATE_SPOT"]
        )
        if spec.target_group is not None:
            _add_target_group(clients, infra, spec.target_group)
        build_service(clients, moto, infra, spec, now)
    moto.refresh_cluster_counts()


def _add_target_group(clients: Clients, infra: Infrastructure, name: str) -> None:
    """A target group of its own, checked as the demo's healthy service is."""
    vpc = clients.ec2.describe_subnets(SubnetIds=[infra.subnets["private-a"]])["Subnets"][0]
    infra.target_groups[name] = clients.elbv2.create_target_group(
        Name=name,
        Protocol="HTTP",
        Port=8080,
        VpcId=vpc["VpcId"],
        TargetType="ip",
        HealthCheckPath="/healthz",
        HealthCheckPort="traffic-port",
        Matcher={"HttpCode": "200"},
    )["TargetGroups"][0]["TargetGroupArn"]


def _literal(text: str) -> str:
    """`text` safe from the builder's placeholder filling."""
    return text.replace("{", "{{").replace("}", "}}")


def _target_reason(description: str) -> str:
    """The reason code ELB gives with a target-health description."""
    if "codes" in description:
        return "Target.ResponseCodeMismatch"
    if "timed out" in description:
        return "Target.Timeout"
    return "Target.FailedHealthChecks"
