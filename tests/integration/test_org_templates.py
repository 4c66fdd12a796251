"""deploy/org-central.yaml and deploy/org-member.yaml deployed into the emulator as an
organisation would: the central stack per region, the member template as a service-managed
StackSet on an OU; the bot then diagnoses a member account through the role the StackSet made."""

from __future__ import annotations

import ast
import json
import warnings
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from bot.aws.organization import organizations_client, with_organization
from bot.demo.traffic import EmulatorServer
from bot.settings import Account, Organization, Settings
from tests.emulator_policies import teach_emulator
from tests.integration.conftest import emptied_emulator, run_cli
from tests.org_templates import (
    CENTRAL,
    MEMBER,
    POLICY,
    granted_actions,
    member_policy,
    with_policy,
)

REGIONS = ("us-east-1", "eu-west-1")
BOT_ROLE = "arn:aws:iam::123456789012:role/ecs-why-bot"
EXTERNAL_ID = "ecs-why-org-7f3a"


def test_the_member_template_carries_exactly_the_read_policy_and_no_queue() -> None:
    template = MEMBER.read_text()
    assert with_policy(template, member_policy(POLICY.read_text())) == template, (
        "deploy/org-member.yaml's policy differs from deploy/iam-policy.json: "
        "run `python -m tests.org_templates`"
    )

    def statements(policy: str) -> list[dict[str, object]]:
        return list(json.loads(policy)["Statement"])

    bots = granted_actions(statements(POLICY.read_text()))
    queue = {action for action in bots if action.startswith("sqs:")}
    # A member account's role reads that account; the watch queue is the bot's own.
    assert queue == {
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ReceiveMessage",
    }
    assert granted_actions(statements(member_policy(POLICY.read_text()))) == bots - queue


def parameters(**values: str) -> list[dict[str, str]]:
    return [{"ParameterKey": key, "ParameterValue": value} for key, value in values.items()]


class Organisation:
    """An organisation in the emulator: the management account (the bot's) and two members."""

    def __init__(self) -> None:
        org = boto3.client("organizations")
        self.id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
        root = org.list_roots()["Roots"][0]["Id"]
        unit = org.create_organizational_unit(ParentId=root, Name="workloads")
        self.unit = unit["OrganizationalUnit"]["Id"]
        self.members = []
        for name in ("payments", "search"):
            status = org.create_account(AccountName=name, Email=f"{name}@example.com")
            account = status["CreateAccountStatus"]["AccountId"]
            org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=self.unit)
            self.members.append(account)

    def session(self, account: str, region: str = "us-east-1") -> boto3.Session:
        """Credentials in a member account, as its OrganizationAccountAccessRole gives them."""
        role = f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
        credentials = boto3.client("sts").assume_role(RoleArn=role, RoleSessionName="test")
        keys = credentials["Credentials"]
        return boto3.Session(
            aws_access_key_id=keys["AccessKeyId"],
            aws_secret_access_key=keys["SecretAccessKey"],
            aws_session_token=keys["SessionToken"],
            region_name=region,
        )


@pytest.fixture(scope="module")
def deployed(emulator: EmulatorServer) -> Iterator[tuple[Organisation, dict[str, str]]]:
    """Both templates deployed; fails on anything the emulator could not build."""
    teach_emulator()
    with emptied_emulator(emulator) as env, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        organisation = Organisation()
        for region in REGIONS:
            boto3.client("cloudformation", region_name=region).create_stack(
                StackName="ecs-why-central",
                TemplateBody=CENTRAL.read_text(),
                Parameters=parameters(OrganizationId=organisation.id),
            )
        stack_sets = boto3.client("cloudformation")
        stack_sets.create_stack_set(
            StackSetName="ecs-why",
            TemplateBody=MEMBER.read_text(),
            PermissionModel="SERVICE_MANAGED",
            AutoDeployment={"Enabled": True, "RetainStacksOnAccountRemoval": False},
            Capabilities=["CAPABILITY_NAMED_IAM"],
            Parameters=parameters(
                BotRoleArn=BOT_ROLE,
                ExternalId=EXTERNAL_ID,
                OrganizationId=organisation.id,
                CentralAccountId="123456789012",
                RoleRegion=REGIONS[0],
            ),
        )
        stack_sets.create_stack_instances(
            StackSetName="ecs-why",
            DeploymentTargets={"OrganizationalUnitIds": [organisation.unit]},
            Regions=list(REGIONS),
            OperationPreferences={"RegionConcurrencyType": "SEQUENTIAL"},
        )
        unsupported = [str(w.message) for w in caught if "not supported" in str(w.message)]
        assert not unsupported, unsupported
        yield organisation, env


def test_a_stack_instance_in_every_member_account_and_region(
    deployed: tuple[Organisation, dict[str, str]],
) -> None:
    instances = boto3.client("cloudformation").list_stack_instances(StackSetName="ecs-why")
    placed = {(i["Account"], i["Region"]) for i in instances["Summaries"]}
    organisation, _ = deployed
    assert placed == {(a, r) for a in organisation.members for r in REGIONS}


def test_the_central_bus_admits_the_organisation_and_feeds_the_archive_and_queue(
    deployed: tuple[Organisation, dict[str, str]],
) -> None:
    organisation, _ = deployed
    for region in REGIONS:
        bus = boto3.client("events", region_name=region).describe_event_bus(Name="ecs-why")
        (statement,) = json.loads(bus["Policy"])["Statement"]
        assert statement["Action"] == "events:PutEvents"
        assert statement["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": organisation.id}}
        sqs = boto3.client("sqs", region_name=region)
        url = sqs.get_queue_url(QueueName="ecs-why-events")["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        dead_letter = sqs.get_queue_attributes(
            QueueUrl=sqs.get_queue_url(QueueName="ecs-why-events-dlq")["QueueUrl"],
            AttributeNames=["QueueArn"],
        )["Attributes"]["QueueArn"]
        assert json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"] == dead_letter
        events = boto3.client("events", region_name=region)
        rules = events.list_rules(EventBusName="ecs-why")["Rules"]
        (sent,) = json.loads(attributes["Policy"])["Statement"]
        assert sorted(sent["Condition"]["ArnEquals"]["aws:SourceArn"]) == sorted(
            rule["Arn"] for rule in rules
        )
        for rule in rules:
            targets = events.list_targets_by_rule(Rule=rule["Name"], EventBusName="ecs-why")
            arns = {target["Arn"] for target in targets["Targets"]}
            assert arns == {attributes["QueueArn"], _archive_arn(region)}


def _archive_arn(region: str) -> str:
    groups = boto3.client("logs", region_name=region).describe_log_groups(
        logGroupNamePrefix="/aws/events/ecs-why"
    )["logGroups"]
    (group,) = groups
    arn: str = group["arn"]
    return arn.removesuffix(":*")


def test_each_member_trusts_only_the_bot_and_forwards_every_region(
    deployed: tuple[Organisation, dict[str, str]],
) -> None:
    organisation, _ = deployed
    policy = json.loads(member_policy(POLICY.read_text()))
    for member in organisation.members:
        iam: Any = organisation.session(member).client("iam")
        role = iam.get_role(RoleName="ecs-why-read")["Role"]
        (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"AWS": BOT_ROLE}
        assert trust["Condition"] == {
            "StringEquals": {"sts:ExternalId": EXTERNAL_ID, "aws:PrincipalOrgID": organisation.id}
        }
        read = iam.get_role_policy(RoleName="ecs-why-read", PolicyName="ecs-why-read")
        document = read["PolicyDocument"]
        if isinstance(document, str):  # moto keeps a template's inline policy as Python's repr
            document = ast.literal_eval(document)
        assert document == policy
        names = {r["RoleName"] for r in iam.list_roles()["Roles"]}
        assert {"ecs-why-read", "ecs-why-forward"} <= names  # created once, in RoleRegion
        for region in REGIONS:
            events = organisation.session(member, region).client("events")
            for rule in events.list_rules()["Rules"]:
                (target,) = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
                assert target["Arn"] == f"arn:aws:events:{region}:123456789012:event-bus/ecs-why"
                assert target["RoleArn"] == f"arn:aws:iam::{member}:role/ecs-why-forward"


def test_accounts_and_ou_rules_come_from_the_organisation(
    deployed: tuple[Organisation, dict[str, str]],
) -> None:
    organisation, _ = deployed
    settings = Settings(
        organization=Organization(external_id=EXTERNAL_ID),
        accounts={"pay": Account(role_arn=f"arn:aws:iam::{organisation.members[0]}:role/typed")},
        channels={"C1": [f"{organisation.unit}:production@eu-west-1"], "C2": ["search:*"]},
    )
    client = organizations_client(settings)
    called: set[str] = set()
    client.meta.events.register(
        "before-call", lambda model, **_: called.add(f"organizations:{model.name}")
    )
    found = with_organization(settings, client)
    # deploy/org-bot-policy.json grants exactly what was called, and the role to assume.
    (reads, assume) = json.loads((POLICY.parent / "org-bot-policy.json").read_text())["Statement"]
    assert set(reads["Action"]) == called
    assert assume["Resource"] == "arn:aws:iam::*:role/ecs-why-read"
    assert found.accounts["pay"].role_arn.endswith(":role/typed")  # typed names win
    assert "payments" not in found.accounts  # … and their account is not named twice
    search = found.accounts["search"]
    assert search.role_arn == f"arn:aws:iam::{organisation.members[1]}:role/ecs-why-read"
    assert search.external_id is not None
    assert search.external_id.get_secret_value() == EXTERNAL_ID
    assert found.channels == {
        "C1": ["pay:production@eu-west-1", "search:production@eu-west-1"],
        "C2": ["search:*"],
    }


@pytest.mark.parametrize("configured", ["typed", "found"])
def test_the_bot_diagnoses_a_member_through_the_role_the_stack_set_made(
    deployed: tuple[Organisation, dict[str, str]], configured: str
) -> None:
    organisation, env = deployed
    member = organisation.members[0]
    ecs: Any = organisation.session(member).client("ecs")
    if not ecs.list_clusters()["clusterArns"]:
        ecs.create_cluster(clusterName="payments")
        ecs.register_task_definition(
            family="api", containerDefinitions=[{"name": "api", "image": "nginx", "memory": 256}]
        )
        ecs.create_service(
            cluster="payments", serviceName="api", taskDefinition="api", desiredCount=0
        )
    role = f"arn:aws:iam::{member}:role/ecs-why-read"
    accounts = {"payments": {"role_arn": role, "external_id": EXTERNAL_ID}}
    setting = (
        {"ECS_WHY_ACCOUNTS": json.dumps(accounts)}
        if configured == "typed"
        else {"ECS_WHY_ORGANIZATION": json.dumps({"external_id": EXTERNAL_ID})}
    )
    result = run_cli(
        env | setting,
        "diagnose",
        "payments:payments/api",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["target"]["account"], document["target"]["service"]) == (member, "api")
    # The management account has no such cluster: the answer came from the member.
    assert run_cli(env, "diagnose", "payments/api").returncode == 2
