"""The app's own AWS calls that AWS refused (bot/checks/task_role.py)."""

from __future__ import annotations

import json
import shlex

import tests.facts_builder as fb
from bot.checks.task_role import TASK_ROLE_DENIED, check_task_role
from bot.model import Cause, Facts

DENIED = (
    "botocore.exceptions.ClientError: An error occurred (AccessDeniedException) when calling "
    "the PutItem operation: User: arn:aws:sts::123456789012:assumed-role/api-task/0a1b2c is not "
    "authorized to perform: dynamodb:PutItem on resource: "
    "arn:aws:dynamodb:us-east-1:123456789012:table/orders because no identity-based policy "
    "allows the dynamodb:PutItem action"
)
SCP = (
    "AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/api-task/0a1b2c is not "
    "authorized to perform: s3:PutObject on resource: arn:aws:s3:::reports/2026/12.csv with an "
    "explicit deny in a service control policy"
)


def refused(line: str) -> Facts:
    stop = fb.stopped(exit_code=1)
    return fb.failing(stop, log_streams=(fb.logs(stop, line),))


def test_a_call_no_policy_allows_gets_a_statement_for_that_action_and_resource() -> None:
    facts = refused(DENIED)
    finding = fb.only(check_task_role(facts), Cause.TASK_ROLE_DENIED)
    assert finding.title == "AWS refuses dynamodb:PutItem to the task role api-task"
    particulars = finding.particulars
    assert (particulars.aws_action, particulars.aws_resource, particulars.denied_by) == (
        "dynamodb:PutItem",
        "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
        None,
    )
    step = fb.fixed(TASK_ROLE_DENIED, facts, particulars=particulars, where=finding.where)
    assert step.command is not None
    words = shlex.split(step.command)
    assert words[:5] == ["aws", "iam", "put-role-policy", "--role-name", "api-task"]
    document = json.loads(words[words.index("--policy-document") + 1])
    assert document["Statement"] == [
        {
            "Effect": "Allow",
            "Action": "dynamodb:PutItem",
            "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
        }
    ]
    diagnosis = fb.diagnose(facts)
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.TASK_ROLE_DENIED  # the crash it explains is a symptom


def test_an_explicit_deny_is_named_and_no_statement_is_offered() -> None:
    facts = refused(SCP)
    finding = fb.only(check_task_role(facts), Cause.TASK_ROLE_DENIED)
    assert finding.particulars.denied_by == "service control policy"
    step = fb.fixed(TASK_ROLE_DENIED, facts, particulars=finding.particulars, where=finding.where)
    assert step.action.startswith("Service control policy denies s3:PutObject")
    assert step.command is None


def test_a_role_that_already_allows_the_call_is_denied_by_something_else() -> None:
    task_role = fb.role(
        fb.TASK_ROLE_ARN, fb.allow(["dynamodb:PutItem"], "arn:aws:dynamodb:*:*:table/*")
    )
    facts = refused(DENIED).model_copy(
        update={"roles": {**fb.facts().roles, fb.TASK_ROLE_ARN: task_role}}
    )
    finding = fb.only(check_task_role(facts), Cause.TASK_ROLE_DENIED)
    assert finding.particulars.denied_by == "a policy outside the task role"
    step = fb.fixed(TASK_ROLE_DENIED, facts, particulars=finding.particulars, where=finding.where)
    assert step.command is None
