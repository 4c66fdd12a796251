"""Step 5, IAM: the execution role (ECS's hands before the app starts) and the task role (the
app's own credentials): do they exist, may ECS tasks assume them, and may they read secrets?
"""

from __future__ import annotations

import json
import re

from bot import console
from bot.checks.base import NAMED, NEEDS_ROLE, PROVEN, Check, Knowledge, Stage
from bot.checks.evidence import (
    Tally,
    config,
    config_severity,
    container_definitions,
    contrary,
    definition_unread,
    denial,
    hit_evidence,
    last_meaningful,
    log_hits,
    policies_readable,
    quote,
    role_label,
    role_name,
    role_named,
    sightings,
    tallies,
    unconfirmed,
    unread,
)
from bot.checks.fixes import Scene, aws, compact, fix
from bot.checks.policy import trusts_ecs_tasks
from bot.model import (
    Cause,
    Evidence,
    Fact,
    Facts,
    Finding,
    Gap,
    Kind,
    NextStep,
    Particulars,
    Role,
    Step,
    TaskDefinition,
    Where,
)
from bot.parse.arns import secret_read
from bot.parse.image_uri import registry_of

# --------------------------------------------------------------------------- fixes


TRUST_ECS_TASKS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def _create_role(name: str) -> str:
    return aws(
        "iam",
        "create-role",
        "--role-name",
        name,
        "--assume-role-policy-document",
        compact(TRUST_ECS_TASKS),
    )


@fix
def fix_execution_role_missing(scene: Scene) -> NextStep:
    """Create the execution role, for a task definition that has none (or pulls without one)."""
    family = scene.definition.family if scene.definition else (scene.service or "ecs")
    name = f"{family}-execution-role"
    action = (
        f"Create an execution role for {scene.revision or family} with the AWS managed policy "
        "AmazonECSTaskExecutionRolePolicy, set it as executionRoleArn in a new revision, and "
        "update the service to that revision."
    )
    command = "\n".join(
        (
            _create_role(name),
            aws(
                "iam",
                "attach-role-policy",
                "--role-name",
                name,
                "--policy-arn",
                scene.execution_policy,
            ),
        )
    )
    return scene.step(action, command)


def _role_at_fault(scene: Scene) -> tuple[str, str] | None:
    """(kind, name) of the task definition's role the cause is about."""
    definition = scene.definition
    name = scene.cause.where.role
    if definition is None or name is None:
        return None
    for kind, role_arn in (
        ("execution", definition.execution_role_arn),
        ("task", definition.task_role_arn),
    ):
        if role_name(role_arn) == name:
            return kind, name
    return None


@fix
def _fix_role_not_found(scene: Scene) -> NextStep:
    fault = _role_at_fault(scene)
    if fault is None:
        action = "Create the role the task definition names, or point it at one that exists."
        return scene.step(action)
    kind, name = fault
    action = (
        f"IAM has no role {name}, which {scene.revision} names as its {kind} role: create it "
        "trusted by ecs-tasks.amazonaws.com"
        + (
            " with AmazonECSTaskExecutionRolePolicy"
            if kind == "execution"
            else " with what the app needs"
        )
        + ", or point a new revision at a role that exists."
    )
    lines = [_create_role(name)]
    if kind == "execution":
        lines.append(
            aws(
                "iam",
                "attach-role-policy",
                "--role-name",
                name,
                "--policy-arn",
                scene.execution_policy,
            )
        )
    return scene.step(action, "\n".join(lines))


@fix
def _fix_trust_policy(scene: Scene) -> NextStep:
    fault = _role_at_fault(scene)
    if fault is None:
        action = "Let the role trust ecs-tasks.amazonaws.com to assume it (sts:AssumeRole)."
        return scene.step(action)
    _, name = fault
    action = (
        f"Role {name} trusts another service, not ECS tasks: replace its trust policy with one "
        "that lets ecs-tasks.amazonaws.com assume it."
    )
    command = aws(
        "iam",
        "update-assume-role-policy",
        "--role-name",
        name,
        "--policy-document",
        compact(TRUST_ECS_TASKS),
    )
    return scene.step(action, command, ("IAM role", console.role(scene.region, name)))


@fix
def _fix_secrets_access_denied(scene: Scene) -> NextStep:
    role = scene.execution_role
    containers = scene.definition.containers if scene.definition else ()
    reads: dict[str, list[str]] = {}
    for container in containers:
        for secret in container.secrets:
            action_name, resource = secret_read(scene.facts, secret.value_from)
            reads.setdefault(action_name, []).append(resource)
    if role is None or not reads:
        action = (
            "Let the execution role read the task's secrets (and decrypt them with their KMS key)."
        )
        return scene.step(action)
    statements = [
        {"Effect": "Allow", "Action": name, "Resource": sorted(set(resources))}
        for name, resources in reads.items()
    ]
    policy = {"Version": "2012-10-17", "Statement": statements}
    action = (
        f"Allow {role} to read the task's secrets with this inline policy; add kms:Decrypt on "
        "their key if it is customer-managed."
    )
    command = aws(
        "iam",
        "put-role-policy",
        "--role-name",
        role,
        "--policy-name",
        "read-task-secrets",
        "--policy-document",
        compact(policy),
    )
    return scene.step(action, command, ("IAM role", console.role(scene.region, role)))


@fix
def _fix_task_role_missing(scene: Scene) -> NextStep:
    name = scene.container.name if scene.container else "the app"
    family = scene.definition.family if scene.definition else (scene.service or "ecs")
    line = scene.cause.particulars.quoted
    said = f" (“{line}”)" if line else ""
    action = (
        f"{name} finds no AWS credentials{said}: create a task role with the permissions the app "
        f"needs and set it as taskRoleArn (not executionRoleArn) in a new revision of {family}."
    )
    return scene.step(action, _create_role(f"{family}-task-role"))


# --------------------------------------------------------------------------- causes


EXECUTION_ROLE_MISSING = Knowledge(
    Cause.EXECUTION_ROLE_MISSING,
    Step.IAM,
    title="The task definition has no execution role, but {features} need one",
    explains=NEEDS_ROLE,
    stage=Stage.EXECUTION_ROLE,
    fix=fix_execution_role_missing,
)
ROLE_NOT_FOUND = Knowledge(
    Cause.ROLE_NOT_FOUND,
    Step.IAM,
    title="The {kind} role {role} does not exist",
    # ECS says it could not assume a role that does not exist, as for one that does not trust it
    explains=NEEDS_ROLE | {Cause.TRUST_POLICY},
    stage=Stage.EXECUTION_ROLE,
    fix=_fix_role_not_found,
)
TRUST_POLICY = Knowledge(
    Cause.TRUST_POLICY,
    Step.IAM,
    title="Role {role} does not let ECS tasks assume it",
    explains=NEEDS_ROLE,
    stage=Stage.EXECUTION_ROLE,
    fix=_fix_trust_policy,
)
SECRETS_ACCESS_DENIED = Knowledge(
    Cause.SECRETS_ACCESS_DENIED,
    Step.IAM,
    title="The execution role {role} cannot read {secrets}",
    stage=Stage.PULL,
    revision_brought=True,
    fix=_fix_secrets_access_denied,
)
TASK_ROLE_MISSING = Knowledge(
    Cause.TASK_ROLE_MISSING,
    Step.IAM,
    title="Container {container} looks for AWS credentials, but the task has no usable task role",
    explains=frozenset({Cause.APP_CRASH}),  # the SDK finds no credentials and the app exits
    stage=Stage.APP_RUNS,
    primary="logs",
    fix=_fix_task_role_missing,
)
KNOWLEDGE = (
    EXECUTION_ROLE_MISSING,
    ROLE_NOT_FOUND,
    TRUST_POLICY,
    SECRETS_ACCESS_DENIED,
    TASK_ROLE_MISSING,
)
_BY_CODE = {knowledge.code: knowledge for knowledge in KNOWLEDGE}
_ASSUMED = re.compile(r"assume the role '[^']*/([^'/]+)'")


def check_iam(facts: Facts) -> list[Finding]:
    """Missing or untrusted roles, unreadable secrets, and apps left without credentials."""
    definition = facts.task_definition
    found = [_message_finding(facts, tally, definition) for tally in tallies(facts, _BY_CODE)]
    if definition is None:
        return found
    task_role = _task_role_missing(facts, definition)
    found += task_role + _execution_role_missing(facts, definition)
    found += _broken_roles(facts, definition, skip_task_role=bool(task_role))
    return found + _secrets_denied(facts, definition)


# What a message about a role leaves out (its title has always called the role "execution").
_WORDS = {"secrets": "its secrets", "features": "its features", "kind": "execution"}


def _role(definition: TaskDefinition | None, name: str | None) -> Where:
    """The role a message names (the execution role when it names none), and which it is."""
    if definition is None:
        return Where(role=name)
    if name is None:
        return Where(role=role_name(definition.execution_role_arn), role_kind="execution")
    kinds = (("execution", definition.execution_role_arn), ("task", definition.task_role_arn))
    kind = next((k for k, arn in kinds if role_name(arn) == name), None)
    return Where(role=name, role_kind=kind)


def _message_finding(facts: Facts, tally: Tally, definition: TaskDefinition | None) -> Finding:
    """Messages that name the role ECS could not assume are about that role.

    ECS says it could not assume a role both when the role does not trust it and when the role
    does not exist: only the role itself tells them apart.
    """
    named = [m.group(1) for s in tally.sightings if (m := _ASSUMED.search(s.said.text))]
    role = named[0] if named else None
    knowledge = _BY_CODE[tally.cause]
    if tally.cause is Cause.TRUST_POLICY and _missing_role(facts, role, definition):
        knowledge = ROLE_NOT_FOUND  # a role that does not exist has no trust policy to fix
    finding = tally.finding(knowledge, _role(definition, role), _WORDS)
    gap = _role_unread(facts, role) if tally.cause is Cause.TRUST_POLICY else None
    return unconfirmed(finding, gap) if gap else finding


def _missing_role(facts: Facts, name: str | None, definition: TaskDefinition | None) -> bool:
    """Whether IAM showed that the role a message names (else the execution role) is missing."""
    if name is None and definition is not None:
        name = role_name(definition.execution_role_arn)
    return any(role.name == name and not role.exists for role in facts.roles.values())


def _role_unread(facts: Facts, name: str | None) -> Gap | None:
    """The gap that hid a role (by name; else the task definition's roles), if one did."""
    if name is not None and any(role.name == name for role in facts.roles.values()):
        return None
    definition = facts.task_definition
    if name is None and definition is not None:
        arns = [a for a in (definition.execution_role_arn, definition.task_role_arn) if a]
        if all(arn in facts.roles for arn in arns):
            return None
    return definition_unread(facts) or unread(facts, Fact.ROLES)


def _execution_role_missing(facts: Facts, definition: TaskDefinition) -> list[Finding]:
    """Features that need an execution role, in a task definition that has none."""
    if definition.execution_role_arn:
        return []
    needs = [feature for feature, used in _role_needs(facts).items() if used]
    if not needs:
        return []
    said = f"task definition {definition.family}:{definition.revision} has no executionRoleArn"
    return [
        EXECUTION_ROLE_MISSING.finding(
            [config(said), config(f"needed for: {', '.join(needs)}")],
            Where(),
            {"features": " and ".join(needs)},
            confidence=PROVEN,
            severity=config_severity(facts),
        )
    ]


def _role_needs(facts: Facts) -> dict[str, bool]:
    """What needs an execution role. On EC2 the instance's role may stand in for awslogs and
    ECR pulls, unless ECR has been refusing it."""
    containers = container_definitions(facts)
    fargate = facts.on_fargate
    from_ecr = any(registry_of(c.image) for c in containers)
    refused = any(s.cause is Cause.ECR_PERMISSION_DENIED for s in sightings(facts))
    return {
        "secrets": any(c.secrets for c in containers),
        "private registry credentials": any(c.repository_credentials for c in containers),
        "awslogs on Fargate": fargate and any(c.log_driver == "awslogs" for c in containers),
        "ECR pulls on Fargate": fargate and from_ecr,
        "ECR pulls (refused to the instance role)": not fargate and from_ecr and refused,
    }


def _broken_roles(
    facts: Facts, definition: TaskDefinition, *, skip_task_role: bool
) -> list[Finding]:
    """Roles the task definition names that do not exist or do not trust ECS tasks."""
    roles = {"execution": definition.execution_role_arn}
    if not skip_task_role:
        roles["task"] = definition.task_role_arn
    found, seen = [], set()
    for kind, arn in roles.items():
        role = role_named(facts, arn)
        if role is None or role.arn in seen:
            continue
        seen.add(role.arn)
        if not role.exists:
            knowledge = ROLE_NOT_FOUND
            said = [
                config(f"{kind}RoleArn {role.arn}"),
                config(f"IAM has no role named {role.name}"),
            ]
        elif role.trust_policy is not None and not trusts_ecs_tasks(role.trust_policy):
            knowledge, said = TRUST_POLICY, [config(_trust(role), f"trust policy of {role.name}")]
        else:
            continue
        where = Where(role=role.name, role_kind="execution" if kind == "execution" else "task")
        severity = config_severity(facts)
        found.append(knowledge.finding(said, where, confidence=PROVEN, severity=severity))
    return found


def _trust(role: Role) -> str:
    return quote(json.dumps((role.trust_policy or {}).get("Statement"), separators=(", ", ": ")))


def _secrets_denied(facts: Facts, definition: TaskDefinition) -> list[Finding]:
    role = role_named(facts, definition.execution_role_arn)
    if role is None or not role.exists or not policies_readable(facts):
        return []
    denied: dict[str, Evidence] = {}
    for container in container_definitions(facts):
        for secret in container.secrets:
            if said := denial(role, *secret_read(facts, secret.value_from)):
                source = f"{container.name} secret {secret.name}: {said.source}"
                denied[secret.name] = said.model_copy(update={"source": source})
    if not denied:
        return []
    secrets = ", ".join(denied) if len(denied) <= 3 else f"{len(denied)} secrets"
    return [
        SECRETS_ACCESS_DENIED.finding(
            list(denied.values())[:4],
            Where(role=role.name, role_kind="execution"),
            _WORDS | {"secrets": secrets},
            confidence=PROVEN,
            severity=config_severity(facts),
        )
    ]


def _task_role_missing(facts: Facts, definition: TaskDefinition) -> list[Finding]:
    """The app logged that no SDK credentials exist, and indeed the task role is unusable."""
    hits = log_hits(facts, Cause.TASK_ROLE_MISSING)
    if not hits:
        return []
    problem = _task_role_problem(facts, definition)
    if problem is None and role_named(facts, definition.task_role_arn) is None:
        return []  # the task role could not be read: the exit code's step tells the crash
    if problem is None:
        # The app's own words name the cause, though the role looks usable now: the tasks may
        # have run before it was set, or the container hides the ECS credential endpoint.
        problem = contrary(
            f"task role {role_label(definition.task_role_arn)} exists and trusts ECS tasks: "
            "if a new task still finds no credentials, check that the container does not "
            "override AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and that its SDK reads ECS "
            "task credentials"
        )
    said = hit_evidence(facts, hits)
    logged = [item.text for item in said if item.kind is Kind.LOG]
    return [
        TASK_ROLE_MISSING.finding(
            (*said, problem),
            Where(container=hits[0].container),
            confidence=NAMED,
            tasks=len(hits),
            observed=True,
            particulars=Particulars(quoted=last_meaningful(logged, 1)[0]),
        )
    ]


def _task_role_problem(facts: Facts, definition: TaskDefinition) -> Evidence | None:
    """Why the task role gives the app no credentials, or None when it should."""
    if not definition.task_role_arn:
        return config(
            f"task definition {definition.family}:{definition.revision} has no taskRoleArn"
        )
    role = role_named(facts, definition.task_role_arn)
    if role is None:
        return None  # not read: cannot tell
    if not role.exists:
        return config(f"taskRoleArn {role.arn} names a role that does not exist")
    if role.trust_policy is not None and not trusts_ecs_tasks(role.trust_policy):
        return config(_trust(role), f"task role {role.name} does not trust ecs-tasks.amazonaws.com")
    return None


CHECK = Check(
    run=check_iam,
    knowledge=KNOWLEDGE,
    needs=(Fact.ROLES, Fact.TASK_DEFINITIONS),
    reads=(Fact.LOG_STREAMS, Fact.TASKS, Fact.SERVICE),  # what the app and AWS said
    step=Step.IAM,
    passed="The roles exist, trust ECS tasks and can read the secrets",
)
