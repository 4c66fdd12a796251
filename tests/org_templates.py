"""The member template's read policy is deploy/iam-policy.json without the watch queue's
statements (the queue is the bot's own, read with its own identity, never through a member's
role), embedded (CloudFormation cannot include a file): `python -m tests.org_templates`
rewrites the block, a test keeps them equal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
POLICY = DEPLOY / "iam-policy.json"
MEMBER = DEPLOY / "org-member.yaml"
CENTRAL = DEPLOY / "org-central.yaml"
BEGIN, END = "# BEGIN deploy/iam-policy.json", "# END deploy/iam-policy.json"


def with_policy(template: str, policy: str) -> str:
    """The template with the lines between the PolicyDocument key after BEGIN and END replaced
    by the policy as JSON (valid YAML), indented under that key."""
    lines = template.splitlines()
    start = next(i for i, line in enumerate(lines) if BEGIN in line)
    key = next(i for i in range(start, len(lines)) if lines[i].strip() == "PolicyDocument:")
    end = next(i for i in range(key, len(lines)) if END in lines[i])
    indent = " " * (len(lines[key]) - len(lines[key].lstrip()) + 2)
    body = json.dumps(json.loads(policy), indent=2).splitlines()
    return "\n".join([*lines[: key + 1], *(indent + line for line in body), *lines[end:]]) + "\n"


def member_policy(policy: str) -> str:
    """The read policy a member account's role carries: every statement but the queue's."""
    document = json.loads(policy)
    document["Statement"] = [
        statement
        for statement in document["Statement"]
        if not all(action.startswith("sqs:") for action in actions_of(statement))
    ]
    return json.dumps(document)


def actions_of(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


def granted_actions(statements: list[dict[str, Any]]) -> set[str]:
    """Every action the statements name."""
    return {action for statement in statements for action in actions_of(statement)}


def main() -> None:
    MEMBER.write_text(with_policy(MEMBER.read_text(), member_policy(POLICY.read_text())))


if __name__ == "__main__":
    main()
