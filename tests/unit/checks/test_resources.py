"""Step 7: is there somewhere for the task to run?"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.checks.base import Knowledge
from bot.checks.placement import PLACEMENT_CONSTRAINT
from bot.checks.resources import (
    CHECK,
    DISK_FULL,
    FARGATE_CAPACITY,
    INSUFFICIENT_CPU,
    INSUFFICIENT_MEMORY,
    NO_CONTAINER_INSTANCES,
    PORT_IN_USE,
    SERVICE_QUOTA,
    check_resources,
)
from bot.model import CapacityProvider, Cause, Particulars, Step
from bot.render.evidence import evidence_lines
from tests import facts_builder as fb

SHORT = fb.service(launch_type="EC2", subnets=(), security_groups=(), running=1)


def test_a_healthy_service_has_nothing_to_say() -> None:
    assert check_resources(fb.facts()) == []
    assert check_resources(fb.on_ec2()) == []


def test_fargate_hosts_are_aws_business() -> None:
    assert CHECK.skip(fb.facts()) == "Fargate: AWS manages the hosts"
    assert CHECK.skip(fb.on_ec2()) is None


def test_a_cluster_without_instances() -> None:
    facts = fb.on_ec2(service=SHORT, cluster=fb.cluster(registered_instances=0))
    finding = fb.only(check_resources(facts), Cause.NO_CONTAINER_INSTANCES)
    assert finding.title == "Cluster production has no connected container instance to run tasks on"
    assert evidence_lines(finding.evidence)[0].startswith(
        "cluster production: 0 registered container instances"
    )


def test_instances_whose_agent_is_disconnected() -> None:
    cluster = fb.cluster(
        registered_instances=1, instances=(fb.container_instance(1, agent_connected=False),)
    )
    facts = fb.on_ec2(service=SHORT, cluster=cluster)
    finding = fb.only(check_resources(facts), Cause.NO_CONTAINER_INSTANCES)
    assert "ACTIVE, agent disconnected" in evidence_lines(finding.evidence)[1]


@pytest.mark.parametrize(
    ("remaining", "cause", "title"),
    [
        (
            {"remaining_cpu": 256},
            Cause.INSUFFICIENT_CPU,
            "No container instance has 512 CPU units free for the task",
        ),
        (
            {"remaining_memory": 512},
            Cause.INSUFFICIENT_MEMORY,
            "No container instance has 1024 MiB of memory free for the task",
        ),
    ],
)
def test_instances_without_room(remaining: dict[str, int], cause: Cause, title: str) -> None:
    instances = (fb.container_instance(1, **remaining), fb.container_instance(2, **remaining))
    facts = fb.on_ec2(
        service=SHORT, cluster=fb.cluster(registered_instances=2, instances=instances)
    )
    finding = fb.only(check_resources(facts), cause)
    assert finding.title == title


def test_a_fixed_host_port_taken_on_every_instance() -> None:
    busy = {"used_ports": (22, 80, 51678)}
    instances = (fb.container_instance(1, **busy), fb.container_instance(2, **busy))
    facts = fb.on_ec2(
        service=SHORT, cluster=fb.cluster(registered_instances=2, instances=instances)
    )
    finding = fb.only(check_resources(facts), Cause.PORT_IN_USE)
    assert finding.title == "Host port 80 is already taken on every container instance"
    assert evidence_lines(finding.evidence)[0] == "the task needs host port 80"


def test_a_full_cluster_is_fine_while_the_service_has_all_its_tasks() -> None:
    full = (fb.container_instance(1, remaining_cpu=0, remaining_memory=0, used_ports=(80,)),)
    facts = fb.on_ec2(cluster=fb.cluster(registered_instances=1, instances=full))
    assert check_resources(facts) == []


def test_a_fargate_task_stuck_provisioning() -> None:
    stuck = fb.task(3, last_status="PROVISIONING", created_at=fb.NOW - timedelta(minutes=12))
    facts = fb.facts(service=fb.service(running=1, pending=1), running_tasks=(fb.task(1), stuck))
    finding = fb.only(check_resources(facts), Cause.FARGATE_CAPACITY)
    assert evidence_lines(finding.evidence) == (
        f"task {stuck.task_id} has been PROVISIONING for 12 min",
    )


def test_a_fargate_task_provisioning_for_a_minute_is_normal() -> None:
    starting = fb.task(3, last_status="PROVISIONING", created_at=fb.NOW - timedelta(minutes=1))
    facts = fb.facts(service=fb.service(running=1, pending=1), running_tasks=(fb.task(1), starting))
    assert check_resources(facts) == []


@pytest.mark.parametrize(
    ("code", "containing"),
    [
        ("fargate-capacity", "Capacity is unavailable"),
        ("service-quota", "number of tasks"),
        ("insufficient-memory", "insufficient memory"),
        ("port-in-use", "(service Test)"),
        ("no-container-instances", "service authentication_services"),
    ],
)
def test_placement_failures_ecs_reports(code: str, containing: str) -> None:
    event = fb.event(fb.real(code, containing))
    facts = fb.facts(service=fb.service(running=0, events=(event,)))
    finding = fb.only(check_resources(facts), Cause(code))
    assert evidence_lines(finding.evidence)[0] == "A current service event says so"


def test_a_full_disk() -> None:
    stop = fb.stopped(container_reason=fb.real("disk-full", "GetImageBlob"))
    facts = fb.on_ec2(stopped_tasks=(stop,))
    assert fb.codes(check_resources(facts)) == [Cause.DISK_FULL]


# --------------------------------------------------------------------------- unread facts


def test_instances_that_could_not_be_read_are_not_missing_instances() -> None:
    cluster = fb.cluster(registered_instances=2)
    gaps = fb.denied("ecs:DescribeContainerInstances")
    facts = fb.on_ec2(service=SHORT, cluster=cluster, gaps=gaps)
    assert check_resources(facts) == []
    [item] = [i for i in fb.diagnose(facts).checklist if i.step is Step.RESOURCES]
    assert (item.status, item.note) == (
        "unknown",
        "could not call ecs:DescribeContainerInstances: access denied",
    )


def test_a_cluster_that_counts_no_instances_has_none_even_unread() -> None:
    cluster = fb.cluster(registered_instances=0)
    gaps = fb.denied("ecs:ListContainerInstances")
    facts = fb.on_ec2(service=SHORT, cluster=cluster, gaps=gaps)
    assert fb.codes(check_resources(facts)) == [Cause.NO_CONTAINER_INSTANCES]


def test_tasks_waiting_for_an_ec2_capacity_provider_without_managed_scaling() -> None:
    waiting = tuple(
        fb.task(
            n,
            last_status="PROVISIONING",
            launch_type="EC2",
            started_at=None,
            created_at=fb.NOW - timedelta(minutes=25),
            capacity_provider="batch-asg",
        )
        for n in (1, 2)
    )
    provider = CapacityProvider(
        name="batch-asg",
        auto_scaling_group_arn="arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:"
        "5b2c:autoScalingGroupName/batch-asg",
        managed_scaling=False,
    )
    facts = fb.on_ec2(
        service=fb.service(launch_type=None, capacity_providers=("batch-asg",), running=0),
        running_tasks=waiting,
        cluster=fb.cluster(registered_instances=0, instances=()),
        capacity_providers=(provider,),
    )
    finding = fb.only(check_resources(facts), Cause.NO_CONTAINER_INSTANCES)
    assert finding.title == (
        "Tasks wait in PROVISIONING for container instances, but managed scaling is off"
    )
    assert evidence_lines(finding.evidence)[:2] == (
        f"task {waiting[0].task_id} has been PROVISIONING for 25 min",
        f"task {waiting[1].task_id} has been PROVISIONING for 25 min",
    )
    assert evidence_lines(finding.evidence)[2] == (
        "capacity provider batch-asg: managed scaling DISABLED, so ECS does not grow Auto "
        "Scaling group batch-asg for waiting tasks"
    )


# --------------------------------------------------------------------------- fixes


@pytest.mark.parametrize(
    ("knowledge", "free"),
    [(INSUFFICIENT_CPU, "512 CPU units"), (INSUFFICIENT_MEMORY, "1024 MiB of memory")],
)
def test_no_room_asks_for_instances_or_a_smaller_task(knowledge: Knowledge, free: str) -> None:
    facts = fb.on_ec2(service=SHORT)
    needs = Particulars(cpu_needed=512, memory_needed=1024)
    step = fb.fixed(knowledge, facts, particulars=needs)
    assert step.action.startswith(
        f"No container instance has {free} free for the task: add container instances to "
        f"{fb.CLUSTER}"
    )
    assert step.command == (
        f"aws ecs list-container-instances --cluster {fb.CLUSTER} --status ACTIVE"
    )
    assert step.console_label == "Cluster infrastructure"


def test_the_check_reads_what_the_task_needs() -> None:
    busy = {"used_ports": (22, 80, 51678), "remaining_cpu": 256}
    instances = (fb.container_instance(1, **busy), fb.container_instance(2, **busy))
    facts = fb.on_ec2(
        service=SHORT, cluster=fb.cluster(registered_instances=2, instances=instances)
    )
    found = check_resources(facts)
    cpu = fb.only(found, Cause.INSUFFICIENT_CPU).particulars
    assert (cpu.cpu_needed, cpu.memory_needed) == (512, 1024)
    assert fb.only(found, Cause.PORT_IN_USE).particulars.host_ports == (80,)


def test_a_taken_host_port_asks_for_dynamic_ports() -> None:
    step = fb.fixed(PORT_IN_USE, fb.on_ec2(), particulars=Particulars(host_ports=(80,)))
    assert step.action.startswith(
        "Host port 80 is already taken on every container instance: a fixed host port fits one "
        "task per instance. Use host port 0"
    )
    assert step.console_label == "Cluster infrastructure"


def test_a_cluster_without_instances_gets_them_launched() -> None:
    step = fb.fixed(NO_CONTAINER_INSTANCES, fb.on_ec2())
    assert step.action.startswith(
        f"{fb.CLUSTER} has no connected container instance: launch instances with "
        f"ECS_CLUSTER={fb.CLUSTER} in /etc/ecs/ecs.config"
    )
    assert step.command == f"aws ecs list-container-instances --cluster {fb.CLUSTER}"


def test_fargate_without_capacity_is_given_more_zones() -> None:
    step = fb.fixed(FARGATE_CAPACITY, fb.facts())
    assert "give the service subnets in more Availability Zones (now subnet-0aaa)" in step.action
    assert step.command is None


def test_a_quota_used_up_names_it_and_what_the_service_asks() -> None:
    step = fb.fixed(SERVICE_QUOTA, fb.facts())
    assert step.action.startswith(
        "The account's “Fargate On-Demand vCPU resource count” quota in us-east-1 is used up; "
        "2 tasks of api:7 ask for 1 vCPUs in all."
    )
    assert step.command == (
        "aws service-quotas get-service-quota --service-code fargate --quota-code L-3032A538"
    )


def test_a_full_disk_is_the_task_s_storage_on_fargate_and_the_instance_s_on_ec2() -> None:
    assert "raise ephemeralStorage" in fb.fixed(DISK_FULL, fb.facts()).action
    stop = fb.stopped(1, container_instance_arn=fb.container_instance(1).arn, launch_type="EC2")
    step = fb.fixed(DISK_FULL, fb.on_ec2(stopped_tasks=(stop,)))
    assert step.action.startswith("Instance i-00000000000000001 is out of disk")
    assert step.console_label == "EC2 instance"


def test_connected_instances_without_what_the_task_requires_are_a_placement_constraint() -> None:
    said = (
        "(service api) was unable to place a task because no container instance met all of its "
        "requirements. The closest matching (container-instance 5b0d6b4e) is missing an "
        "attribute required by your task. For more information, see the Troubleshooting "
        "section of the Amazon ECS Developer Guide."
    )
    facts = fb.on_ec2(
        service=fb.service(launch_type="EC2", running=0, events=(fb.event(said),)),
        running_tasks=(),
    )
    diagnosis = fb.diagnose(facts)
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.PLACEMENT_CONSTRAINT
    assert Cause.NO_CONTAINER_INSTANCES not in fb.codes(diagnosis.findings)
    step = fb.fixed(PLACEMENT_CONSTRAINT, facts)
    assert "none has what the task requires" in step.action
    assert step.command == (
        "aws ecs list-attributes --cluster production --target-type container-instance"
    )
