"""The IAM policy evaluator: explicit Deny wins, else any Allow, else the implicit deny."""

from __future__ import annotations

from typing import Any

import pytest

from bot.checks.policy import allows, decide, trusts_ecs_tasks

REPO = "arn:aws:ecr:us-east-1:123456789012:repository/api"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf"


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_no_statement_is_an_implicit_deny() -> None:
    verdict = decide([policy()], "ecr:BatchGetImage", REPO)
    assert (verdict.allowed, verdict.reason, verdict.statement) == (False, "implicit-deny", None)


def test_an_allow_names_the_statement_that_allowed() -> None:
    statement = {"Effect": "Allow", "Action": "ecr:BatchGetImage", "Resource": REPO}
    verdict = decide([policy(statement)], "ecr:BatchGetImage", REPO)
    assert (verdict.allowed, verdict.reason, verdict.statement) == (True, "allow", statement)


def test_an_explicit_deny_in_another_policy_wins_over_an_allow() -> None:
    allow = policy({"Effect": "Allow", "Action": "ecr:*", "Resource": "*"})
    deny = policy({"Effect": "Deny", "Action": "ecr:BatchGetImage", "Resource": REPO})
    verdict = decide([allow, deny], "ecr:BatchGetImage", REPO)
    assert (verdict.allowed, verdict.reason) == (False, "explicit-deny")


def test_statement_may_be_a_single_object_and_action_a_string() -> None:
    document = {"Statement": {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}}
    assert allows([document], "logs:PutLogEvents", "arn:aws:logs:us-east-1:1:log-group:/x:*")


@pytest.mark.parametrize(
    ("pattern", "action", "allowed"),
    [
        ("ecr:*", "ecr:GetAuthorizationToken", True),
        ("ECR:getauthorizationtoken", "ecr:GetAuthorizationToken", True),  # actions ignore case
        ("ecr:Get*", "ecr:BatchGetImage", False),
        ("ecr:BatchGet?mage", "ecr:BatchGetImage", True),
        ("*", "secretsmanager:GetSecretValue", True),
        ("s3:*", "ecr:BatchGetImage", False),
    ],
)
def test_action_wildcards(pattern: str, action: str, allowed: bool) -> None:
    document = policy({"Effect": "Allow", "Action": [pattern], "Resource": "*"})
    assert allows([document], action, REPO) is allowed


@pytest.mark.parametrize(
    ("pattern", "allowed"),
    [
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-*", True),
        ("arn:aws:secretsmanager:*:*:secret:prod/*", True),
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-??????", True),
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:PROD/db-*", False),  # case counts
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:staging/*", False),
    ],
)
def test_resource_wildcards(pattern: str, allowed: bool) -> None:
    document = policy(
        {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": pattern}
    )
    assert allows([document], "secretsmanager:GetSecretValue", SECRET) is allowed


def test_not_action_allows_everything_else() -> None:
    document = policy({"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"})
    assert allows([document], "ecr:BatchGetImage", REPO)
    assert not allows([document], "iam:PassRole", "*")


def test_not_resource_denies_everywhere_but_the_exceptions() -> None:
    deny = policy({"Effect": "Deny", "Action": "ecr:*", "NotResource": [REPO]})
    allow = policy({"Effect": "Allow", "Action": "ecr:*", "Resource": "*"})
    assert allows([allow, deny], "ecr:BatchGetImage", REPO)
    other = "arn:aws:ecr:us-east-1:123456789012:repository/other"
    assert decide([allow, deny], "ecr:BatchGetImage", other).reason == "explicit-deny"


def test_a_conditioned_allow_counts_as_allowed_and_a_conditioned_deny_is_ignored() -> None:
    condition = {"StringEquals": {"aws:SourceVpce": "vpce-1"}}
    allow = policy({"Effect": "Allow", "Action": "ecr:*", "Resource": "*", "Condition": condition})
    deny = policy({"Effect": "Deny", "Action": "ecr:*", "Resource": "*", "Condition": condition})
    assert allows([allow, deny], "ecr:BatchGetImage", REPO)


def test_an_action_that_needs_resource_star_is_not_allowed_by_a_narrower_resource() -> None:
    document = policy({"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": REPO})
    assert not allows([document], "ecr:GetAuthorizationToken", "*")


def trust(principal: Any, effect: str = "Allow", action: Any = "sts:AssumeRole") -> dict[str, Any]:
    return policy({"Effect": effect, "Principal": principal, "Action": action})


@pytest.mark.parametrize(
    ("document", "trusted"),
    [
        (trust({"Service": "ecs-tasks.amazonaws.com"}), True),
        (trust({"Service": ["ec2.amazonaws.com", "ecs-tasks.amazonaws.com"]}), True),
        (
            trust(
                {"Service": "ecs-tasks.amazonaws.com"}, action=["sts:AssumeRole", "sts:TagSession"]
            ),
            True,
        ),
        (trust({"Service": "ecs-tasks.amazonaws.com"}, action="sts:*"), True),
        (trust("*"), True),
        (trust({"Service": "ecs.amazonaws.com"}), False),  # the service, not its tasks
        (trust({"Service": "ec2.amazonaws.com"}), False),
        (
            trust({"Service": "ecs-tasks.amazonaws.com"}, action="sts:AssumeRoleWithWebIdentity"),
            False,
        ),
        (trust({"AWS": "arn:aws:iam::123456789012:root"}), False),
        (None, False),
        ({}, False),
    ],
)
def test_trust_policy_for_ecs_tasks(document: dict[str, Any] | None, trusted: bool) -> None:
    assert trusts_ecs_tasks(document) is trusted


def test_an_explicit_deny_in_the_trust_policy_wins() -> None:
    document = policy(
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
        },
        {"Effect": "Deny", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:*"},
    )
    assert not trusts_ecs_tasks(document)
