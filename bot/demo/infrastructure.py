"""The shared parts of the demo account, built through the emulator's AWS API.

Two VPCs: `production` (public subnets routed to an internet gateway, private subnets routed to
a NAT gateway, and one isolated subnet with neither and no VPC endpoints) and `data` (a private
subnet without NAT that has ECR and Logs interface endpoints but no S3 gateway endpoint). IAM
roles (a correct execution role, one trusting EC2 only, one without ECR pull rights, an app
task role), a Secrets Manager secret, an EFS file system with a mount target in one zone only,
an ALB with three target groups, and three clusters: `production` (Fargate and Fargate Spot),
`legacy-ec2` (three t3.medium container instances) and `batch-ec2` (no instances at all).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, cast

import boto3
from botocore.client import BaseClient

from bot.checks.iam import TRUST_ECS_TASKS
from bot.demo.backend_patch import MotoAccount

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ec2.type_defs import TagTypeDef
    from mypy_boto3_ecr import ECRClient
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_ecs.type_defs import ClusterSettingTypeDef
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_logs import CloudWatchLogsClient


class EfsClient(Protocol):  # the two calls we make; the project has no EFS type stubs
    def create_file_system(self, **kwargs: object) -> Mapping[str, object]: ...
    def create_mount_target(self, **kwargs: object) -> Mapping[str, object]: ...


class SecretsClient(Protocol):  # likewise for Secrets Manager
    def create_secret(self, **kwargs: object) -> Mapping[str, object]: ...


class EventsClient(Protocol):  # likewise for EventBridge
    def put_events(self, **kwargs: object) -> Mapping[str, object]: ...
    def put_rule(self, **kwargs: object) -> Mapping[str, object]: ...
    def put_targets(self, **kwargs: object) -> Mapping[str, object]: ...


class StacksClient(Protocol):  # likewise for CloudFormation
    def create_stack(self, **kwargs: object) -> Mapping[str, object]: ...


class RdsClient(Protocol):  # likewise for RDS
    def create_db_subnet_group(self, **kwargs: object) -> Mapping[str, object]: ...
    def create_db_instance(self, **kwargs: object) -> Mapping[str, object]: ...


@dataclass(frozen=True)
class Clients:
    ec2: EC2Client
    ecs: ECSClient
    iam: IAMClient
    ecr: ECRClient
    logs: CloudWatchLogsClient
    elbv2: ElasticLoadBalancingv2Client
    efs: EfsClient
    secrets: SecretsClient
    events: EventsClient
    stacks: StacksClient
    rds: RdsClient

    def endpoints(self) -> list[str]:
        """Where each client sends its requests."""
        clients = (self.ec2, self.ecs, self.iam, self.ecr, self.logs, self.elbv2)
        return [client.meta.endpoint_url for client in clients] + [
            cast(BaseClient, client).meta.endpoint_url
            for client in (self.efs, self.secrets, self.events, self.stacks, self.rds)
        ]

    @classmethod
    def connect(cls, session: boto3.Session, endpoint_url: str | None) -> Clients:
        return cls(
            ec2=session.client("ec2", endpoint_url=endpoint_url),
            ecs=session.client("ecs", endpoint_url=endpoint_url),
            iam=session.client("iam", endpoint_url=endpoint_url),
            ecr=session.client("ecr", endpoint_url=endpoint_url),
            logs=session.client("logs", endpoint_url=endpoint_url),
            elbv2=session.client("elbv2", endpoint_url=endpoint_url),
            efs=cast(EfsClient, session.client("efs", endpoint_url=endpoint_url)),
            secrets=cast(
                SecretsClient, session.client("secretsmanager", endpoint_url=endpoint_url)
            ),
            events=cast(EventsClient, session.client("events", endpoint_url=endpoint_url)),
            stacks=cast(StacksClient, session.client("cloudformation", endpoint_url=endpoint_url)),
            rds=cast(RdsClient, session.client("rds", endpoint_url=endpoint_url)),
        )


@dataclass(frozen=True)
class Infrastructure:
    """What the services are built on, by the names the scenario table uses."""

    refs: dict[str, str]  # placeholder values (see bot.demo.specs)
    subnets: dict[str, str]  # name -> subnet id
    zones: dict[str, str]  # subnet id -> availability zone
    security_groups: dict[str, str]  # name -> group id
    target_groups: dict[str, str]  # name -> ARN
    hosts: dict[str, str]  # name -> container instance ARN (legacy-ec2)
    host_instances: dict[str, str]  # name -> EC2 instance id


CLUSTERS = ("production", "legacy-ec2", "batch-ec2", "batch-cp", "platform")
# The clusters with Container Insights on, and how (bot/demo/performance.py writes their logs).
INSIGHTS = {"production": "enabled", "platform": "enhanced"}
# The EC2 capacity provider of batch-cp: its Auto Scaling group exists only by name here.
CAPACITY_PROVIDER = "batch-cp-asg"
HOSTS = ("host-a", "host-b", "host-doomed")  # the last one's instance gets terminated
T3_MEDIUM = (2048, 3904)  # CPU units and MiB that ECS registers for a t3.medium

_TRUST_EC2 = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
# The statements of the AWS managed AmazonECSTaskExecutionRolePolicy, as a customer managed
# policy: loading moto's ~1,500 managed policies would cost the demo a second.
_EXECUTION_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "ecr:GetAuthorizationToken",
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchGetImage",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
            ],
            "Resource": "*",
        }
    ],
}
_LOGS_AND_ECR_AUTH_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "ecr:GetAuthorizationToken"],
            "Resource": "*",
        }
    ],
}
_APP_TASK_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": "arn:aws:s3:::acme-app-data/*",
        }
    ],
}


def _reads_orders(account_id: str) -> dict[str, object]:
    """The orders writer's task role: it may read the orders table, not write it."""
    table = f"arn:aws:dynamodb:*:{account_id}:table/orders"
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": table}],
    }


def _read_secrets(account_id: str) -> dict[str, object]:
    """An execution role's leave to read the account's Secrets Manager secrets."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue"],
                "Resource": f"arn:aws:secretsmanager:*:{account_id}:secret:*",
            }
        ],
    }


def build_infrastructure(
    clients: Clients, moto: MotoAccount, account_id: str, region: str
) -> Infrastructure:
    """Create everything the services share; returns their ids by name."""
    subnets, zones, groups = _network(clients.ec2, region)
    _roles(clients.iam, account_id)
    secret = clients.secrets.create_secret(
        Name="prod/orders/db",
        SecretString=json.dumps({"username": "orders", "password": "not-a-real-password"}),
    )
    efs_id = _efs(clients.efs, subnets["private-a"], groups["efs-mount-targets"])
    target_groups = _load_balancer(clients.elbv2, subnets, groups)
    _ledger_database(clients.rds, subnets, groups)
    hosts, host_instances = _clusters(clients, moto, subnets["private-a"], region, account_id)
    refs = {
        "account": account_id,
        "region": region,
        "registry": f"{account_id}.dkr.ecr.{region}.amazonaws.com",
        "db_secret": str(secret["ARN"]),
        "efs": efs_id,
        "doomed_instance": host_instances["host-doomed"],
        # ECS names the closest matching instance in placement failures: host-b has most room.
        "closest_instance": hosts["host-b"].rsplit("/", 1)[-1],
    }
    return Infrastructure(refs, subnets, zones, groups, target_groups, hosts, host_instances)


def retire_doomed_host(clients: Clients, infra: Infrastructure) -> None:
    """Terminate the EC2 instance whose tasks stopped with 'Host EC2 (…) terminated.'"""
    clients.ec2.terminate_instances(InstanceIds=[infra.host_instances["host-doomed"]])
    clients.ecs.deregister_container_instance(
        cluster="legacy-ec2", containerInstance=infra.hosts["host-doomed"], force=True
    )


def _network(ec2: EC2Client, region: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    production = _vpc(ec2, "10.0.0.0/16", "production")
    data = _vpc(ec2, "10.1.0.0/16", "data")
    layout = {  # name: (vpc, cidr, zone)
        "public-a": (production, "10.0.0.0/24", "a"),
        "public-b": (production, "10.0.1.0/24", "b"),
        "private-a": (production, "10.0.10.0/24", "a"),
        "private-b": (production, "10.0.11.0/24", "b"),
        "isolated-a": (production, "10.0.20.0/24", "a"),
        "data-a": (data, "10.1.10.0/24", "a"),
    }
    subnets: dict[str, str] = {}
    zones: dict[str, str] = {}
    for name, (vpc, cidr, zone) in layout.items():
        subnet = ec2.create_subnet(
            VpcId=vpc,
            CidrBlock=cidr,
            AvailabilityZone=region + zone,
            TagSpecifications=[
                {"ResourceType": "subnet", "Tags": [{"Key": "Name", "Value": name}]}
            ],
        )["Subnet"]
        subnets[name] = subnet["SubnetId"]
        zones[subnet["SubnetId"]] = subnet["AvailabilityZone"]
    for name in ("public-a", "public-b"):
        ec2.modify_subnet_attribute(SubnetId=subnets[name], MapPublicIpOnLaunch={"Value": True})

    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=production)
    public = _route_table(ec2, production, "public", [subnets["public-a"], subnets["public-b"]])
    ec2.create_route(RouteTableId=public, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnets["public-a"], AllocationId=eip)["NatGateway"]
    private = _route_table(ec2, production, "private", [subnets["private-a"], subnets["private-b"]])
    ec2.create_route(
        RouteTableId=private, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat["NatGatewayId"]
    )
    _route_table(ec2, production, "isolated", [subnets["isolated-a"]])  # local route only
    _route_table(ec2, data, "data-private", [subnets["data-a"]])  # local route only

    groups = {
        "alb": _security_group(ec2, production, "alb", "Public load balancer"),
        "app-tasks": _security_group(ec2, production, "app-tasks", "ECS tasks behind the ALB"),
        "locked-down": _security_group(ec2, production, "locked-down", "No outbound traffic"),
        # Someone made a group for new tasks behind the ALB and forgot to let the ALB in.
        "closed-in": _security_group(ec2, production, "closed-in", "ECS tasks, no inbound rule"),
        "efs-mount-targets": _security_group(ec2, production, "efs-mount-targets", "NFS"),
        "data-tasks": _security_group(ec2, data, "data-tasks", "Tasks in the data VPC"),
        "bastion": _security_group(ec2, production, "bastion", "Operators' bastion host"),
        "ledger-db": _security_group(ec2, production, "ledger-db", "The ledger's PostgreSQL"),
    }
    _allow_in(ec2, groups["alb"], 80, cidr="0.0.0.0/0")
    _allow_in(ec2, groups["app-tasks"], 3000, source=groups["alb"])
    _allow_in(ec2, groups["app-tasks"], 8080, source=groups["alb"])
    _allow_in(ec2, groups["efs-mount-targets"], 2049, source=groups["app-tasks"])
    # The ledger's database was set up from the bastion; nobody let the tasks in.
    _allow_in(ec2, groups["ledger-db"], 5432, source=groups["bastion"])
    # A new security group allows all outbound traffic; someone removed that rule here.
    ec2.revoke_security_group_egress(
        GroupId=groups["locked-down"],
        IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    # The data VPC reaches ECR and CloudWatch Logs privately, but nobody added the S3 gateway
    # endpoint that image layers are downloaded from.
    for service in ("ecr.api", "ecr.dkr", "logs"):
        ec2.create_vpc_endpoint(
            VpcId=data,
            ServiceName=f"com.amazonaws.{region}.{service}",
            VpcEndpointType="Interface",
            SubnetIds=[subnets["data-a"]],
            SecurityGroupIds=[groups["data-tasks"]],
            PrivateDnsEnabled=True,
        )
    return subnets, zones, groups


def _ledger_database(rds: RdsClient, subnets: dict[str, str], groups: dict[str, str]) -> None:
    """ledger-worker's PostgreSQL, behind a group that admits only the bastion."""
    rds.create_db_subnet_group(
        DBSubnetGroupName="ledger",
        DBSubnetGroupDescription="The ledger's private subnets",
        SubnetIds=[subnets["private-a"], subnets["private-b"]],
    )
    rds.create_db_instance(
        DBInstanceIdentifier="ledger-db",
        DBInstanceClass="db.t4g.micro",
        Engine="postgres",
        AllocatedStorage=20,
        MasterUsername="ledger",
        MasterUserPassword="not-a-real-password",
        DBSubnetGroupName="ledger",
        VpcSecurityGroupIds=[groups["ledger-db"]],
    )


def _vpc(ec2: EC2Client, cidr: str, name: str) -> str:
    vpc = ec2.create_vpc(
        CidrBlock=cidr,
        TagSpecifications=[{"ResourceType": "vpc", "Tags": _name(name)}],
    )["Vpc"]["VpcId"]
    # awsvpc tasks need DNS hostnames (moto's RunTask fails without them, as AWS tasks would).
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    return vpc


def _name(name: str) -> list[TagTypeDef]:
    return [{"Key": "Name", "Value": name}]


def _route_table(ec2: EC2Client, vpc: str, name: str, subnets: list[str]) -> str:
    table = ec2.create_route_table(
        VpcId=vpc,
        TagSpecifications=[
            {"ResourceType": "route-table", "Tags": [{"Key": "Name", "Value": name}]}
        ],
    )["RouteTable"]["RouteTableId"]
    for subnet in subnets:
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    return table


def _security_group(ec2: EC2Client, vpc: str, name: str, description: str) -> str:
    return ec2.create_security_group(GroupName=name, Description=description, VpcId=vpc)["GroupId"]


def _allow_in(
    ec2: EC2Client, group: str, port: int, *, cidr: str | None = None, source: str | None = None
) -> None:
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": port,
                "ToPort": port,
                "IpRanges": [{"CidrIp": cidr}] if cidr else [],
                "UserIdGroupPairs": [{"GroupId": source}] if source else [],
            }
        ],
    )


def _roles(iam: IAMClient, account_id: str) -> None:
    policy = iam.create_policy(
        PolicyName="ecsTaskExecutionPolicy", PolicyDocument=json.dumps(_EXECUTION_POLICY)
    )["Policy"]["Arn"]
    roles = {  # name: (trust policy, managed policy, inline policy)
        "ecsTaskExecutionRole": (TRUST_ECS_TASKS, policy, None),
        "reporting-exec-role": (_TRUST_EC2, policy, None),
        "billing-exec-role": (TRUST_ECS_TASKS, None, _LOGS_AND_ECR_AUTH_ONLY),
        "app-task-role": (TRUST_ECS_TASKS, None, _APP_TASK_POLICY),
        "cart-exec-role": (TRUST_ECS_TASKS, policy, _read_secrets(account_id)),
        "orders-writer-role": (TRUST_ECS_TASKS, None, _reads_orders(account_id)),
    }
    for name, (trust, managed, inline) in roles.items():
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
        if managed is not None:
            iam.attach_role_policy(RoleName=name, PolicyArn=managed)
        if inline is not None:
            iam.put_role_policy(
                RoleName=name, PolicyName=f"{name}-policy", PolicyDocument=json.dumps(inline)
            )


def _efs(efs: EfsClient, subnet: str, group: str) -> str:
    file_system = str(
        efs.create_file_system(
            CreationToken="content-store",
            PerformanceMode="generalPurpose",
            Encrypted=True,
            Tags=[{"Key": "Name", "Value": "content-store"}],
        )["FileSystemId"]
    )
    # One mount target, in zone a only: tasks in zone b cannot resolve the file system's name.
    efs.create_mount_target(FileSystemId=file_system, SubnetId=subnet, SecurityGroups=[group])
    return file_system


def _load_balancer(
    elbv2: ElasticLoadBalancingv2Client, subnets: dict[str, str], groups: dict[str, str]
) -> dict[str, str]:
    balancer = elbv2.create_load_balancer(
        Name="production-alb",
        Subnets=[subnets["public-a"], subnets["public-b"]],
        SecurityGroups=[groups["alb"]],
        Scheme="internet-facing",
        Type="application",
    )["LoadBalancers"][0]
    vpc = balancer["VpcId"]
    specs = {  # name: (port, health check path, health check port)
        "healthy-service": (8080, "/healthz", "traffic-port"),
        "checkout-web": (8080, "/health", "traffic-port"),
        "web-frontend": (3000, "/", "8080"),
        "slow-start-api": (8080, "/ready", "traffic-port"),
        "shipping-api": (8080, "/healthz", "traffic-port"),
    }
    arns: dict[str, str] = {}
    for name, (port, path, health_port) in specs.items():
        arns[name] = elbv2.create_target_group(
            Name=name,
            Protocol="HTTP",
            Port=port,
            VpcId=vpc,
            TargetType="ip",
            HealthCheckPath=path,
            HealthCheckPort=health_port,
            HealthCheckIntervalSeconds=15,
            HealthyThresholdCount=3,
            UnhealthyThresholdCount=2,
            Matcher={"HttpCode": "200"},
        )["TargetGroups"][0]["TargetGroupArn"]
    listener = elbv2.create_listener(
        LoadBalancerArn=balancer["LoadBalancerArn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": arns["healthy-service"]}],
    )["Listeners"][0]["ListenerArn"]
    for priority, (name, path) in enumerate(
        (("checkout-web", "/checkout/*"), ("web-frontend", "/app/*")), start=10
    ):
        elbv2.create_rule(
            ListenerArn=listener,
            Priority=priority,
            Conditions=[{"Field": "path-pattern", "Values": [path]}],
            Actions=[{"Type": "forward", "TargetGroupArn": arns[name]}],
        )
    return arns


def _clusters(
    clients: Clients, moto: MotoAccount, subnet: str, region: str, account_id: str
) -> tuple[dict[str, str], dict[str, str]]:
    clients.ecs.create_cluster(
        clusterName="production",
        capacityProviders=["FARGATE", "FARGATE_SPOT"],
        settings=[{"name": "containerInsights", "value": INSIGHTS["production"]}],
    )
    for name in CLUSTERS[1:]:
        insights: list[ClusterSettingTypeDef] = (
            [{"name": "containerInsights", "value": INSIGHTS[name]}] if name in INSIGHTS else []
        )
        clients.ecs.create_cluster(clusterName=name, settings=insights)
    clients.ecs.create_capacity_provider(
        name=CAPACITY_PROVIDER,
        autoScalingGroupProvider={
            "autoScalingGroupArn": f"arn:aws:autoscaling:{region}:{account_id}:autoScalingGroup:"
            "5b2c1f0e-7d4a-4e8b-9a61-0c3d2e1f4a5b:autoScalingGroupName/batch-cp-asg",
            "managedScaling": {"status": "DISABLED"},
        },
    )
    clients.ecs.put_cluster_capacity_providers(
        cluster="batch-cp",
        capacityProviders=[CAPACITY_PROVIDER],
        defaultCapacityProviderStrategy=[{"capacityProvider": CAPACITY_PROVIDER, "weight": 1}],
    )
    instances = clients.ec2.run_instances(
        ImageId="ami-0c2b6f1a8e7d45e3b",  # an ECS-optimised Amazon Linux 2023 image id
        InstanceType="t3.medium",
        MinCount=len(HOSTS),
        MaxCount=len(HOSTS),
        SubnetId=subnet,
    )["Instances"]
    hosts: dict[str, str] = {}
    host_instances: dict[str, str] = {}
    for name, instance in zip(HOSTS, instances, strict=True):
        document = {
            "instanceId": instance["InstanceId"],
            "instanceType": "t3.medium",
            "region": region,
            "availabilityZone": instance["Placement"]["AvailabilityZone"],
        }
        arn = clients.ecs.register_container_instance(
            cluster="legacy-ec2",
            instanceIdentityDocument=json.dumps(document),
            instanceIdentityDocumentSignature="demo",
        )["containerInstance"]["containerInstanceArn"]
        moto.set_instance_capacity("legacy-ec2", arn, *T3_MEDIUM)
        hosts[name] = arn
        host_instances[name] = instance["InstanceId"]
    return hosts, host_instances
