"""The member template's read policy is deploy/iam-policy.json, embedded (CloudFormation cannot
include a file): `python -m tests.org_templates` rewrites the block, a test keeps them equal."""

from __future__ import annotations

import json
from pathlib import Path

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


def main() -> None:
    MEMBER.write_text(with_policy(MEMBER.read_text(), POLICY.read_text()))


if __name__ == "__main__":
    main()
