"""Step 3, the logs: can the log driver start, so that the application's own words survive?

The awslogs driver starts before the application: a missing log group or a role that may not
write to it stops the task before it prints a single line.
"""

from __future__ import annotations

from bot import console
from bot.checks.base import NAMED, PROVEN, Check, Knowledge, Stage
from bot.checks.evidence import (
    config,
    config_severity,
    container_definitions,
    denial,
    hit_evidence,
    log_hits,
    policies_readable,
    role_name,
    role_named,
    tallies,
)
from bot.checks.fixes import Scene, aws, fix, log_link, log_tail
from bot.model import (
    Cause,
    ContainerDefinition,
    Evidence,
    Fact,
    Facts,
    Finding,
    NextStep,
    Particulars,
    Step,
    Where,
)
from bot.parse.arns import arn

# --------------------------------------------------------------------------- fixes


def _log_group(scene: Scene) -> str | None:
    containers = scene.definition.containers if scene.definition else ()
    groups = [
        c.log_options["awslogs-group"] for c in containers if "awslogs-group" in c.log_options
    ]
    named = [g for g in groups if g == scene.cause.where.log_group]
    return next(iter(named or groups), None)


@fix
def _fix_log_group_missing(scene: Scene) -> NextStep:
    group = _log_group(scene)
    if group is None:
        action = "Create the log group the task definition names, or let awslogs create it."
        return scene.step(action, link=("Log groups", console.log_groups(scene.region)))
    action = (
        f"Create log group {group} (or set awslogs-create-group to true and allow the execution "
        "role logs:CreateLogGroup); the next tasks start once it exists."
    )
    command = aws("logs", "create-log-group", "--log-group-name", group, "--region", scene.region)
    return scene.step(action, command, ("Log groups", console.log_groups(scene.region)))


@fix
def _fix_log_config_invalid(scene: Scene) -> NextStep:
    container = scene.container
    if scene.cause.particulars.failure == "own-config":
        name = container.name if container else "the log router"
        line = scene.cause.particulars.quoted
        action = (
            f"{name} stops on its own configuration (“{line}”): correct it (FireLens: the "
            "config file in its image or the one its firelensConfiguration names; Envoy: its "
            "bootstrap), then deploy. The containers that log through it stop with it."
        )
        return scene.step(action, log_tail(scene), log_link(scene))
    driver = container.log_driver if container and container.log_driver else "log"
    name = container.name if container else "the container"
    action = (
        f"The {driver} driver of {name} cannot start: check its logConfiguration options in "
        f"{scene.revision or 'the task definition'}"
        + (
            ", and that its log router (FireLens or a fluentd agent) is running before it starts"
            if driver in ("fluentd", "awsfirelens")
            else ""
        )
        + "."
    )
    link = None
    if scene.definition:
        link = (
            "Task definition",
            console.task_definition(
                scene.region, scene.definition.family, scene.definition.revision
            ),
        )
    return scene.step(action, link=link)


# --------------------------------------------------------------------------- causes


LOG_GROUP_MISSING = Knowledge(
    Cause.LOG_GROUP_MISSING,
    Step.LOGS,
    title="Log group {log_group} does not exist and is not created automatically",
    stage=Stage.LOG_DRIVER,
    fix=_fix_log_group_missing,
)
LOG_CONFIG_INVALID = Knowledge(
    Cause.LOG_CONFIG_INVALID,
    Step.LOGS,
    title="The {driver} log driver of container {container} cannot start",
    explains=frozenset({Cause.APP_CRASH}),  # a log router that stops on its config exits 1
    stage=Stage.LOG_DRIVER,
    fix=_fix_log_config_invalid,
)
KNOWLEDGE = (LOG_GROUP_MISSING, LOG_CONFIG_INVALID)
_BY_CODE = {knowledge.code: knowledge for knowledge in KNOWLEDGE}
_WRITES = ("logs:CreateLogStream", "logs:PutLogEvents")


def check_logs(facts: Facts) -> list[Finding]:
    """What AWS said about the log driver, a missing log group, and a role that may not write."""
    where, words = _log_driver(facts)
    found = [
        tally.finding(_BY_CODE[tally.cause], where, words) for tally in tallies(facts, _BY_CODE)
    ]
    found += _router_config(facts)
    return found + _missing_groups(facts) + _writes_denied(facts, where, words)


def _router_config(facts: Facts) -> list[Finding]:
    """A log router (FireLens) or a proxy logged that its own configuration is invalid."""
    hits = log_hits(facts, Cause.LOG_CONFIG_INVALID)
    if not hits:
        return []
    container = hits[0].container
    finding = LOG_CONFIG_INVALID.finding(
        hit_evidence(facts, hits),
        Where(container=container),
        {"driver": "its"},
        confidence=NAMED,
        tasks=len(hits),
        observed=True,
        particulars=Particulars(quoted=hits[0].said.text, failure="own-config"),
    )
    title = f"Container {container} stops on its own configuration"
    return [finding.model_copy(update={"title": title})]


def _awslogs(facts: Facts) -> list[tuple[ContainerDefinition, str, str]]:
    """(container, log group, region) for every container that logs through awslogs."""
    return [
        (c, c.log_options["awslogs-group"], c.log_options.get("awslogs-region", facts.region))
        for c in container_definitions(facts)
        if c.log_driver == "awslogs" and "awslogs-group" in c.log_options
    ]


def _log_driver(facts: Facts) -> tuple[Where, dict[str, str]]:
    """The names a message about the log driver leaves out: the first logging container's."""
    definition = facts.task_definition
    role = role_name(definition.execution_role_arn if definition else None)
    logging = [c for c in container_definitions(facts) if c.log_driver]
    if not logging:
        return Where(role=role), {"driver": "log"}
    first = logging[0]
    group = first.log_options.get("awslogs-group")
    where = Where(container=first.name, log_group=group, role=role)
    return where, {"driver": str(first.log_driver)}


def _missing_groups(facts: Facts) -> list[Finding]:
    known = {group.name: group for group in facts.log_groups}
    found: list[Finding] = []
    for container, group, region in _awslogs(facts):
        created = container.log_options.get("awslogs-create-group", "").lower() == "true"
        if group in known and not known[group].exists and not created:
            evidence = (
                config(
                    f'logConfiguration awslogs-group "{group}", awslogs-create-group not "true"',
                    f"container {container.name}",
                ),
                config(f"CloudWatch Logs in {region} has no log group named {group}"),
            )
            severity = config_severity(facts)
            found.append(
                LOG_GROUP_MISSING.finding(
                    evidence,
                    Where(container=container.name, log_group=group),
                    confidence=PROVEN,
                    severity=severity,
                )
            )
    return found


def _writes_denied(facts: Facts, where: Where, words: dict[str, str]) -> list[Finding]:
    definition = facts.task_definition
    role = role_named(facts, definition.execution_role_arn if definition else None)
    if role is None or not role.exists or not policies_readable(facts):
        return []
    evidence: list[Evidence] = []
    for container, group, region in _awslogs(facts):
        group_arn = arn(facts, "logs", f"log-group:{group}", region)
        stream_arn = f"{group_arn}:log-stream:{container.name}"
        evidence += [r for action in _WRITES if (r := denial(role, action, group_arn, stream_arn))]
    if not evidence:
        return []
    return [
        LOG_CONFIG_INVALID.finding(
            evidence, where, words, confidence=PROVEN, severity=config_severity(facts)
        )
    ]


def _no_log_configuration(facts: Facts) -> str | None:
    if facts.task_definition is None or any(c.log_driver for c in container_definitions(facts)):
        return None
    return "No container has a log configuration"


CHECK = Check(
    run=check_logs,
    knowledge=KNOWLEDGE,
    # the log configuration, its groups, and the tail of the task's stream: whether the app's
    # words survive is known only once they were read
    needs=(Fact.LOG_GROUPS, Fact.LOG_STREAMS, Fact.TASK_DEFINITIONS),
    reads=(Fact.ROLES,),  # whether the execution role may write
    step=Step.LOGS,
    passed="The log driver can start and write",
    skip=_no_log_configuration,
)
