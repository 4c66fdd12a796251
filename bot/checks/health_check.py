"""Step 8, health checks: the container's own check and the load balancer's.

A health check that kills a task as early as its settings allow never saw the app healthy:
the app was most likely still starting (start period too short). One that kills it later saw
the app healthy first, so the check itself, or the app, keeps failing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.checks.base import NAMED, PROVEN, Check, Knowledge
from bot.checks.evidence import (
    DEFINITION_READ,
    NO_CONTAINER_STARTED,
    Tally,
    config_severity,
    container_definitions,
    definition_unread,
    names,
    none_started,
    tallies,
    unconfirmed,
    unread,
    with_evidence,
)
from bot.checks.patterns import classify
from bot.model import (
    Cause,
    ContainerDefinition,
    Facts,
    Finding,
    Gap,
    HealthCheck,
    LoadBalancerRef,
    Step,
    TargetGroup,
    Task,
)

_TARGET_GROUPS_READ = "elasticloadbalancing:DescribeTargetGroups"
PERMISSIONS = (
    "ecs:DescribeServices",
    "ecs:DescribeTasks",
    DEFINITION_READ,
    _TARGET_GROUPS_READ,
    "elasticloadbalancing:DescribeTargetHealth",
)

START_PERIOD = Knowledge(
    Cause.HEALTH_CHECK_START_PERIOD,
    Step.HEALTH_CHECK,
    title="Container {container}'s health check gives up before the app has started "
    "(startPeriod {start_period} s)",
    fix="Raise healthCheck.startPeriod of {container} above the app's start-up time, up to 300 s "
    "(ECS console → Task definitions → Create new revision → Health check), or make the app "
    "start faster; behind a load balancer also set the service's "
    "healthCheckGracePeriodSeconds.",
)
FAILING = Knowledge(
    Cause.HEALTH_CHECK_FAILING,
    Step.HEALTH_CHECK,
    title="Container {container}'s health check keeps failing",
    fix="Run the check by hand in a running task (`aws ecs execute-command --cluster {cluster} "
    "--task <task-id> --container {container} --interactive --command sh`): the command must "
    "exist in the image (curl and wget often do not), target the port the app listens on, and "
    "exit 0 when the app is healthy.",
)
PORT_MISMATCH = Knowledge(
    Cause.HEALTH_CHECK_PORT_MISMATCH,
    Step.HEALTH_CHECK,
    title="Target group {target_group} checks port {checked}, but container {container} serves "
    "{served}",
    fix="Make the target group check the traffic port or the container's port (EC2 → Target "
    "groups → {target_group} → Health checks → Edit → Advanced → Port), and the service's "
    "loadBalancers containerPort a port that {container} maps; a service's load balancer "
    "settings change only with `aws ecs update-service --load-balancers …`.",
)
ELB = Knowledge(
    Cause.ELB_HEALTH_CHECK,
    Step.HEALTH_CHECK,
    title="Load balancer health checks fail for the tasks in {target_group}",
    fix="Compare the target group's health check path, port and success codes with what the app "
    "answers (EC2 → Target groups → {target_group} → Targets shows each target's reason), let "
    "the load balancer's security group into the task's, and give slow starters a service "
    "healthCheckGracePeriodSeconds.",
    explained_by=frozenset(
        {Cause.HEALTH_CHECK_PORT_MISMATCH, Cause.APP_CRASH, Cause.OUT_OF_MEMORY}
    ),
)
KNOWLEDGE = (START_PERIOD, FAILING, PORT_MISMATCH, ELB)
_BY_CODE = {knowledge.code: knowledge for knowledge in KNOWLEDGE}
# ECS replaces an unhealthy task within about a minute of the verdict.
_REPLACEMENT_SLACK = 60


def check_health_check(facts: Facts) -> list[Finding]:
    """Health-check kills (too early or not), unhealthy targets, and ports that do not line up."""
    fields = names(facts) | _fields(facts)
    found: list[Finding] = []
    for tally in tallies(facts, _BY_CODE):
        if tally.cause is Cause.HEALTH_CHECK_FAILING:
            found += _container_check_kills(facts, tally, fields)
        else:
            found.append(tally.finding(_BY_CODE[tally.cause], fields))
    found += _unhealthy_targets(facts, fields)
    if gap := _ports_unread(facts):
        found = [unconfirmed(f, gap) if f.code is Cause.ELB_HEALTH_CHECK else f for f in found]
    return found + _port_mismatches(facts, fields)


def _ports_unread(facts: Facts) -> Gap | None:
    """The gap that kept the load balancer's ports from being held against the container's:
    failing ELB checks are often only a port mismatch."""
    if not (facts.service and facts.service.load_balancers):
        return None
    return definition_unread(facts) or unread(facts, _TARGET_GROUPS_READ)


def _checked_container(facts: Facts) -> ContainerDefinition | None:
    checked = [c for c in container_definitions(facts) if c.health_check and c.essential]
    return checked[0] if checked else None


def _fields(facts: Facts) -> dict[str, str]:
    container = _checked_container(facts)
    check = container.health_check if container else None
    groups = [group.name for group in facts.target_groups]
    if not groups and facts.service:  # …:targetgroup/NAME/ID
        groups = [ref.target_group_arn.split("/")[-2] for ref in facts.service.load_balancers]
    return {
        "container": container.name if container else "<container>",
        "start_period": str(check.start_period if check else 0),
        "target_group": groups[0] if groups else "<target group>",
    }


def _gives_up_after(check: HealthCheck) -> int:
    """Seconds after start at which a check that never passes marks the container unhealthy."""
    return check.start_period + check.retries * check.interval


def _runtime(task: Task) -> float | None:
    ended: datetime | None = task.stopping_at or task.stopped_at
    if task.started_at is None or ended is None:
        return None
    return (ended - task.started_at).total_seconds()


def _container_check_kills(facts: Facts, tally: Tally, fields: dict[str, str]) -> list[Finding]:
    """Split the health-check kills into "never had a chance" and "failed later"."""
    container = _checked_container(facts)
    check = container.health_check if container else None
    if check is None:
        # Without the check's settings, a check that never had a chance looks like any other.
        failing = tally.finding(FAILING, fields)
        gap = definition_unread(facts)
        return [unconfirmed(failing, gap) if gap else failing]
    limit = _gives_up_after(check) + check.interval + _REPLACEMENT_SLACK
    runtimes = {
        s.task.arn: runtime
        for s in tally.sightings
        if s.task and (runtime := _runtime(s.task)) is not None
    }
    early = tuple(
        s for s in tally.sightings if s.task and runtimes.get(s.task.arn, limit + 1) <= limit
    )
    late = tuple(s for s in tally.sightings if s not in early)
    found = []
    if early:
        seconds = sorted(int(runtimes[s.task.arn]) for s in early if s.task)
        spread = f"{seconds[0]}" if seconds[0] == seconds[-1] else f"{seconds[0]}–{seconds[-1]}"
        said = (
            f"killed {spread} s after starting; a check that never passes gives "
            f"up after about {_gives_up_after(check)} s (startPeriod {check.start_period} s + "
            f"{check.retries} retries × {check.interval} s)"
        )
        found.append(
            with_evidence(replace(tally, sightings=early).finding(START_PERIOD, fields), said)
        )
    if late:
        found.append(replace(tally, sightings=late).finding(FAILING, fields))
    return found


def _unhealthy_targets(facts: Facts, fields: dict[str, str]) -> list[Finding]:
    found = []
    for group in facts.target_groups:
        said = [
            f"target {t.target_id}:{t.port} {t.state}: {t.reason} ({t.description})"
            for t in group.targets
            if (rule := classify(f"{t.reason}: {t.description}"))
            and rule.cause is Cause.ELB_HEALTH_CHECK
        ]
        if said:
            count = f"{len(said)} of {len(group.targets)} targets in {group.name} are unhealthy"
            found.append(
                ELB.finding(
                    (count, *said[:3]),
                    fields | {"target_group": group.name},
                    confidence=NAMED,
                    observed=True,
                )
            )
    return found


def _port_mismatches(facts: Facts, fields: dict[str, str]) -> list[Finding]:
    service = facts.service
    groups = {group.arn: group for group in facts.target_groups}
    found = []
    for ref in service.load_balancers if service else ():
        group = groups.get(ref.target_group_arn)
        container = next(
            (c for c in container_definitions(facts) if c.name == ref.container_name), None
        )
        if group is None or container is None:
            continue
        if said := _mismatch(ref, group, container):
            served = ", ".join(str(m.container_port) for m in container.port_mappings) or "no port"
            where = fields | {
                "target_group": group.name,
                "container": container.name,
                "served": served,
            }
            checked = (
                group.health_check_port
                if (group.health_check_port or "").isdigit()
                else str(group.port)
            )
            found.append(
                PORT_MISMATCH.finding(
                    said,
                    where | {"checked": checked},
                    confidence=PROVEN,
                    severity=config_severity(facts),
                )
            )
    return found


def _mismatch(
    ref: LoadBalancerRef, group: TargetGroup, container: ContainerDefinition
) -> list[str]:
    """Why the target group's checks cannot reach the port the container serves."""
    mappings = {m.container_port: m for m in container.port_mappings}
    said = []
    if ref.container_port not in mappings:
        said.append(
            f"the service sends {group.name} to {container.name}:{ref.container_port}, but "
            f"{container.name} maps only {', '.join(map(str, mappings)) or 'no port'}"
        )
    ip_target = group.target_type in {"ip", None}
    host_port = mappings[ref.container_port].host_port if ref.container_port in mappings else None
    expected = ref.container_port if ip_target else host_port
    check_port = group.health_check_port or "traffic-port"
    if check_port.isdigit() and int(check_port) != expected:
        serves = expected or "a dynamic host port"
        said.append(f"target group {group.name} health checks port {check_port}, not {serves}")
    all_healthy = bool(group.targets) and all(t.state == "healthy" for t in group.targets)
    if ip_target and group.port and group.port != ref.container_port and not all_healthy:
        said.append(
            f"target group {group.name} is on port {group.port}, the container on "
            f"{ref.container_port}"
        )
    return said


def _no_health_checks(facts: Facts) -> str | None:
    if none_started(facts):
        return f"{NO_CONTAINER_STARTED}, so no health check ran"
    if facts.service and facts.service.load_balancers:
        return None
    if facts.task_definition is None or _checked_container(facts):
        return None
    return "No load balancer and no container health check"


CHECK = Check(
    step=Step.HEALTH_CHECK,
    run=check_health_check,
    permissions=PERMISSIONS,
    knowledge=KNOWLEDGE,
    passed="Health checks pass",
    skip=_no_health_checks,
    needs=(DEFINITION_READ,),
)
