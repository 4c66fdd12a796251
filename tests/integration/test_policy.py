"""deploy/iam-policy.json against the code: exactly the actions the reads make, scoped, no secrets.

The actions come from the reads' one declaration (`bot/aws/reads.py`), each derived from
botocore's model of its operation. What the code really calls is recorded too: every demo
scenario is diagnosed in this process against the emulator, each operation taken from the
clients' own recorder and from the requests that reached the emulator; every one of them must
be a declared read.
"""

from __future__ import annotations

import fnmatch
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

import boto3
import botocore.session
import pytest

from bot.aws.clients import QUEUE_ACTIONS, SECRET_OPERATIONS, is_read_only
from bot.aws.reads import all_actions, fact_actions
from bot.cache import MemoryStore
from bot.checks import CHECKS
from bot.demo.scenarios import SCENARIOS
from bot.demo.traffic import EmulatorServer
from bot.model import Fact, Target
from bot.service import Diagnoser
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "deploy" / "iam-policy.json"

# Actions AWS cannot limit to resources (no resource type in the Service Authorization
# Reference): they must be granted on "*"; every other action must not be.
ACCOUNT_WIDE = frozenset(
    {
        "ecs:ListClusters",
        "ecs:ListAccountSettings",
        "ecs:DescribeTaskDefinition",
        "ecs:ListTaskDefinitions",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeRouteTables",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcEndpoints",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetHealth",
        "iam:ListPolicies",
    }
)

# Reads that return secret material; the bot reads metadata only.
SECRET_READS = (
    "secretsmanager:GetSecretValue",
    "secretsmanager:BatchGetSecretValue",
    "ssm:GetParameter*",
    "ecr:GetAuthorizationToken",
    "ecr:GetDownloadUrlForLayer",
    *SECRET_OPERATIONS,
)

# IAM prefix → botocore service name, where they differ.
BOTOCORE_NAMES = {"elasticloadbalancing": "elbv2", "elasticfilesystem": "efs"}


def statements() -> list[dict[str, Any]]:
    document: dict[str, Any] = json.loads(POLICY.read_text())
    assert document["Version"] == "2012-10-17"
    found: list[dict[str, Any]] = document["Statement"]
    return found


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def granted() -> dict[str, set[str]]:
    """Each action the policy allows, with the resources it allows it on."""
    grants: dict[str, set[str]] = {}
    for statement in statements():
        for action in as_list(statement["Action"]):
            grants.setdefault(action, set()).update(as_list(statement["Resource"]))
    return grants


class Diagnosed(NamedTuple):
    recorded: frozenset[str]  # every operation the diagnoses made
    before: dict[str, Any]  # the account as read before, and after
    after: dict[str, Any]


@pytest.fixture(scope="module")
def diagnosed(emulator: EmulatorServer, account: dict[str, str]) -> Diagnosed:
    """Every demo scenario diagnosed, by every way a target is named, between two reads of the
    whole account made outside the bot's clients."""
    before = snapshot(boto3.Session())
    emulator.traffic.reset()
    diagnoser = Diagnoser(Settings(), MemoryStore())
    try:
        targets = [Target(cluster=s.cluster, service=s.service) for s in SCENARIOS]
        with ThreadPoolExecutor(max_workers=4) as pool:
            diagnoses = list(pool.map(diagnoser.diagnose, targets))
        stopped = next(d for d in diagnoses if d.task_arn)
        diagnoser.diagnose(Target(service=stopped.target.service))  # looks in every cluster
        diagnoser.diagnose(Target(task_id=stopped.task_arn))
        calls = set(diagnoser.clients(None).calls())
    finally:
        diagnoser.close()
    recorded = frozenset(calls | set(emulator.traffic.counts()))
    return Diagnosed(recorded, before, snapshot(boto3.Session()))


@pytest.fixture(scope="module")
def recorded(diagnosed: Diagnosed) -> frozenset[str]:
    return diagnosed.recorded


def snapshot(session: boto3.Session) -> dict[str, Any]:
    """What a diagnosis could change, read without the bot's clients or its guard."""
    ecs, iam, ec2 = session.client("ecs"), session.client("iam"), session.client("ec2")
    services: dict[str, object] = {}
    for cluster in ecs.list_clusters()["clusterArns"]:
        arns = ecs.list_services(cluster=cluster, maxResults=100)["serviceArns"]
        for chunk in (arns[i : i + 10] for i in range(0, len(arns), 10)):
            for found in ecs.describe_services(cluster=cluster, services=chunk)["services"]:
                services[found["serviceArn"]] = (
                    found["status"],
                    found["desiredCount"],
                    found["taskDefinition"],
                )
        tasks = ecs.list_tasks(cluster=cluster, desiredStatus="RUNNING")["taskArns"]
        services[f"{cluster} running"] = sorted(tasks)
    roles = {
        role["RoleName"]: (
            role["AssumeRolePolicyDocument"],
            iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"],
            iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"],
        )
        for role in iam.list_roles()["Roles"]
    }
    groups = ec2.describe_security_groups()["SecurityGroups"]
    return {
        "services": services,
        "task definitions": ecs.list_task_definitions()["taskDefinitionArns"],
        "roles": roles,
        "security groups": {
            g["GroupId"]: (g["IpPermissions"], g["IpPermissionsEgress"]) for g in groups
        },
        "routes": [t["Routes"] for t in ec2.describe_route_tables()["RouteTables"]],
        "log groups": [
            g["logGroupName"] for g in session.client("logs").describe_log_groups()["logGroups"]
        ],
        "images": {
            r["repositoryName"]: session.client("ecr").list_images(
                repositoryName=r["repositoryName"]
            )["imageIds"]
            for r in session.client("ecr").describe_repositories()["repositories"]
        },
    }


def test_the_policy_grants_exactly_what_the_reads_and_the_watch_queue_make() -> None:
    grants, made = set(granted()), all_actions() | QUEUE_ACTIONS

    missing, unused = sorted(made - grants), sorted(grants - made)

    assert (missing, unused) == ([], []), (
        f"deploy/iam-policy.json lacks {missing} (declared reads make them) "
        f"and grants {unused} (no read makes them)"
    )


def test_the_only_changes_it_grants_are_on_the_watch_queue() -> None:
    """The queue's statements are apart, on the queue of deploy/org-central.yaml (and only
    its depth on the dead-letter queue); every other statement is reads."""
    changing = {
        s["Sid"]: (sorted(as_list(s["Action"])), as_list(s["Resource"]))
        for s in statements()
        if any(not is_read_only(a) for a in as_list(s["Action"]))
        or any(":sqs:" in r for r in as_list(s["Resource"]))
    }

    assert changing == {
        "TheWatchQueueOnly": (sorted(QUEUE_ACTIONS), ["arn:aws:sqs:*:*:ecs-why-events"]),
        "CountTheWatchQueueDeadLetters": (
            ["sqs:GetQueueAttributes"],
            ["arn:aws:sqs:*:*:ecs-why-events-dlq"],
        ),
    }


def test_every_operation_the_code_calls_is_a_declared_read(recorded: frozenset[str]) -> None:
    assert sorted(recorded - all_actions()) == []


def test_each_fact_names_the_actions_behind_it() -> None:
    actions = fact_actions()

    assert {"iam:GetRole", "iam:ListPolicies", "iam:GetPolicyVersion"} <= actions[Fact.ROLES]
    assert actions[Fact.TARGET_GROUPS] == {
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetHealth",
    }


def test_every_fact_a_check_reads_is_granted() -> None:
    """What the checks declare they read is what the policy must let the bot read: a check
    whose fact no granted read makes would judge a step on nothing."""
    grants, actions = set(granted()), fact_actions()

    ungranted = {
        fact: sorted(actions.get(fact, {"<no read makes it>"}) - grants) for fact in CHECKS.facts
    }

    assert {fact: missing for fact, missing in ungranted.items() if missing} == {}


def test_diagnosing_every_demo_service_changes_nothing_in_the_account(
    diagnosed: Diagnosed,
) -> None:
    assert {"ecs:DescribeServices", "iam:GetRole", "logs:GetLogEvents"} <= diagnosed.recorded
    assert diagnosed.after == diagnosed.before


def test_no_wildcard_and_nothing_that_reads_a_secret() -> None:
    actions = granted()

    wildcards = [a for a in actions if "*" in a or "?" in a]
    secret_reads = [a for a in actions if any(fnmatch.fnmatchcase(a, s) for s in SECRET_READS)]
    assert wildcards == [], "actions must be named one by one"
    assert secret_reads == [], "the bot reads metadata, never secret values"
    assert [a for a in actions if not is_read_only(a) and a not in QUEUE_ACTIONS] == []


def test_resources_are_scoped_wherever_aws_allows_it() -> None:
    for action, resources in granted().items():
        service = action.partition(":")[0]
        if action in ACCOUNT_WIDE:
            assert resources == {"*"}, f"{action} supports no resource type: grant it on *"
        else:
            assert "*" not in resources, f"{action} can be scoped to resources"
            assert all(r.startswith(f"arn:aws:{service}:") for r in resources), (action, resources)


def test_every_action_is_a_real_api_operation() -> None:
    session = botocore.session.get_session()
    for action in granted():
        prefix, _, operation = action.partition(":")
        model = session.get_service_model(BOTOCORE_NAMES.get(prefix, prefix))
        assert operation in model.operation_names, f"{action} is not an AWS API operation"


def test_statements_are_named_allows_of_actions_on_resources() -> None:
    sids = [statement["Sid"] for statement in statements()]

    assert len(sids) == len(set(sids))
    for statement in statements():
        assert set(statement) == {"Sid", "Effect", "Action", "Resource"}, statement["Sid"]
        assert statement["Effect"] == "Allow"
        assert as_list(statement["Action"]) == sorted(as_list(statement["Action"]))
