"""Step 6: can an awsvpc task reach ECR, S3, CloudWatch Logs and its secrets?"""

from __future__ import annotations

import pytest

from bot.checks import CHECKS
from bot.checks.base import UNCONFIRMED
from bot.checks.network import (
    CHECK,
    EFS_MOUNT_FAILED,
    MISSING_ENDPOINT,
    NO_ROUTE,
    SG_NO_EGRESS,
    SG_NO_INGRESS,
    check_network,
)
from bot.model import Cause, EfsVolume, Facts, PortRule, Route, SecretRef, SecurityGroup, Step
from bot.render.evidence import evidence_lines
from tests import facts_builder as fb

LOCAL = Route(destination="10.0.0.0/16", target="local")
PRIVATE = fb.subnet(routes=(LOCAL,))
PUBLIC = fb.subnet(routes=(LOCAL, Route(destination="0.0.0.0/0", target="igw-0abc")))
TIMED_OUT = fb.real("no-route-to-internet", "connection issue between the task and Amazon ECR")


def endpoints(*names: str) -> tuple[str, ...]:
    return tuple(f"com.amazonaws.{fb.REGION}.{name}" for name in names)


def test_a_healthy_service_has_nothing_to_say() -> None:
    assert check_network(fb.facts()) == []


def test_a_private_subnet_without_nat_or_endpoints() -> None:
    facts = fb.facts(network=fb.network(subnets=(PRIVATE,)))
    finding = fb.only(check_network(facts), Cause.NO_ROUTE_TO_INTERNET)
    assert finding.title == "Tasks in subnet-0aaa cannot reach the internet or AWS endpoints"
    assert evidence_lines(finding.evidence) == (
        "subnet subnet-0aaa, route table rtb-0private: 10.0.0.0/16 → local and the task has no "
        "public IP",
        "VPC endpoints: none",
    )
    assert "rtb-0private" in CHECKS.next_step(finding, facts).action


def test_a_public_subnet_without_a_public_ip() -> None:
    facts = fb.facts(network=fb.network(subnets=(PUBLIC,), task_has_public_ip=False))
    assert fb.codes(check_network(facts)) == [Cause.NO_ROUTE_TO_INTERNET]


def test_a_public_subnet_with_a_public_ip_is_fine() -> None:
    facts = fb.facts(network=fb.network(subnets=(PUBLIC,), task_has_public_ip=True))
    assert check_network(facts) == []


def test_endpoints_without_the_one_for_logs() -> None:
    network = fb.network(subnets=(PRIVATE,), vpc_endpoints=endpoints("ecr.api", "ecr.dkr", "s3"))
    finding = fb.only(check_network(fb.facts(network=network)), Cause.MISSING_VPC_ENDPOINT)
    assert (
        finding.title
        == "Private subnet subnet-0aaa has no NAT gateway and no VPC endpoint for logs"
    )
    assert evidence_lines(finding.evidence)[-1] == "needed: logs (awslogs)"


def test_secrets_need_their_endpoint_too() -> None:
    container = fb.container_definition(
        secrets=(SecretRef(name="DB_PASSWORD", value_from=fb.SECRET_ARN),)
    )
    definition = fb.task_definition(containers=(container,))
    network = fb.network(
        subnets=(PRIVATE,), vpc_endpoints=endpoints("ecr.api", "ecr.dkr", "s3", "logs")
    )
    facts = fb.facts(network=network, task_definitions={fb.TASK_DEFINITION_ARN: definition})
    finding = fb.only(check_network(facts), Cause.MISSING_VPC_ENDPOINT)
    assert evidence_lines(finding.evidence)[-1] == "needed: secretsmanager (secret DB_PASSWORD)"


def test_every_needed_endpoint_is_as_good_as_a_nat() -> None:
    network = fb.network(
        subnets=(PRIVATE,), vpc_endpoints=endpoints("ecr.api", "ecr.dkr", "s3", "logs")
    )
    assert check_network(fb.facts(network=network)) == []


def test_no_endpoint_reaches_docker_hub() -> None:
    container = fb.container_definition(image="nginx:1.27")
    definition = fb.task_definition(containers=(container,))
    network = fb.network(
        subnets=(PRIVATE,), vpc_endpoints=endpoints("ecr.api", "ecr.dkr", "s3", "logs")
    )
    facts = fb.facts(network=network, task_definitions={fb.TASK_DEFINITION_ARN: definition})
    finding = fb.only(check_network(facts), Cause.NO_ROUTE_TO_INTERNET)
    assert (
        evidence_lines(finding.evidence)[-1] == "images outside ECR need the internet: nginx:1.27"
    )


def test_security_groups_without_outbound_rules() -> None:
    closed = SecurityGroup(id=fb.SECURITY_GROUP, name="api")
    finding = fb.only(
        check_network(fb.facts(network=fb.network(security_groups=(closed,)))),
        Cause.SECURITY_GROUP_NO_EGRESS,
    )
    assert finding.title == "Security group sg-0api allows no outbound traffic"
    assert evidence_lines(finding.evidence) == ("security group sg-0api (api): no outbound rules",)


def test_an_efs_volume_behind_a_group_that_only_allows_https_out() -> None:
    https_only = SecurityGroup(
        id=fb.SECURITY_GROUP,
        name="api",
        egress=(PortRule(protocol="tcp", from_port=443, to_port=443, cidrs=("0.0.0.0/0",)),),
    )
    definition = fb.task_definition(efs_volumes=(EfsVolume(name="data", file_system_id="fs-0abc"),))
    facts = fb.facts(
        network=fb.network(security_groups=(https_only,)),
        task_definitions={fb.TASK_DEFINITION_ARN: definition},
    )
    finding = fb.only(check_network(facts), Cause.EFS_MOUNT_FAILED)
    assert finding.title == "EFS volume data cannot be mounted"
    assert evidence_lines(finding.evidence) == (
        "no outbound rule of sg-0api allows TCP 2049 (NFS)",
    )


def test_an_efs_file_system_without_mount_targets() -> None:
    definition = fb.task_definition(efs_volumes=(EfsVolume(name="data", file_system_id="fs-0abc"),))
    facts = fb.facts(
        network=fb.network(efs_mount_target_zones={"fs-0abc": ()}),
        task_definitions={fb.TASK_DEFINITION_ARN: definition},
    )
    finding = fb.only(check_network(facts), Cause.EFS_MOUNT_FAILED)
    assert evidence_lines(finding.evidence) == ("file system fs-0abc has no mount targets",)


def test_an_efs_file_system_without_a_mount_target_in_the_tasks_zone() -> None:
    definition = fb.task_definition(efs_volumes=(EfsVolume(name="data", file_system_id="fs-0abc"),))
    facts = fb.facts(
        stopped_tasks=(fb.stopped(availability_zone="us-east-1b"),),
        network=fb.network(efs_mount_target_zones={"fs-0abc": ("us-east-1a",)}),
        task_definitions={fb.TASK_DEFINITION_ARN: definition},
    )
    finding = fb.only(check_network(facts), Cause.EFS_MOUNT_FAILED)
    assert evidence_lines(finding.evidence) == (
        "file system fs-0abc has mount targets only in us-east-1a, but the task ran in us-east-1b",
    )


def test_aws_reporting_a_timeout_from_a_subnet_with_no_way_out() -> None:
    stop = fb.stopped(reason=TIMED_OUT, stop_code="TaskFailedToStart")
    facts = fb.facts(stopped_tasks=(stop,), network=fb.network(subnets=(PRIVATE,)))
    said, seen = check_network(facts)
    assert fb.codes([said, seen]) == [Cause.NO_ROUTE_TO_INTERNET] * 2
    assert evidence_lines(said.evidence)[1] == f'stoppedReason: "{TIMED_OUT}"'


def test_a_timeout_from_a_subnet_with_a_nat_route_now_looks_fixed_since() -> None:
    """Issue 11 §2: the timeout AWS reported is the first witness; the way out the subnet has
    now may have come since (this test used to expect an unknown cause)."""
    stop = fb.stopped(reason=TIMED_OUT, stop_code="TaskFailedToStart")
    finding = fb.only(check_network(fb.facts(stopped_tasks=(stop,))), Cause.NO_ROUTE_TO_INTERNET)
    assert finding.step is Step.NETWORK
    assert finding.title.endswith("(when the tasks stopped; it looks fixed since)")
    assert evidence_lines(finding.evidence)[-3:-1] == (
        "yet subnet subnet-0aaa routes 0.0.0.0/0 to nat-0abc",
        "its security groups allow outbound traffic",
    )


def test_the_app_timing_out_against_aws_endpoints() -> None:
    stop = fb.stopped(exit_code=1)
    line = fb.real("missing-vpc-endpoint", "https://logs.us-east-1.amazonaws.com/")
    facts = fb.facts(
        stopped_tasks=(stop,),
        log_streams=(fb.logs(stop, line),),
        network=fb.network(subnets=(PRIVATE,)),
    )
    assert fb.codes(check_network(facts)) == [Cause.NO_ROUTE_TO_INTERNET] * 2


def test_bridge_mode_tasks_use_the_instance_network() -> None:
    facts = fb.on_ec2(network=fb.network(subnets=(PRIVATE,)))
    assert check_network(facts) == []
    assert CHECK.skip(facts) == "Network mode bridge: tasks share the container instance's network"


# --------------------------------------------------------------------------- unread facts


@pytest.mark.parametrize("action", ["ec2:DescribeRouteTables", "ec2:DescribeSecurityGroups"])
def test_a_timeout_from_a_network_that_could_not_be_read_is_only_a_lead(action: str) -> None:
    """A security group without egress or a missing endpoint times out the same way."""
    stop = fb.stopped(reason=TIMED_OUT, stop_code="TaskFailedToStart")
    facts = fb.failing(stop, network=None, gaps=fb.denied(action))
    finding = fb.only(check_network(facts), Cause.NO_ROUTE_TO_INTERNET)
    assert finding.confidence == UNCONFIRMED
    assert (
        evidence_lines(finding.evidence)[-1]
        == f"could not confirm: could not call {action}: access denied"
    )
    diagnosis = fb.diagnose(facts)
    assert diagnosis.cause is not None
    assert (diagnosis.cause.code, diagnosis.cause.step) == (Cause.UNKNOWN, Step.NETWORK)
    assert diagnosis.next_step is not None
    assert f"Grant {action}" in diagnosis.next_step.action


def test_a_timeout_is_a_missing_route_when_the_network_is_not_awsvpc() -> None:
    """Nothing was left unread: there was no task network to read."""
    stop = fb.stopped(reason=TIMED_OUT, stop_code="TaskFailedToStart")
    finding = fb.only(check_network(fb.on_ec2(stopped_tasks=(stop,))), Cause.NO_ROUTE_TO_INTERNET)
    assert finding.confidence > UNCONFIRMED


# --------------------------------------------------------------------------- fixes

EFS = fb.task_definition(efs_volumes=(EfsVolume(name="data", file_system_id="fs-0abc"),))


def test_no_route_out_lists_the_vpc_s_nat_gateways() -> None:
    facts = fb.facts(network=fb.network(subnets=(PRIVATE,)))
    step = fb.fixed(NO_ROUTE, facts)
    assert step.action.startswith("subnet-0aaa has no way out: route 0.0.0.0/0 of rtb-0private")
    assert step.command == (
        "aws ec2 describe-nat-gateways --filter Name=vpc-id,Values=vpc-0main "
        "--query 'NatGateways[].[NatGatewayId,SubnetId,State]'"
    )
    assert step.console_label == "Route table"


def test_missing_endpoints_are_created_s3_as_a_gateway() -> None:
    facts = fb.facts(network=fb.network(subnets=(PRIVATE,)))
    step = fb.fixed(MISSING_ENDPOINT, facts)
    assert step.action.startswith("vpc-0main has no NAT for the task and lacks the ")
    lines = str(step.command).splitlines()
    assert any(
        line.startswith(
            "aws ec2 create-vpc-endpoint --vpc-id vpc-0main --vpc-endpoint-type Gateway"
        )
        and "com.amazonaws.us-east-1.s3 --route-table-ids rtb-0private" in line
        for line in lines
    )
    assert any("--vpc-endpoint-type Interface" in line for line in lines)
    assert step.console_label == "VPC endpoints"


def test_a_group_that_lets_nothing_out_gets_https_egress() -> None:
    closed = SecurityGroup(id=fb.SECURITY_GROUP, name="api", egress=())
    facts = fb.facts(network=fb.network(security_groups=(closed,)))
    step = fb.fixed(SG_NO_EGRESS, facts)
    assert step.action.startswith("Security group sg-0api (api) lets nothing out")
    assert step.command == (
        "aws ec2 authorize-security-group-egress --group-id sg-0api --ip-permissions "
        "'IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=0.0.0.0/0}]'"
    )


def test_an_efs_volume_without_a_mount_target_in_the_task_s_zone_gets_one() -> None:
    facts = fb.facts(
        stopped_tasks=(fb.stopped(availability_zone="us-east-1b"),),
        network=fb.network(efs_mount_target_zones={"fs-0abc": ("us-east-1a",)}),
        task_definitions={fb.TASK_DEFINITION_ARN: EFS},
    )
    step = fb.fixed(EFS_MOUNT_FAILED, facts)
    assert step.action.startswith("fs-0abc has no mount target in us-east-1b, where the task ran")
    assert step.command == (
        f"aws efs create-mount-target --file-system-id fs-0abc --subnet-id {fb.SUBNET} "
        f"--security-groups {fb.SECURITY_GROUP}"
    )
    elsewhere = fb.facts(task_definitions={fb.TASK_DEFINITION_ARN: EFS})
    described = fb.fixed(EFS_MOUNT_FAILED, elsewhere)
    assert described.command == "aws efs describe-mount-targets --file-system-id fs-0abc"


# --------------------------------------------------------------------------- ingress


def closed_in(**facts: object) -> Facts:
    """Tasks behind the load balancer whose only group admits nothing on 8080."""
    group = SecurityGroup(id=fb.SECURITY_GROUP, name="api", egress=(fb.ALLOW_ALL_EGRESS,))
    return fb.facts(network=fb.network(security_groups=(group,)), **facts)


def test_tasks_whose_group_admits_nothing_on_the_load_balancer_port() -> None:
    finding = fb.only(check_network(closed_in()), Cause.SECURITY_GROUP_NO_INGRESS)
    assert finding.title == (
        "Security group sg-0api admits nothing on port 8080, where the load balancer checks"
    )
    assert evidence_lines(finding.evidence) == (
        "security group sg-0api (api): no inbound rule for TCP 8080",
    )


@pytest.mark.parametrize(
    "rule",
    [
        PortRule(protocol="tcp", from_port=8080, to_port=8080, cidrs=("10.0.0.0/16",)),
        PortRule(protocol="tcp", from_port=8000, to_port=9000, prefix_lists=("pl-0abc",)),
        PortRule(protocol="-1", security_groups=("sg-0alb",)),
    ],
    ids=["cidr", "prefix list", "all traffic from a group"],
)
def test_any_rule_that_admits_the_port_will_do(rule: PortRule) -> None:
    group = SecurityGroup(
        id=fb.SECURITY_GROUP, name="api", egress=(fb.ALLOW_ALL_EGRESS,), ingress=(rule,)
    )
    facts = fb.facts(network=fb.network(security_groups=(group,)))
    assert Cause.SECURITY_GROUP_NO_INGRESS not in fb.codes(check_network(facts))


def test_failing_health_checks_are_the_symptom_and_the_fix_names_the_port() -> None:
    timed_out = fb.stopped(
        reason="Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:"
        "us-east-1:123456789012:targetgroup/api/0123456789abcdef)",
        stop_code="ServiceSchedulerInitiated",
        exit_code=143,
    )
    facts = closed_in(service=fb.service(running=0), running_tasks=(), stopped_tasks=(timed_out,))
    diagnosis = fb.diagnose(facts)
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.SECURITY_GROUP_NO_INGRESS
    step = fb.fixed(SG_NO_INGRESS, facts, particulars=diagnosis.cause.particulars)
    assert "allow TCP 8080 into security group sg-0api (api)" in step.action
    assert step.command is not None
    assert step.command.startswith("aws elbv2 describe-target-groups --target-group-arns ")


def test_a_worker_without_a_load_balancer_needs_no_ingress() -> None:
    facts = closed_in(service=fb.service(load_balancers=()))
    assert Cause.SECURITY_GROUP_NO_INGRESS not in fb.codes(check_network(facts))
