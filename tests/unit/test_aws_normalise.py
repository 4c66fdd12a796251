"""The pure parts of the AWS layer, on responses shaped as AWS returns them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError

from bot.aws import clients, ec2, ecr, ecs, elbv2, iam, logs, upstreams
from bot.model import ContainerState, Fact, Gap, Route, Subnet, Task
from bot.parse.arns import name_of

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

STOPPED_TASK = {
    "attachments": [
        {
            "id": "a1",
            "type": "ElasticNetworkInterface",
            "status": "DELETED",
            "details": [
                {"name": "subnetId", "value": "subnet-0a1"},
                {"name": "networkInterfaceId", "value": "eni-0b2"},
                {"name": "macAddress", "value": "0a:00:00:00:00:01"},
                {"name": "privateIPv4Address", "value": "10.0.1.25"},
            ],
        }
    ],
    "availabilityZone": "us-east-1a",
    "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/production",
    "containers": [
        {
            "containerArn": "arn:aws:ecs:us-east-1:123456789012:container/production/abc/def",
            "name": "app",
            "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v42",
            "imageDigest": "sha256:0123",
            "lastStatus": "STOPPED",
            "exitCode": 137,
            "reason": "OutOfMemoryError: Container killed due to memory usage",
            "healthStatus": "UNKNOWN",
        }
    ],
    "createdAt": T0,
    "desiredStatus": "STOPPED",
    "group": "service:api-service",
    "launchType": "FARGATE",
    "lastStatus": "STOPPED",
    "startedBy": "ecs-svc/1234567890",
    "stopCode": "EssentialContainerExited",
    "stoppedAt": T0 + timedelta(minutes=3),
    "stoppedReason": "Essential container in task exited",
    "stoppingAt": T0 + timedelta(minutes=2),
    "taskArn": "arn:aws:ecs:us-east-1:123456789012:task/production/0123456789abcdef",
    "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/api:42",
}


def client_error(code: str, operation: str = "GetRole") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "secret details"}}, operation)


# --------------------------------------------------------------------------- ECS


def test_task_from_aws() -> None:
    task = ecs.task_from_aws(STOPPED_TASK)

    assert task.task_id == "0123456789abcdef"
    assert (task.stop_code, task.stopped_reason) == (
        "EssentialContainerExited",
        "Essential container in task exited",
    )
    assert task.stopped_at == T0 + timedelta(minutes=3)
    assert (task.subnet_id, task.eni_id, task.private_ip) == ("subnet-0a1", "eni-0b2", "10.0.1.25")
    [container] = task.containers
    assert (container.exit_code, container.image_digest) == (137, "sha256:0123")


def test_newest_first_puts_the_latest_stop_first_and_unknown_times_last() -> None:
    base = ecs.task_from_aws(STOPPED_TASK)
    older = base.model_copy(update={"arn": "old", "stopped_at": T0})
    undated = base.model_copy(
        update={"arn": "undated", "stopped_at": None, "stopping_at": None, "created_at": None}
    )

    assert [t.arn for t in ecs.newest_first([older, undated, base])] == [
        base.arn,
        "old",
        "undated",
    ]


def test_a_task_on_its_way_to_stopped_counts_as_stopped() -> None:
    task = ecs.task_from_aws(STOPPED_TASK)
    stopping = task.model_copy(update={"last_status": "DEPROVISIONING"})
    running = task.model_copy(update={"last_status": "RUNNING", "desired_status": "RUNNING"})

    assert (ecs.is_stopping(task), ecs.is_stopping(stopping), ecs.is_stopping(running)) == (
        True,
        True,
        False,
    )


def test_service_from_aws() -> None:
    service = ecs.service_from_aws(
        {
            "serviceArn": "arn:aws:ecs:us-east-1:123456789012:service/production/api-service",
            "serviceName": "api-service",
            "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/production",
            "status": "ACTIVE",
            "desiredCount": 3,
            "runningCount": 1,
            "pendingCount": 1,
            "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
            "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/api:42",
            "deployments": [
                {
                    "id": "ecs-svc/1",
                    "status": "PRIMARY",
                    "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/api:42",
                    "desiredCount": 3,
                    "runningCount": 1,
                    "failedTasks": 7,
                    "rolloutState": "IN_PROGRESS",
                }
            ],
            "events": [{"id": "e1", "createdAt": T0, "message": "(service api-service) ..."}],
            "loadBalancers": [
                {
                    "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:"
                    "targetgroup/api/abc",
                    "containerName": "app",
                    "containerPort": 8080,
                },
                {"loadBalancerName": "classic", "containerName": "app", "containerPort": 80},
            ],
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": ["subnet-0a1", "subnet-0a2"],
                    "securityGroups": ["sg-1"],
                    "assignPublicIp": "ENABLED",
                }
            },
            "healthCheckGracePeriodSeconds": 60,
        }
    )

    assert service.capacity_providers == ("FARGATE_SPOT",)
    assert service.deployments[0].failed_tasks == 7
    assert service.events[0].created_at == T0
    assert [lb.container_port for lb in service.load_balancers] == [8080]  # classic ELB skipped
    assert (service.subnets, service.assign_public_ip) == (("subnet-0a1", "subnet-0a2"), True)


def test_task_definition_from_aws_keeps_no_secret_values() -> None:
    definition = ecs.task_definition_from_aws(
        {
            "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/api:42",
            "family": "api",
            "revision": 42,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "256",
            "memory": "512",
            "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
            "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
            "containerDefinitions": [
                {
                    "name": "app",
                    "image": "nginx:1.27",
                    "memory": 512,
                    "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
                    "environment": [{"name": "DB_PASSWORD", "value": "hunter2"}],
                    "secrets": [
                        {"name": "API_KEY", "valueFrom": "arn:aws:ssm:us-east-1:1:parameter/k"}
                    ],
                    "healthCheck": {"command": ["CMD-SHELL", "curl -f localhost"], "retries": 5},
                    "logConfiguration": {
                        "logDriver": "splunk",
                        "options": {"splunk-url": "https://splunk", "splunk-token": "t0ken"},
                    },
                }
            ],
            "volumes": [
                {
                    "name": "data",
                    "efsVolumeConfiguration": {
                        "fileSystemId": "fs-1",
                        "transitEncryption": "ENABLED",
                    },
                },
                {"name": "scratch", "host": {}},
            ],
        }
    )

    [container] = definition.containers
    assert container.environment_names == ("DB_PASSWORD",)
    assert container.log_options == {"splunk-url": "https://splunk", "splunk-token": "***"}
    assert container.secrets[0].value_from == "arn:aws:ssm:us-east-1:1:parameter/k"
    assert container.health_check is not None
    assert (container.health_check.retries, container.health_check.interval) == (5, 30)
    assert (definition.cpu_architecture, definition.os_family) == ("ARM64", "LINUX")
    assert [(v.file_system_id, v.transit_encryption) for v in definition.efs_volumes] == [
        ("fs-1", True)
    ]
    assert "hunter2" not in definition.model_dump_json()
    assert "t0ken" not in definition.model_dump_json()


def test_container_instance_from_aws() -> None:
    instance = ecs.container_instance_from_aws(
        {
            "containerInstanceArn": "arn:aws:ecs:us-east-1:1:container-instance/prod/ci1",
            "ec2InstanceId": "i-1",
            "status": "ACTIVE",
            "agentConnected": False,
            "registeredResources": [
                {"name": "CPU", "type": "INTEGER", "integerValue": 2048},
                {"name": "MEMORY", "type": "INTEGER", "integerValue": 3904},
                {"name": "PORTS", "type": "STRINGSET", "stringSetValue": ["22", "2375"]},
            ],
            "remainingResources": [
                {"name": "CPU", "type": "INTEGER", "integerValue": 512},
                {"name": "MEMORY", "type": "INTEGER", "integerValue": 256},
                {"name": "PORTS", "type": "STRINGSET", "stringSetValue": ["22", "2375", "8080"]},
                {"name": "PORTS_UDP", "type": "STRINGSET", "stringSetValue": []},
            ],
        }
    )

    assert instance.agent_connected is False
    assert (instance.registered_cpu, instance.remaining_memory) == (2048, 256)
    assert instance.used_ports == (22, 2375, 8080)


# --------------------------------------------------------------------------- logs


def test_awslogs_streams_follow_the_prefix_container_task_pattern() -> None:
    definition = ecs.task_definition_from_aws(
        {
            "taskDefinitionArn": "arn:aws:ecs:us-east-1:1:task-definition/api:1",
            "containerDefinitions": [
                {
                    "name": "app",
                    "image": "nginx",
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": "/ecs/api",
                            "awslogs-region": "eu-west-1",
                            "awslogs-stream-prefix": "ecs",
                        },
                    },
                },
                {
                    "name": "no-prefix",
                    "image": "nginx",
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {"awslogs-group": "/ecs/other"},
                    },
                },
                {"name": "quiet", "image": "nginx"},
            ],
        }
    )

    sources = logs.awslogs_sources(definition)

    assert [(s.container, s.group, s.region) for s in sources] == [
        ("app", "/ecs/api", "eu-west-1"),
        ("no-prefix", "/ecs/other", None),
    ]
    stream = logs.stream_of(sources[0], "abc123")
    assert stream is not None
    assert stream.stream == "ecs/app/abc123"
    assert logs.stream_of(sources[1], "abc123") is None


def test_a_wide_task_has_the_tails_of_its_telling_containers_read_and_a_small_one_all() -> None:
    def source(name: str) -> logs.LogSource:
        return logs.LogSource(container=name, group="/ecs/wide", region=None, stream_prefix="ecs")

    ends = {
        "agent-0": ContainerState(name="agent-0", exit_code=143),
        "agent-1": ContainerState(name="agent-1", exit_code=0),
        "app": ContainerState(name="app", exit_code=1),
        "agent-2": ContainerState(name="agent-2", exit_code=137),
        "proxy": ContainerState(name="proxy", reason="CannotPullContainerError: not found"),
        "agent-3": ContainerState(name="agent-3"),
        "agent-4": ContainerState(name="agent-4", exit_code=137),
    }
    task = Task(
        arn="arn:aws:ecs:us-east-1:1:task/c/abc",
        cluster_arn="arn:aws:ecs:us-east-1:1:cluster/c",
        task_definition_arn="arn:aws:ecs:us-east-1:1:task-definition/wide:1",
        last_status="STOPPED",
        containers=tuple(ends.values()),
    )
    wide = [source(name) for name in ends]

    picked = [s.container for s in logs.worth_tailing(task, wide)]

    assert picked == ["app", "proxy", "agent-0", "agent-1"]
    assert logs.worth_tailing(task, wide[:4]) == wide[:4]


# --------------------------------------------------------------------------- IAM


def test_decode_policy_accepts_url_encoded_json_and_dicts() -> None:
    encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D"
    assert iam.decode_policy(encoded) == {"Version": "2012-10-17", "Statement": []}
    assert iam.decode_policy({"Statement": []}) == {"Statement": []}
    assert iam.decode_policy(None) == {}


def test_role_name_from_an_arn_with_a_path() -> None:
    assert name_of("arn:aws:iam::1:role/service-role/exec") == "exec"
    assert name_of("exec") == "exec"


# --------------------------------------------------------------------------- EC2


def test_routes_come_from_the_subnets_own_table_else_the_main_one() -> None:
    tables = [
        ec2.route_table_from_aws(
            {
                "RouteTableId": "rtb-main",
                "VpcId": "vpc-1",
                "Associations": [{"Main": True, "RouteTableId": "rtb-main"}],
                "Routes": [
                    {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"},
                    {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1"},
                ],
            }
        ),
        ec2.route_table_from_aws(
            {
                "RouteTableId": "rtb-public",
                "VpcId": "vpc-1",
                "Associations": [{"Main": False, "SubnetId": "subnet-public"}],
                "Routes": [
                    {
                        "DestinationCidrBlock": "0.0.0.0/0",
                        "GatewayId": "igw-1",
                        "State": "blackhole",
                    }
                ],
            }
        ),
    ]
    subnets = [Subnet(id="subnet-public", vpc_id="vpc-1"), Subnet(id="subnet-app", vpc_id="vpc-1")]

    public, app = ec2.with_routes(subnets, tables)

    assert (public.route_table_id, public.routes) == (
        "rtb-public",
        (Route(destination="0.0.0.0/0", target="igw-1", state="blackhole"),),
    )
    assert app.route_table_id == "rtb-main"
    assert [r.target for r in app.routes] == ["local", "nat-1"]


def test_security_group_egress_rules() -> None:
    group = ec2.security_group_from_aws(
        {
            "GroupId": "sg-1",
            "GroupName": "api",
            "IpPermissionsEgress": [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
                    "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
                    "PrefixListIds": [{"PrefixListId": "pl-63a5400a"}],
                    "UserIdGroupPairs": [{"GroupId": "sg-2", "UserId": "1"}],
                }
            ],
        }
    )

    [rule] = group.egress
    assert (rule.protocol, rule.from_port, rule.to_port) == ("tcp", 443, 443)
    assert rule.cidrs == ("10.0.0.0/8", "::/0")
    assert (rule.prefix_lists, rule.security_groups) == (("pl-63a5400a",), ("sg-2",))


def test_vpc_endpoints_that_are_gone_do_not_count() -> None:
    assert ec2.vpc_endpoint_services(
        [
            {"ServiceName": "com.amazonaws.us-east-1.s3", "State": "available"},
            {"ServiceName": "com.amazonaws.us-east-1.ecr.dkr", "State": "Deleted"},
        ]
    ) == ("com.amazonaws.us-east-1.s3",)


def test_an_eni_shows_whether_it_has_a_public_ip() -> None:
    eni = ec2.eni_from_aws(
        {"Association": {"PublicIp": "54.1.2.3"}, "Groups": [{"GroupId": "sg-1"}]}
    )
    assert eni == ec2.Eni(public_ip=True, security_groups=("sg-1",))
    assert ec2.eni_from_aws({}).public_ip is False


# --------------------------------------------------------------------------- ECR


def test_architectures_of_a_manifest_list() -> None:
    manifest = (
        '{"manifests": [{"platform": {"architecture": "arm64", "os": "linux"}},'
        ' {"platform": {"architecture": "unknown", "os": "unknown"}}]}'
    )
    assert ecr.architectures([manifest, "not json"]) == ("arm64",)


# --------------------------------------------------------------------------- ELBv2


def test_target_group_and_health() -> None:
    group = elbv2.target_group_from_aws(
        {
            "TargetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/api/1",
            "TargetGroupName": "api",
            "Protocol": "HTTP",
            "Port": 80,
            "TargetType": "ip",
            "HealthCheckPort": "traffic-port",
            "HealthCheckPath": "/health",
            "Matcher": {"HttpCode": "200-299"},
        }
    )
    health = elbv2.target_health_from_aws(
        {
            "Target": {"Id": "10.0.1.25", "Port": 8080},
            "TargetHealth": {
                "State": "unhealthy",
                "Reason": "Target.ResponseCodeMismatch",
                "Description": "Health checks failed with these codes: [404]",
            },
        }
    )

    assert (group.health_check_port, group.matcher) == ("traffic-port", "200-299")
    assert (health.port, health.state, health.reason) == (
        8080,
        "unhealthy",
        "Target.ResponseCodeMismatch",
    )


# --------------------------------------------------------------------------- clients


@pytest.mark.parametrize(
    ("action", "allowed"),
    [
        ("ecs:DescribeServices", True),
        ("logs:GetLogEvents", True),
        ("logs:FilterLogEvents", True),
        ("ecr:BatchGetImage", True),
        ("iam:SimulatePrincipalPolicy", True),
        ("ecs:StopTask", False),
        ("ecs:UpdateService", False),
        ("iam:PassRole", False),
        ("secretsmanager:GetSecretValue", False),
        ("ssm:GetParameters", False),
        ("ecr:GetAuthorizationToken", False),
        ("sts:GetSessionToken", False),
    ],
)
def test_only_reads_that_reveal_no_secret_are_allowed(action: str, allowed: bool) -> None:
    assert clients.is_read_only(action) is allowed


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (client_error("AccessDenied"), "access denied"),
        (client_error("AccessDeniedException"), "access denied"),
        (client_error("ExpiredTokenException"), "invalid or expired credentials"),
        (client_error("ThrottlingException"), "throttled"),
        (client_error("NoSuchEntity"), "NoSuchEntity"),
        (ConnectTimeoutError(endpoint_url="https://iam.amazonaws.com"), "timed out"),
        (EndpointConnectionError(endpoint_url="https://iam.amazonaws.com"), "endpoint unreachable"),
    ],
)
def test_a_failed_call_becomes_a_short_safe_gap(error: Exception, message: str) -> None:
    gap = clients.gap_from_error(Fact.ROLES, "iam:GetRole", error)

    assert gap == Gap(fact=Fact.ROLES, action="iam:GetRole", message=message)
    assert "secret" not in gap.note


def test_ecr_throttle_back_off_is_short_and_bounded() -> None:
    throttled = (None, {"Error": {"Code": "ThrottleException"}})

    delays = [clients.ecr_throttle_delay(throttled, attempt, 5) for attempt in range(1, 6)]

    assert delays == [0.2, 0.4, 0.8, 1.6, None]
    assert clients.ecr_throttle_delay((None, {"Error": {"Code": "Other"}}), 1, 5) is None
    assert clients.ecr_throttle_delay(None, 1, 5) is None


def test_unavailable_names_the_refused_action_or_the_endpoint() -> None:
    refused = clients.unavailable(client_error("AccessDeniedException", "ListClusters"), "x")
    unreachable = clients.unavailable(
        EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), "http://127.0.0.1:1"
    )

    assert str(refused) == "AWS refused ecs:ListClusters: access denied"
    assert str(unreachable) == "cannot reach AWS at http://127.0.0.1:1: endpoint unreachable"


def test_a_container_instance_s_attributes_gpus_and_agent() -> None:
    instance = ecs.container_instance_from_aws(
        {
            "containerInstanceArn": "arn:aws:ecs:us-east-1:1:container-instance/prod/ci2",
            "status": "ACTIVE",
            "agentConnected": True,
            "runningTasksCount": 3,
            "versionInfo": {"agentVersion": "1.86.3"},
            "attributes": [
                {"name": "ecs.instance-type", "value": "g5.xlarge"},
                {"name": "ecs.capability.docker-remote-api.1.44"},
            ],
            "registeredResources": [
                {"name": "GPU", "type": "STRINGSET", "stringSetValue": ["GPU-a", "GPU-b"]}
            ],
            "remainingResources": [
                {"name": "GPU", "type": "STRINGSET", "stringSetValue": ["GPU-b"]}
            ],
        }
    )

    assert instance.attributes == {
        "ecs.instance-type": "g5.xlarge",
        "ecs.capability.docker-remote-api.1.44": "",
    }
    assert (instance.registered_gpus, instance.remaining_gpus) == (2, 1)
    assert (instance.agent_version, instance.running_tasks) == ("1.86.3", 3)


def test_placement_constraints_and_gpu_requirements_as_written() -> None:
    raw = {
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:1:task-definition/infer:3",
        "containerDefinitions": [
            {"name": "infer", "resourceRequirements": [{"type": "GPU", "value": "2"}]}
        ],
        "placementConstraints": [
            {"type": "memberOf", "expression": "attribute:ecs.instance-type =~ g5.*"}
        ],
    }
    definition = ecs.task_definition_from_aws(raw)

    assert definition.containers[0].gpus == 2
    assert [(c.type, c.expression) for c in definition.placement_constraints] == [
        ("memberOf", "attribute:ecs.instance-type =~ g5.*")
    ]
    assert (
        ecs.placement_constraints_from_aws(
            {"placementConstraints": [{"type": "distinctInstance"}]}
        )[0].expression
        is None
    )


def test_databases_and_caches_by_their_endpoints() -> None:
    db = upstreams.db_instance_from_aws(
        {
            "DBInstanceIdentifier": "ledger-db",
            "DBInstanceStatus": "available",
            "Endpoint": {"Address": "ledger-db.x.us-east-1.rds.amazonaws.com", "Port": 5432},
            "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-db", "Status": "active"}],
            "DBSubnetGroup": {"VpcId": "vpc-1"},
        }
    )
    cluster = upstreams.db_cluster_from_aws(
        {
            "DBClusterIdentifier": "orders",
            "Endpoint": "orders.cluster-x.us-east-1.rds.amazonaws.com",
            "ReaderEndpoint": "orders.cluster-ro-x.us-east-1.rds.amazonaws.com",
            "Port": 3306,
            "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-orders"}],
        }
    )
    group = upstreams.replication_group_from_aws(
        {
            "ReplicationGroupId": "sessions",
            "NodeGroups": [
                {
                    "PrimaryEndpoint": {
                        "Address": "master.sessions.x.use1.cache.amazonaws.com",
                        "Port": 6379,
                    },
                    "NodeGroupMembers": [
                        {
                            "ReadEndpoint": {
                                "Address": "sessions-001.x.use1.cache.amazonaws.com",
                                "Port": 6379,
                            }
                        }
                    ],
                }
            ],
        }
    )

    assert (db.label, db.port, db.vpc_id) == ("RDS instance ledger-db", 5432, "vpc-1")
    assert [g.id for g in db.security_groups] == ["sg-db"]
    assert cluster.addresses[1] == "orders.cluster-ro-x.us-east-1.rds.amazonaws.com"
    assert group.addresses == (
        "master.sessions.x.use1.cache.amazonaws.com",
        "sessions-001.x.use1.cache.amazonaws.com",
    )
    hosts = ["MASTER.sessions.x.use1.cache.amazonaws.com", "other.rds.amazonaws.com"]
    assert upstreams.matching([db, cluster, group], hosts) == [group]
