"""Step 8, health checks: the container's own check and the load balancer's.

A health check that kills a task as early as its settings allow never saw the app healthy:
the app was most likely still starting (start period too short). One that kills it later saw
the app healthy first, so the check itself, or the app, keeps failing.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from bot import console
from bot.checks.base import NAMED, PROVEN, Check, Knowledge, Stage
from bot.checks.evidence import (
    NO_CONTAINER_STARTED,
    Sighting,
    Tally,
    app_said,
    config,
    config_severity,
    container_definitions,
    definition_unread,
    logs_unread,
    none_started,
    note,
    tallies,
    unconfirmed,
    unread,
    with_evidence,
)
from bot.checks.fixes import Scene, aws, fix, log_link, log_tail
from bot.checks.patterns import classify
from bot.checks.readiness import command_port, health_responses, ready
from bot.model import (
    Cause,
    ContainerDefinition,
    Evidence,
    Fact,
    Facts,
    Finding,
    Gap,
    HealthCheck,
    Kind,
    LoadBalancerRef,
    NextStep,
    Particulars,
    Step,
    TargetGroup,
    Task,
    Where,
)

# --------------------------------------------------------------------------- fixes


@fix
def _fix_start_period(scene: Scene) -> NextStep:
    container = next(
        (c for c in (scene.definition.containers if scene.definition else ()) if c.health_check),
        None,
    )
    check = container.health_check if container else None
    name = container.name if container else "the container"
    now = f"{check.start_period} s" if check else "its start period"
    action = (
        f"Raise the health check startPeriod of {name} (now {now}) above the app's start-up time, "
        f"up to 300 s, in a new revision of {scene.revision or 'the task definition'}; behind a "
        "load balancer set the service's health check grace period too."
    )
    command = None
    if (
        scene.cluster
        and scene.service
        and scene.facts.service
        and scene.facts.service.load_balancers
    ):
        command = aws(
            "ecs",
            "update-service",
            "--cluster",
            scene.cluster,
            "--service",
            scene.service,
            "--health-check-grace-period-seconds",
            "300",
        )
    return scene.step(action, command)


@fix
def _fix_health_check_failing(scene: Scene) -> NextStep:
    container = next(
        (c for c in (scene.definition.containers if scene.definition else ()) if c.health_check),
        None,
    )
    name = container.name if container else "the container"
    check = container.health_check if container else None
    runs = " ".join(word for word in check.command if word != "CMD-SHELL") if check else None
    action = (
        f"Run {name}'s check by hand in a running task"
        + (f" (`{runs}`)" if runs else "")
        + ": the command must exist in the image, target the port the app listens on, and exit 0 "
        "when the app is healthy."
    )
    running = scene.facts.running_tasks
    if not (running and scene.cluster and container):
        return scene.step(action, log_tail(scene), log_link(scene))
    command = aws(
        "ecs",
        "execute-command",
        "--cluster",
        scene.cluster,
        "--task",
        running[0].task_id,
        "--container",
        container.name,
        "--interactive",
        "--command",
        "sh",
    )
    return scene.step(action, command)


def _target_group(scene: Scene) -> tuple[str, str] | None:
    """(arn, name) of the target group the evidence names, else the service's first."""
    groups = [(g.arn, g.name) for g in scene.facts.target_groups]
    if not groups and scene.facts.service:
        groups = [
            (r.target_group_arn, r.target_group_arn.split("/")[-2])
            for r in scene.facts.service.load_balancers
        ]
    named = [g for g in groups if g[1] == scene.cause.where.target_group]
    return next(iter(named or groups), None)


def _served_port(scene: Scene) -> int | None:
    service = scene.facts.service
    refs = service.load_balancers if service else ()
    if refs:
        return refs[0].container_port
    container = scene.container
    return (
        container.port_mappings[0].container_port if container and container.port_mappings else None
    )


@fix
def _fix_port_mismatch(scene: Scene) -> NextStep:
    group = _target_group(scene)
    port = _served_port(scene)
    if group is None:
        return scene.step("Make the target group health-check the port the container serves.")
    arn, name = group
    action = (
        f"Target group {name} health-checks a port the container does not serve: check the "
        f"traffic port{f' ({port})' if port else ''} instead."
    )
    command = aws(
        "elbv2",
        "modify-target-group",
        "--target-group-arn",
        arn,
        "--health-check-port",
        "traffic-port",
    )
    return scene.step(action, command, ("Target group", console.target_group(scene.region, arn)))


@fix
def _fix_elb_health_check(scene: Scene) -> NextStep:
    group = _target_group(scene)
    if group is None:
        return scene.step("Compare the load balancer's health check with what the app answers.")
    arn, name = group
    details = next((g for g in scene.facts.target_groups if g.arn == arn), None)
    checked = details.health_check_path if details else None
    link = ("Target group", console.target_group(scene.region, arn))
    particulars = scene.cause.particulars
    codes = ", ".join(map(str, particulars.status_codes))
    if codes and (path := particulars.health_path):
        action = (
            f"The app answers {codes} to {checked or 'the health check path'} but serves its "
            f"health check at {path}: point target group {name} at {path}."
        )
        command = aws(
            "elbv2", "modify-target-group", "--target-group-arn", arn, "--health-check-path", path
        )
        return scene.step(action, command, link)
    action = (
        f"Targets of {name} fail its health check"
        + (f" on {checked}" if checked else "")
        + (f" with {codes}" if codes else "")
        + ": compare its path, port and success codes with what the app answers, let the load "
        "balancer's security group reach the task, and give slow starters a grace period."
    )
    command = aws("elbv2", "describe-target-health", "--target-group-arn", arn)
    return scene.step(action, command, link)


# --------------------------------------------------------------------------- causes


START_PERIOD = Knowledge(
    Cause.HEALTH_CHECK_START_PERIOD,
    Step.HEALTH_CHECK,
    title="{checker} gives up before the app has started ({setting})",
    stage=Stage.HEALTH_CHECKS,
    fix=_fix_start_period,
)
FAILING = Knowledge(
    Cause.HEALTH_CHECK_FAILING,
    Step.HEALTH_CHECK,
    title="Container {container}'s health check keeps failing",
    explains=frozenset({Cause.SIGTERM}),  # ECS stops an unhealthy task with SIGTERM
    stage=Stage.HEALTH_CHECKS,
    fix=_fix_health_check_failing,
)
PORT_MISMATCH = Knowledge(
    Cause.HEALTH_CHECK_PORT_MISMATCH,
    Step.HEALTH_CHECK,
    title="{checker} checks port {checked}, but container {container} serves {served}",
    explains=frozenset({Cause.ELB_HEALTH_CHECK}),  # checks of the wrong port never pass
    stage=Stage.HEALTH_CHECKS,
    fix=_fix_port_mismatch,
)
ELB = Knowledge(
    Cause.ELB_HEALTH_CHECK,
    Step.HEALTH_CHECK,
    title="Load balancer health checks fail for the tasks in {target_group}",
    explains=frozenset({Cause.SIGTERM}),
    stage=Stage.HEALTH_CHECKS,
    fix=_fix_elb_health_check,
)
KNOWLEDGE = (START_PERIOD, FAILING, PORT_MISMATCH, ELB)
_BY_CODE = {knowledge.code: knowledge for knowledge in KNOWLEDGE}
# ECS replaces an unhealthy task within about a minute of the verdict.
_REPLACEMENT_SLACK = 60


def check_health_check(facts: Facts) -> list[Finding]:
    """Health-check kills (too early or not), unhealthy targets, and ports that do not line up."""
    where, fields = _names(facts)
    mismatches = _port_mismatches(facts, where, fields)
    found: list[Finding] = []
    for tally in tallies(facts, _BY_CODE):
        if tally.cause is Cause.HEALTH_CHECK_FAILING:
            found += _container_check_kills(facts, tally, where, fields)
        elif (
            tally.cause is Cause.ELB_HEALTH_CHECK
            and not mismatches  # checks of the wrong port never pass, however long they wait
            and (grace := _grace_too_short(facts, tally, where, fields))
        ):
            found.append(grace)
        elif tally.cause is Cause.ELB_HEALTH_CHECK and (gap := logs_unread(facts)):
            # the app's logs would tell whether it was ready before the grace period ended
            found.append(unconfirmed(tally.finding(ELB, where, fields), gap))
        else:
            found.append(tally.finding(_BY_CODE[tally.cause], where, fields))
    found += _unhealthy_targets(facts, where, fields)
    found = [_answered(facts, f) if f.code is Cause.ELB_HEALTH_CHECK else f for f in found]
    found += _log_port_mismatches(facts, where, fields)
    if gap := _ports_unread(facts) or _groups_unread(facts):
        found = [unconfirmed(f, gap) if f.code is Cause.ELB_HEALTH_CHECK else f for f in found]
    return found + mismatches


_BAD_CODES = re.compile(r"codes: \[([\d, ]+)\]")
_HEALTH_PATH = re.compile(r"(/[\w./-]*health[\w./-]*)", re.IGNORECASE)


def _answered(facts: Facts, finding: Finding) -> Finding:
    """The HTTP codes AWS says the load balancer's checks got, and the health path the app
    names when the target group checks another one."""
    kinds = (Kind.TARGET, Kind.EVENT, Kind.MESSAGE)
    said = " ".join(item.text for item in finding.evidence if item.kind in kinds)
    codes = m.group(1) if (m := _BAD_CODES.search(said)) else ""
    groups = facts.target_groups
    named = [g for g in groups if g.name == finding.where.target_group]
    group = next(iter(named or groups), None)
    particulars = Particulars(
        status_codes=tuple(int(code) for code in codes.split(",") if code.strip()),
        health_path=_app_health_path(facts, group.health_check_path if group else None),
    )
    return finding.model_copy(update={"particulars": particulars})


def _app_health_path(facts: Facts, checked: str | None) -> str | None:
    """A health path the app says it serves (its container health check, or its logs)."""
    checks = [c.health_check for c in container_definitions(facts) if c.health_check]
    said = [" ".join(check.command) for check in checks]
    said += [line for s in facts.log_streams for line in s.lines if "health" in line.lower()]
    for text in said:
        for path in _HEALTH_PATH.findall(text):
            if path != checked and "HTTP/" not in text.split(path, 1)[1][:10]:
                return str(path)
    return None


def _ports_unread(facts: Facts) -> Gap | None:
    """The gap that kept the load balancer's ports from being held against the container's:
    failing ELB checks are often only a port mismatch."""
    if not (facts.service and facts.service.load_balancers):
        return None
    read = {group.arn for group in facts.target_groups}
    if all(ref.target_group_arn in read for ref in facts.service.load_balancers):
        return definition_unread(facts)  # the groups' ports are known, their health may not be
    return definition_unread(facts) or unread(facts, Fact.TARGET_GROUPS)


def _groups_unread(facts: Facts) -> Gap | None:
    """The gap that hid the tasks' security groups while the load balancer's checks fail
    without an answer from the app: groups that let it in nowhere would be the cause."""
    targets = [target for group in facts.target_groups for target in group.targets]
    answered = any(target.reason == "Target.ResponseCodeMismatch" for target in targets)
    return None if answered else unread(facts, Fact.NETWORK)


def _checked_container(facts: Facts) -> ContainerDefinition | None:
    checked = [c for c in container_definitions(facts) if c.health_check and c.essential]
    return checked[0] if checked else None


def _names(facts: Facts) -> tuple[Where, dict[str, str]]:
    """The checked container and the first target group, and the words of the check's title."""
    container = _checked_container(facts)
    check = container.health_check if container else None
    groups = [group.name for group in facts.target_groups]
    if not groups and facts.service:  # …:targetgroup/NAME/ID
        groups = [ref.target_group_arn.split("/")[-2] for ref in facts.service.load_balancers]
    where = Where(
        container=container.name if container else None,
        target_group=groups[0] if groups else None,
    )
    start_period = check.start_period if check else 0
    return where, {
        "start_period": str(start_period),
        "checker": f"Container {where.labels()['container']}'s health check",
        "setting": f"startPeriod {start_period} s",
    }


def _gives_up_after(check: HealthCheck) -> int:
    """Seconds after start at which a check that never passes marks the container unhealthy."""
    return check.start_period + check.retries * check.interval


def _runtime(task: Task) -> float | None:
    ended: datetime | None = task.stopping_at or task.stopped_at
    if task.started_at is None or ended is None:
        return None
    return (ended - task.started_at).total_seconds()


def _container_check_kills(
    facts: Facts, tally: Tally, where: Where, fields: dict[str, str]
) -> list[Finding]:
    """Split the health-check kills into "never had a chance" and "failed later"."""
    container = _checked_container(facts)
    check = container.health_check if container else None
    if check is None:
        # Without the check's settings, a check that never had a chance looks like any other.
        failing = tally.finding(FAILING, where, fields)
        gap = definition_unread(facts)
        return [unconfirmed(failing, gap) if gap else failing]
    limit = _gives_up_after(check) + check.interval + _REPLACEMENT_SLACK
    runtimes = {
        s.task.arn: runtime
        for s in tally.sightings
        if s.task and (runtime := _runtime(s.task)) is not None
    }

    def too_early(sighting: Sighting) -> bool:
        """Killed before the app could be ready: by when it said it was ready, if it did,
        else by how soon the check killed it."""
        if sighting.task is None:
            return False
        said = ready(facts, sighting.task, container.name) if container else None
        if said and said.seconds is not None:
            return said.seconds > check.start_period
        return runtimes.get(sighting.task.arn, limit + 1) <= limit

    early = tuple(s for s in tally.sightings if too_early(s))
    late = tuple(s for s in tally.sightings if s not in early)
    found = []
    if early:
        seconds = sorted(int(runtimes[s.task.arn]) for s in early if s.task)
        spread = f"{seconds[0]}" if seconds[0] == seconds[-1] else f"{seconds[0]}–{seconds[-1]}"
        said = note(
            f"killed {spread} s after starting; a check that never passes gives "
            f"up after about {_gives_up_after(check)} s (startPeriod {check.start_period} s + "
            f"{check.retries} retries × {check.interval} s)"
        )
        finding = replace(tally, sightings=early).finding(START_PERIOD, where, fields)
        found.append(with_evidence(finding, said, *_app_words(facts, early, container)))
    if late:
        finding = replace(tally, sightings=late).finding(FAILING, where, fields)
        found.append(with_evidence(finding, *_app_words(facts, late, container)))
    return found


def _app_words(
    facts: Facts, sightings: tuple[Sighting, ...], container: ContainerDefinition | None
) -> list[Evidence]:
    """What the app itself logged about its start and the checks: when it was ready, on which
    port, and the failed health-check answers, as evidence."""
    task = next((s.task for s in sightings if s.task), None)
    if task is None or container is None:
        return []
    said = []
    if (up := ready(facts, task, container.name)) is not None:
        when = f" {int(up.seconds)} s after the task started" if up.seconds is not None else ""
        said.append(app_said(up.line, f"the app said it was ready{when}"))
    answers = list(dict.fromkeys(health_responses(facts, task, container.name)))
    said += [app_said(line, _ANSWERED) for line in answers[-2:]]
    return said


_ANSWERED = "the app answered a health check"


def _balancer_answers(facts: Facts) -> list[Evidence]:
    """The app's access-log lines of the load balancer's failed checks, as evidence."""
    task = facts.focus_task
    if task is None or facts.service is None or not facts.service.load_balancers:
        return []
    name = facts.service.load_balancers[0].container_name
    lines = list(dict.fromkeys(health_responses(facts, task, name)))
    return [app_said(line, _ANSWERED) for line in lines[-2:]]


def _grace_too_short(
    facts: Facts, tally: Tally, where: Where, fields: dict[str, str]
) -> Finding | None:
    """Tasks killed by load balancer checks before the app said it was ready, because the
    service's grace period ended first: the grace period is too short, not the app broken."""
    service = facts.service
    if service is None or not service.load_balancers:
        return None
    grace = service.health_check_grace_period or 0
    name = service.load_balancers[0].container_name
    early = []
    for sighting in tally.sightings:
        up = ready(facts, sighting.task, name) if sighting.task else None
        if up and up.seconds is not None and up.seconds > grace:
            early.append((sighting, up))
    if not early:
        return None
    group = next(iter(facts.target_groups), None)
    window = ""
    if group and group.health_check_interval and group.unhealthy_threshold:
        checks = group.health_check_interval * group.unhealthy_threshold
        window = (
            f"; it marks a target unhealthy after about {grace + checks} s (grace period + "
            f"{group.unhealthy_threshold} checks × {group.health_check_interval} s)"
        )
    seconds = sorted(int(up.seconds or 0) for _, up in early)
    spread = f"{seconds[0]}–{seconds[-1]}" if seconds[0] != seconds[-1] else f"{seconds[0]}"
    said = (
        note(f"the app said it was ready {spread} s after starting"),
        app_said(early[0][1].line),
        config(f"the service's healthCheckGracePeriodSeconds is {grace} s{window}"),
    )
    words = fields | {
        "checker": "The load balancer's health check",
        "setting": f"the service's health-check grace period of {grace} s",
    }
    subset = replace(tally, sightings=tuple(s for s, _ in early))
    finding = subset.finding(START_PERIOD, where.model_copy(update={"container": name}), words)
    return with_evidence(finding, *said)


def _log_port_mismatches(facts: Facts, where: Where, fields: dict[str, str]) -> list[Finding]:
    """The app says it listens on one port; its health check or its port mapping uses another."""
    task = facts.focus_task
    if task is None:
        return []
    found = []
    for container in container_definitions(facts):
        up = ready(facts, task, container.name)
        if up is None or up.port is None:
            continue
        said = []
        checked = command_port(container.health_check.command) if container.health_check else None
        if checked is not None and checked != up.port:
            said.append(config(f"{container.name}'s health check command calls port {checked}"))
        mapped = [m.container_port for m in container.port_mappings]
        if mapped and up.port not in mapped:
            ports = ", ".join(map(str, mapped))
            said.append(config(f"{container.name} maps containerPort {ports}"))
        if not said:
            continue
        said.append(app_said(up.line, f"but the app listens on {up.port}"))
        words = fields | {
            "checked": str(checked if checked is not None else mapped[0]),
            "served": str(up.port),
            "checker": f"Container {container.name}'s health check"
            if checked is not None
            else f"The port mapping of {container.name}",
        }
        about = where.model_copy(update={"container": container.name})
        found.append(PORT_MISMATCH.finding(said, about, words, confidence=NAMED, observed=True))
    return found


def _unhealthy_targets(facts: Facts, where: Where, fields: dict[str, str]) -> list[Finding]:
    found = []
    for group in facts.target_groups:
        said = [
            Evidence(
                kind=Kind.TARGET,
                text=f"{t.reason} ({t.description})",
                source=f"target {t.target_id}:{t.port} {t.state}",
            )
            for t in group.targets
            if (rule := classify(f"{t.reason}: {t.description}"))
            and rule.cause is Cause.ELB_HEALTH_CHECK
        ]
        if said:
            count = note(
                f"{len(said)} of {len(group.targets)} targets in {group.name} are unhealthy"
            )
            settings = config(
                f"target group {group.name} checks {group.health_check_protocol or 'HTTP'} "
                f"{group.health_check_path or '/'} on port "
                f"{group.health_check_port or 'traffic-port'}, expecting {group.matcher or '200'}"
            )
            found.append(
                ELB.finding(
                    (count, *said[:3], settings, *_balancer_answers(facts)),
                    where.model_copy(update={"target_group": group.name}),
                    fields,
                    confidence=NAMED,
                    observed=True,
                )
            )
    return found


def _port_mismatches(facts: Facts, where: Where, fields: dict[str, str]) -> list[Finding]:
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
            about = where.model_copy(
                update={"target_group": group.name, "container": container.name}
            )
            checked = (
                group.health_check_port
                if (group.health_check_port or "").isdigit()
                else str(group.port)
            )
            found.append(
                PORT_MISMATCH.finding(
                    said,
                    about,
                    fields
                    | {
                        "served": served,
                        "checked": checked,
                        "checker": f"Target group {group.name}",
                    },
                    confidence=PROVEN,
                    severity=config_severity(facts),
                )
            )
    return found


def _mismatch(
    ref: LoadBalancerRef, group: TargetGroup, container: ContainerDefinition
) -> list[Evidence]:
    """Why the target group's checks cannot reach the port the container serves."""
    mappings = {m.container_port: m for m in container.port_mappings}
    said = []
    if ref.container_port not in mappings:
        said.append(
            config(
                f"the service sends {group.name} to {container.name}:{ref.container_port}, but "
                f"{container.name} maps only {', '.join(map(str, mappings)) or 'no port'}"
            )
        )
    ip_target = group.target_type in {"ip", None}
    host_port = mappings[ref.container_port].host_port if ref.container_port in mappings else None
    expected = ref.container_port if ip_target else host_port
    check_port = group.health_check_port or "traffic-port"
    if check_port.isdigit() and int(check_port) != expected:
        serves = expected or "a dynamic host port"
        said.append(
            config(f"target group {group.name} health checks port {check_port}, not {serves}")
        )
    all_healthy = bool(group.targets) and all(t.state == "healthy" for t in group.targets)
    if ip_target and group.port and group.port != ref.container_port and not all_healthy:
        said.append(
            config(
                f"target group {group.name} is on port {group.port}, the container on "
                f"{ref.container_port}"
            )
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
    run=check_health_check,
    knowledge=KNOWLEDGE,
    needs=(Fact.TARGET_GROUPS, Fact.TASK_DEFINITIONS),
    # the kills AWS reported; when the app said it was ready, and what it answered
    reads=(Fact.SERVICE, Fact.TASKS, Fact.LOG_STREAMS, Fact.NETWORK),
    step=Step.HEALTH_CHECK,
    passed="Health checks pass",
    skip=_no_health_checks,
)
