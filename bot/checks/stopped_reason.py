"""Step 1, the stopped reason: who stopped the tasks, and whether they meant to.

Reasons that name a deeper cause (an image, a secret, a port) are judged by that cause's own
step; this step keeps the stops that were deliberate, the generic "failed to start", and
whatever no rule recognises.
"""

from __future__ import annotations

import re

from bot import console
from bot.checks.base import GUESS, Check, Knowledge, Stage
from bot.checks.evidence import (
    note,
    service_short,
    sightings,
    tallies,
    tasks_unread,
)
from bot.checks.fixes import Scene, aws, fix, instances_link, log_tail, stop_task_lookup
from bot.model import (
    Cause,
    Fact,
    Facts,
    Finding,
    Kind,
    NextStep,
    Particulars,
    Step,
    Task,
    Where,
)
from bot.parse.arns import name_of

# A stop ECS meant ends the container with SIGTERM: that is no crash of its own.
_STOPS_BY_SIGTERM = frozenset({Cause.SIGTERM})

# --------------------------------------------------------------------------- fixes


RUNBOOK = "AWSSupport-TroubleshootECSTaskFailedToStart"


@fix
def _fix_deployment(scene: Scene) -> NextStep:
    action = "Nothing to fix: the scheduler replaced these tasks on purpose."
    if scene.cluster and scene.service:
        action += (
            " If the deployment or scale-in was unexpected, its deployments say who started it."
        )
        command = aws(
            "ecs",
            "describe-services",
            "--cluster",
            scene.cluster,
            "--services",
            scene.service,
            "--query",
            "services[0].deployments",
        )
        link = (
            "Deployments",
            console.service_deployments(scene.region, scene.cluster, scene.service),
        )
        return scene.step(action, command, link)
    return scene.step(action)


@fix
def _fix_stopped_by_user(scene: Scene) -> NextStep:
    task = f" (the last was task {scene.task.task_id})" if scene.task else ""
    action = (
        f"Find who calls StopTask on these tasks{task}: CloudTrail names the user or role of each "
        "call. Then stop the script, pipeline or person doing it."
    )
    return scene.step(
        action,
        stop_task_lookup(scene),
        ("CloudTrail StopTask events", console.stop_task_events(scene.region)),
    )


@fix
def _fix_spot(scene: Scene) -> NextStep:
    action = (
        "Spot capacity comes and goes: keep an on-demand base so the service never runs on Spot "
        "alone, and let the app finish its work within the two-minute notice."
    )
    if scene.cluster is None or scene.service is None:
        return scene.step(action)
    command = aws(
        "ecs",
        "update-service",
        "--cluster",
        scene.cluster,
        "--service",
        scene.service,
        "--capacity-provider-strategy",
        "capacityProvider=FARGATE,base=1,weight=1",
        "capacityProvider=FARGATE_SPOT,weight=3",
        "--force-new-deployment",
    )
    return scene.step(action, command)


@fix
def _fix_infrastructure(scene: Scene) -> NextStep:
    instances = scene.cause.particulars.instances
    if instances:
        action = (
            f"Instance {instances[0]} went away under the tasks: see why in its state reason (and "
            "its Auto Scaling group's activity). The service replaces the tasks by itself; run at "
            "least two so one host cannot take the service down."
        )
        command = aws(
            "ec2",
            "describe-instances",
            "--instance-ids",
            *instances,
            "--query",
            "Reservations[].Instances[].[InstanceId,State.Name,StateReason.Message]",
        )
        return scene.step(
            action, command, ("EC2 instance", console.instance(scene.region, instances[0]))
        )
    action = (
        "The platform under the tasks went away (for Fargate, a task retirement: the AWS Health "
        "Dashboard lists them). The service replaces such tasks; run at least two to ride it out."
    )
    return scene.step(action)


@fix
def _fix_container_runtime(scene: Scene) -> NextStep:
    task, cluster = scene.task, scene.cluster
    instance = task.container_instance_arn if task else None
    if instance is None or cluster is None:
        action = (
            "The platform's container runtime failed the task (no code of the app ran): start "
            "it again; if it keeps failing, the task's size or the Fargate platform version is "
            "worth changing, and AWS Support can see the host."
        )
        return scene.step(action, log_tail(scene))
    instances = scene.facts.cluster.instances if scene.facts.cluster else ()
    host = next((i.ec2_instance_id for i in instances if i.arn == instance), None)
    host = host or name_of(instance)
    action = (
        f"The container runtime (Docker or containerd) or the ECS agent on {host} failed the "
        "task: drain the instance so its tasks move elsewhere, then replace it (or restart its "
        "Docker daemon and agent and read their logs)."
    )
    command = aws(
        "ecs",
        "update-container-instances-state",
        "--cluster",
        cluster,
        "--container-instances",
        instance,
        "--status",
        "DRAINING",
    )
    return scene.step(action, command, instances_link(scene))


@fix
def _fix_failed_to_start(scene: Scene) -> NextStep:
    action = (
        "ECS says no more than that the task failed to start: AWS's runbook "
        f"{RUNBOOK} checks the usual reasons (image, secrets, logs, network) for this task."
    )
    return _runbook(scene, action, scene.task)


def _runbook(scene: Scene, action: str, task: Task | None) -> NextStep:
    """AWS's runbook for a task that failed to start, run on this task."""
    link = ("Run the runbook", console.runbook(scene.region, RUNBOOK))
    if scene.cluster is None or task is None:
        return scene.step(action, link=link)
    command = aws(
        "ssm",
        "start-automation-execution",
        "--document-name",
        RUNBOOK,
        "--parameters",
        f"ClusterName={scene.cluster},TaskId={task.task_id}",
    )
    return scene.step(action, command, link)


@fix
def _fix_unknown(scene: Scene) -> NextStep:
    task = scene.task
    if task is not None and task.stopped_reason and scene.cluster:
        action = (
            f"Nothing ecs-why reads explains “{task.stopped_reason}”: AWS's runbook {RUNBOOK} "
            "checks this task's image, secrets, logs and network from inside the account."
        )
        return _runbook(scene, action, task)
    action = "Nothing ecs-why reads explains it; the service's latest events are the raw evidence."
    if scene.cluster is None or scene.service is None:
        return scene.step(action)
    command = aws(
        "ecs",
        "describe-services",
        "--cluster",
        scene.cluster,
        "--services",
        scene.service,
        "--query",
        "services[0].events[:10].[createdAt,message]",
    )
    return scene.step(action, command)


# --------------------------------------------------------------------------- causes


DEPLOYMENT = Knowledge(
    Cause.DEPLOYMENT_OR_SCALE_IN,
    Step.STOPPED_REASON,
    severity="info",
    title="Tasks were stopped on purpose by the service scheduler (deployment or scale-in)",
    fix=_fix_deployment,
)
STOPPED_BY_USER = Knowledge(
    Cause.STOPPED_BY_USER,
    Step.STOPPED_REASON,
    title="Someone or something called StopTask on the tasks",
    explains=_STOPS_BY_SIGTERM,
    fix=_fix_stopped_by_user,
)
SPOT = Knowledge(
    Cause.SPOT_INTERRUPTION,
    Step.STOPPED_REASON,
    title="Spot capacity was reclaimed and the tasks were interrupted",
    explains=_STOPS_BY_SIGTERM,
    fix=_fix_spot,
)
INFRASTRUCTURE = Knowledge(
    Cause.INFRASTRUCTURE,
    Step.STOPPED_REASON,
    title="The host or platform under the tasks went away",
    explains=_STOPS_BY_SIGTERM,
    fix=_fix_infrastructure,
)
FAILED_TO_START = Knowledge(
    Cause.TASK_FAILED_TO_START,
    Step.STOPPED_REASON,
    vagueness=1,
    title="Tasks fail to start, and ECS does not say more",
    fix=_fix_failed_to_start,
)
CONTAINER_RUNTIME = Knowledge(
    Cause.CONTAINER_RUNTIME,
    Step.STOPPED_REASON,
    # a runtime that times out is often the symptom of something more specific (a pull over a
    # network with no way out): any specific cause explains it
    vagueness=1,
    title="The host's container runtime or ECS agent failed the task",
    stage=Stage.CONTAINER_START,
    fix=_fix_container_runtime,
)
UNKNOWN = Knowledge(
    Cause.UNKNOWN,
    Step.STOPPED_REASON,
    vagueness=2,
    title="The cause could not be determined; closest guess: {guess}",
    fix=_fix_unknown,
)
KNOWLEDGE = (
    DEPLOYMENT,
    STOPPED_BY_USER,
    SPOT,
    INFRASTRUCTURE,
    FAILED_TO_START,
    CONTAINER_RUNTIME,
    UNKNOWN,
)
_BY_CODE = {knowledge.code: knowledge for knowledge in KNOWLEDGE}
# What happened, said as what it is: information, once every stopped task was replaced.
_REPLACED = {
    Cause.STOPPED_BY_USER: "{count} stopped with StopTask, all replaced",
    Cause.SPOT_INTERRUPTION: "{count} interrupted by Spot reclaims, all replaced",
    Cause.INFRASTRUCTURE: "{count} lost their host or platform, all replaced",
}
_EXPECTED = frozenset(_REPLACED)


def check_stopped_reason(facts: Facts) -> list[Finding]:
    """Deliberate stops, generic start failures, and reasons no rule recognises."""
    found = [
        _replaced(
            facts,
            _instances(
                tally.finding(_BY_CODE[tally.cause], Where(), {"guess": tally.sightings[0].meaning})
            ),
        )
        for tally in tallies(facts, _BY_CODE)
    ]
    if shortfall := _unexplained_shortfall(facts):
        guess = f"nothing: {shortfall} and no AWS message says why"
        found.append(
            UNKNOWN.finding(
                [note(shortfall)], Where(), {"guess": guess}, confidence=GUESS, observed=True
            )
        )
    return found


_INSTANCE_ID = re.compile(r"\bi-[0-9a-f]{8,17}\b")


def _instances(finding: Finding) -> Finding:
    """The EC2 instances AWS's messages name as gone from under the tasks."""
    if finding.code is not Cause.INFRASTRUCTURE:
        return finding
    said = " ".join(e.text for e in finding.evidence if e.kind in (Kind.MESSAGE, Kind.EVENT))
    instances = tuple(dict.fromkeys(_INSTANCE_ID.findall(said)))
    return finding.model_copy(update={"particulars": Particulars(instances=instances)})


def _replaced(facts: Facts, finding: Finding) -> Finding:
    """A stop that nobody's mistake caused (a Spot reclaim, StopTask, a retired host) is no
    failure while the service runs every task it wants: only what happened, for information."""
    service = facts.service
    if finding.code not in _EXPECTED or service is None or service_short(facts):
        return finding
    runs = f"{service.running} of {service.desired}"
    replaced = f"all replaced: the service runs {runs} desired tasks"
    count = f"{finding.tasks} {'task' if finding.tasks == 1 else 'tasks'}"
    title = _REPLACED[finding.code].format(count=count)
    return finding.model_copy(
        update={"severity": "info", "title": title, "evidence": (*finding.evidence, note(replaced))}
    )


def _unexplained_shortfall(facts: Facts) -> str | None:
    """The service is short of tasks while nothing stopped, nothing waits and nothing says why.

    Tasks that could not be read may have stopped and said why: then this is not known.
    """
    waiting = any(task.last_status in {"PENDING", "PROVISIONING"} for task in facts.running_tasks)
    if facts.stopped_tasks or waiting or sightings(facts) or tasks_unread(facts):
        return None
    return service_short(facts)


CHECK = Check(
    run=check_stopped_reason,
    knowledge=KNOWLEDGE,
    # The first step answers for ECS's own reads: the service, its tasks, and the revisions
    # they ran (without which what the tasks were is not known).
    needs=(Fact.TASKS, Fact.SERVICE, Fact.TASK_DEFINITIONS),
    reads=(Fact.ARCHIVE,),  # stops older than ECS keeps; ECS's own list stands without them
    step=Step.STOPPED_REASON,
    passed="Nothing stopped on purpose, and no stop is left unexplained",
)
