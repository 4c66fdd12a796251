"""Step 5, IAM, for the app's own calls: AWS refused one, and the app stopped on it.

IAM's refusal names who called, what and on what, and why: "no identity-based policy allows"
means the task role lacks a statement; "an explicit deny in a service control policy" (or a
permissions boundary, a resource, session or VPC endpoint policy) means no statement in the
task role can help. The role's own policies, read and evaluated here, tell the rest: a role
that already allows the call is denied by something else.
"""

from __future__ import annotations

import re

from bot import console
from bot.checks.base import NAMED, Check, Knowledge, Stage
from bot.checks.evidence import (
    config,
    contrary,
    hit_evidence,
    log_hits,
    policies_readable,
    role_label,
    role_name,
    role_named,
)
from bot.checks.fixes import Scene, aws, compact, fix, log_link, rollback_words
from bot.checks.policy import Decision, decide
from bot.model import (
    Cause,
    Evidence,
    Fact,
    Facts,
    Finding,
    NextStep,
    Particulars,
    Step,
    TaskDefinition,
    Where,
)

# IAM's refusal: who, what, on what, and (for an explicit deny) which kind of policy.
_REFUSAL = re.compile(
    r"(?:User: (?P<principal>arn:aws[\w-]*:(?:sts|iam)::\S+) )?is not authorized to perform:? "
    r"(?P<action>[\w-]+:[\w*]+)(?: on resource:? (?P<resource>[^\s\"',]+))?"
    r"(?:.{0,40}?with an explicit deny in an? (?P<denier>[\w -]+?policy))?",
    re.IGNORECASE,
)


@fix
def _fix_task_role_denied(scene: Scene) -> NextStep:
    particulars = scene.cause.particulars
    role = scene.cause.where.role
    name = scene.container.name if scene.container else "the app"
    action_name = particulars.aws_action
    what = action_name or "the call its log names"
    if role is None:
        action = (
            f"AWS refuses {what} to {name}, whose task has no task role: give it one that "
            "allows the call (taskRoleArn, not executionRoleArn) in a new revision."
        )
        return scene.step(action, None, log_link(scene))
    if particulars.denied_by:
        action = (
            f"{particulars.denied_by[:1].upper()}{particulars.denied_by[1:]} denies {what} to "
            f"task role {role}: a statement in the role cannot override an explicit deny. Ask "
            "its owner to allow the call, or make it another way."
        )
        return scene.step(action, None, ("IAM role", console.role(scene.region, role)))
    if action_name is None:
        action = (
            f"AWS refuses a call of {name} to task role {role} (its log does not name the "
            "action): find the action in CloudTrail's AccessDenied events and allow it in the "
            "role."
        )
        return scene.step(action, None, ("IAM role", console.role(scene.region, role)))
    resource = particulars.aws_resource or "*"
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action_name, "Resource": resource}],
    }
    action = (
        f"Task role {role} may not call {action_name} on {resource}: add this statement to it "
        "(scoped to that action and resource), then force a new deployment."
    ) + rollback_words(scene)
    command = aws(
        "iam",
        "put-role-policy",
        "--role-name",
        role,
        "--policy-name",
        f"allow-{action_name.replace(':', '-')}",
        "--policy-document",
        compact(policy),
    )
    return scene.step(action, command, ("IAM role", console.role(scene.region, role)))


TASK_ROLE_DENIED = Knowledge(
    Cause.TASK_ROLE_DENIED,
    Step.IAM,
    title="AWS refuses {call} to the task role {role}",
    explains=frozenset({Cause.APP_CRASH, Cause.ELB_HEALTH_CHECK}),
    stage=Stage.APP_RUNS,
    revision_brought=True,
    primary="logs",
    fix=_fix_task_role_denied,
)


def check_task_role(facts: Facts) -> list[Finding]:
    """The app logged that AWS refused one of its calls: read who, what, on what and why,
    and weigh it against the task role's own policies."""
    hits = log_hits(facts, Cause.TASK_ROLE_DENIED)
    definition = facts.task_definition
    if not hits or definition is None:
        return []
    line = hits[0].said.text
    said = _REFUSAL.search(line)
    particulars = Particulars(
        quoted=line,
        aws_action=said["action"] if said else None,
        aws_resource=said["resource"] if said else None,
        aws_principal=said["principal"] if said else None,
        denied_by=said["denier"] if said else None,
    )
    decision = _decision(facts, definition, particulars)
    allowed = decision is not None and decision.allowed and policies_readable(facts)
    denied_by = particulars.denied_by
    if denied_by is None and decision is not None and decision.reason == "explicit-deny":
        denied_by = f"a Deny in task role {role_name(definition.task_role_arn)}"
    elif denied_by is None and allowed:
        denied_by = "a policy outside the task role"
    role = role_name(definition.task_role_arn)
    call = particulars.aws_action or "a call of the app"
    return [
        TASK_ROLE_DENIED.finding(
            (*hit_evidence(facts, hits), *_said_of_role(facts, definition, particulars, allowed)),
            Where(container=hits[0].container, role=role, role_kind="task"),
            {"call": call, "role": role_label(definition.task_role_arn)},
            confidence=NAMED,
            tasks=len(hits),
            observed=True,
            particulars=particulars.model_copy(update={"denied_by": denied_by}),
        )
    ]


def _decision(facts: Facts, definition: TaskDefinition, read: Particulars) -> Decision | None:
    """What the task role's own policies say of the refused call; None when it cannot be told
    (no action named, no role read, or a role that does not exist)."""
    role = role_named(facts, definition.task_role_arn)
    if read.aws_action is None or role is None or not role.exists:
        return None
    policies = [p.document for p in role.policies]
    return decide(policies, read.aws_action, read.aws_resource or "*")


def _said_of_role(
    facts: Facts, definition: TaskDefinition, read: Particulars, allowed: bool
) -> tuple[Evidence, ...]:
    """What the task role shows: none, one that allows the call anyway, or one that does not."""
    if not definition.task_role_arn:
        return (config(f"{definition.family}:{definition.revision} has no taskRoleArn"),)
    label = role_label(definition.task_role_arn)
    if read.aws_action and allowed:
        return (contrary(f"task role {label} allows {read.aws_action}: something else denies it"),)
    if read.aws_action and policies_readable(facts):
        return (config(f"no policy of task role {label} allows {read.aws_action}"),)
    return ()


CHECK = Check(
    run=check_task_role,
    knowledge=(TASK_ROLE_DENIED,),
    needs=(Fact.TASKS,),
    reads=(Fact.TASK_DEFINITIONS, Fact.LOG_STREAMS, Fact.ROLES),
    step=Step.IAM,
    passed="No AWS call of the app was refused",
)
