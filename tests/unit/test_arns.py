"""AWS names parsed and built once, for the target parser, the collectors and the checks."""

from __future__ import annotations

import pytest

from bot.parse.arns import (
    TASK_ARN,
    account_of,
    arn,
    family_and_revision,
    name_of,
    partition,
    region_of,
    secret_read,
)
from tests import facts_builder as fb

TASK_ID = "0123456789abcdef0123456789abcdef"


def test_account_region_and_names_from_arns() -> None:
    cluster = "arn:aws:ecs:us-east-1:123456789012:cluster/production"
    assert (account_of(cluster), region_of(cluster), name_of(cluster)) == (
        "123456789012",
        "us-east-1",
        "production",
    )
    assert (account_of("production"), region_of("production")) == (None, None)


@pytest.mark.parametrize(
    ("text", "cluster"),
    [
        (f"arn:aws:ecs:eu-west-1:123456789012:task/production/{TASK_ID}", "production"),
        (f"arn:aws:ecs:eu-west-1:123456789012:task/{TASK_ID}", None),  # the old form
    ],
)
def test_a_task_arn_in_either_form(text: str, cluster: str | None) -> None:
    match = TASK_ARN.fullmatch(text)
    assert match is not None
    assert (match["region"], match["account_id"], match["cluster"], match["task"]) == (
        "eu-west-1",
        "123456789012",
        cluster,
        TASK_ID,
    )


def test_not_a_task_arn() -> None:
    assert not TASK_ARN.fullmatch(f"arn:aws:ecs:eu-west-1:123456789012:service/prod/{TASK_ID}")
    assert not TASK_ARN.fullmatch("arn:aws:ecs:eu-west-1:1234:task/production/abc")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("arn:aws:ecs:us-east-1:123456789012:task-definition/api:7", ("api", 7)),
        ("api:7", ("api", 7)),
        ("arn:aws:ecs:us-east-1:123456789012:task-definition/api", None),
        ("api:latest", None),
        (":7", None),
    ],
)
def test_the_family_and_revision_of_a_task_definition(
    text: str, found: tuple[str, int] | None
) -> None:
    assert family_and_revision(text) == found


def test_arns_are_built_in_the_region_partition() -> None:
    assert [partition(r) for r in ("us-east-1", "cn-north-1", "us-gov-west-1")] == [
        "aws",
        "aws-cn",
        "aws-us-gov",
    ]
    facts = fb.facts(region="cn-north-1")
    assert arn(facts, "logs", "log-group:/ecs/api") == (
        f"arn:aws-cn:logs:cn-north-1:{fb.ACCOUNT}:log-group:/ecs/api"
    )


def test_the_read_a_secret_reference_needs() -> None:
    facts = fb.facts()
    secret = f"arn:aws:secretsmanager:{fb.REGION}:{fb.ACCOUNT}:secret:db-AbCdEf:password::"
    assert secret_read(facts, secret) == (
        "secretsmanager:GetSecretValue",
        secret[: secret.index(":password")],
    )
    assert secret_read(facts, "db/password") == (
        "ssm:GetParameters",
        f"arn:aws:ssm:{fb.REGION}:{fb.ACCOUNT}:parameter/db/password",
    )
