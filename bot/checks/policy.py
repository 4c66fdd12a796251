"""A small IAM policy evaluator, because moto cannot simulate policies and checks must stay pure.

It answers one question for identity policies, "may this role call `action` on `resource`?",
with IAM's order of evaluation: an explicit Deny wins, else any Allow, else the implicit deny.

Conditions are not evaluated. A conditioned Allow counts as allowed and a conditioned Deny as
not matching, so the evaluator only reports a denial it is sure of: a diagnosis that blames a
policy must be right even when the policy is cleverer than this evaluator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

ECS_TASKS = "ecs-tasks.amazonaws.com"

Policy = Mapping[str, Any]


@dataclass(frozen=True)
class Decision:
    """The outcome for one (action, resource), with the statement that decided it, if any."""

    allowed: bool
    reason: Literal["allow", "explicit-deny", "implicit-deny"]
    statement: Mapping[str, Any] | None = None


def decide(policies: Iterable[Policy], action: str, resource: str) -> Decision:
    """Evaluate identity policy documents for one action on one resource."""
    allow: Mapping[str, Any] | None = None
    for statement in _statements(policies):
        if not _applies(statement, action, resource):
            continue
        if statement.get("Effect") == "Deny" and "Condition" not in statement:
            return Decision(allowed=False, reason="explicit-deny", statement=statement)
        if statement.get("Effect") == "Allow" and allow is None:
            allow = statement
    if allow is not None:
        return Decision(allowed=True, reason="allow", statement=allow)
    return Decision(allowed=False, reason="implicit-deny")


def allows(policies: Iterable[Policy], action: str, resource: str) -> bool:
    """True when the policies allow `action` on `resource`."""
    return decide(policies, action, resource).allowed


def trusts_ecs_tasks(trust_policy: Policy | None) -> bool:
    """True when a role's trust policy lets ECS tasks (`ecs-tasks.amazonaws.com`) assume it."""
    if not trust_policy:
        return False
    trusted = False
    for statement in _statements([trust_policy]):
        if not (_names_ecs_tasks(statement) and _matches_action(statement, "sts:AssumeRole")):
            continue
        if statement.get("Effect") == "Deny" and "Condition" not in statement:
            return False
        trusted = trusted or statement.get("Effect") == "Allow"
    return trusted


def _statements(policies: Iterable[Policy]) -> Iterable[Mapping[str, Any]]:
    for policy in policies:
        statements = policy.get("Statement", [])
        yield from [statements] if isinstance(statements, Mapping) else statements


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(item) for item in value]


def _applies(statement: Mapping[str, Any], action: str, resource: str) -> bool:
    if not _matches_action(statement, action):
        return False
    if "NotResource" in statement:
        return not any(_matches(p, resource) for p in _as_list(statement["NotResource"]))
    # A statement without Resource is malformed for identity policies; treat it as "*" so a
    # sloppy document never produces a false denial.
    patterns = _as_list(statement.get("Resource", "*"))
    return any(_matches(p, resource) for p in patterns)


def _matches_action(statement: Mapping[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not any(_matches(p, action, fold=True) for p in _as_list(statement["NotAction"]))
    return any(_matches(p, action, fold=True) for p in _as_list(statement.get("Action")))


def _names_ecs_tasks(statement: Mapping[str, Any]) -> bool:
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return False
    return ECS_TASKS in _as_list(principal.get("Service")) or "*" in _as_list(principal.get("AWS"))


def _matches(pattern: str, value: str, *, fold: bool = False) -> bool:
    """IAM wildcards: `*` is any run of characters, `?` any one; actions ignore case."""
    return _compile(pattern, fold).fullmatch(value) is not None


@cache
def _compile(pattern: str, fold: bool) -> re.Pattern[str]:
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    flags = (re.IGNORECASE | re.DOTALL) if fold else re.DOTALL
    return re.compile(regex, flags)
