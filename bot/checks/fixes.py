"""What every cause's fix is built with: the scene its facts make, and the shared steps.

A cause's fix lives beside the check that finds it (its `Knowledge.fix`) and turns the finding
and the facts into a sentence about this evidence and, when one command fixes or proves it,
that AWS CLI command, shell-quoted and using only options the CLI has (a test holds every
command to botocore's service model). A fix reads the typed particulars the check found, never
the words it wrote; a value the facts do not hold is named in words, never as a `<placeholder>`.
"""

from __future__ import annotations

import functools
import json
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import console
from bot.checks.base import Fix
from bot.checks.evidence import role_name
from bot.model import (
    ContainerDefinition,
    Facts,
    Finding,
    Gap,
    LogStream,
    NextStep,
    Step,
    Task,
    TaskDefinition,
)
from bot.parse.arns import name_of, partition


def aws(*words: str) -> str:
    """An AWS CLI command line, each word quoted only when the shell needs it."""
    return shlex.join(("aws", *words))


def compact(document: object) -> str:
    return json.dumps(document, separators=(",", ":"))


@dataclass(frozen=True)
class Scene:
    """Where the cause is: the names a fix needs, read once from the facts."""

    cause: Finding
    facts: Facts

    @property
    def region(self) -> str:
        return self.facts.region

    @property
    def cluster(self) -> str | None:
        if self.facts.cluster:
            return self.facts.cluster.name
        task = self.facts.focus_task
        return self.facts.target.cluster or (name_of(task.cluster_arn) if task else None)

    @property
    def service(self) -> str | None:
        return self.facts.service.name if self.facts.service else self.facts.target.service

    @property
    def task(self) -> Task | None:
        return self.facts.focus_task

    @property
    def definition(self) -> TaskDefinition | None:
        return self.facts.task_definition

    @property
    def revision(self) -> str | None:
        definition = self.definition
        return f"{definition.family}:{definition.revision}" if definition else None

    @property
    def container(self) -> ContainerDefinition | None:
        """The container the cause is about, else the first essential one."""
        containers = self.definition.containers if self.definition else ()
        named = [c for c in containers if c.name == self.cause.where.container]
        essential = [c for c in containers if c.essential]
        return next(iter(named or essential or containers), None)

    @property
    def stream(self) -> LogStream | None:
        """The log stream of the container at fault in the focus task, when it was read."""
        task, container = self.task, self.container
        streams = [s for s in self.facts.log_streams if task is None or s.task_id == task.task_id]
        mine = [s for s in streams if container is None or s.container == container.name]
        return next(iter(mine or streams), None)

    @property
    def execution_policy(self) -> str:
        """The ARN of AWS's managed execution-role policy, in this region's partition."""
        policy = "iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
        return f"arn:{partition(self.facts.region)}:{policy}"

    @property
    def execution_role(self) -> str | None:
        """The name of the task definition's execution role."""
        definition = self.definition
        return role_name(definition.execution_role_arn if definition else None)

    def step(
        self, action: str, command: str | None = None, link: tuple[str, str] | None = None
    ) -> NextStep:
        """The next step at the cause's step; `link` is the console page (label, URL)."""
        label, url = link if link else (None, None)
        return NextStep(
            step=self.cause.step,
            action=action,
            command=command,
            console_url=url,
            console_label=label,
        )

    def rollback(self) -> str | None:
        """The revision an older deployment still runs, when the failing one replaced it."""
        service = self.facts.service
        if service is None:
            return None
        primary = next((d for d in service.deployments if d.status == "PRIMARY"), None)
        older = [
            d
            for d in service.deployments
            if d.status == "ACTIVE"
            and primary
            and d.task_definition_arn != primary.task_definition_arn
        ]
        return name_of(older[0].task_definition_arn) if older else None


def rollback_command(scene: Scene) -> str | None:
    revision = scene.rollback()
    if revision is None or scene.cluster is None or scene.service is None:
        return None
    return aws(
        "ecs",
        "update-service",
        "--cluster",
        scene.cluster,
        "--service",
        scene.service,
        "--task-definition",
        revision,
    )


def rollback_words(scene: Scene) -> str:
    revision = scene.rollback()
    return (
        f" Until then, roll back to {revision}, which the service still runs." if revision else ""
    )


def log_tail(scene: Scene) -> str | None:
    stream = scene.stream
    if stream is None:
        return None
    return aws(
        "logs",
        "get-log-events",
        "--log-group-name",
        stream.group,
        "--log-stream-name",
        stream.stream,
        "--limit",
        "50",
        "--query",
        "events[].message",
    )


def log_link(scene: Scene) -> tuple[str, str] | None:
    stream = scene.stream
    if stream is None:
        return None
    return ("Log stream", console.log_stream(scene.region, stream.group, stream.stream))


def instances_link(scene: Scene) -> tuple[str, str] | None:
    if scene.cluster is None:
        return None
    return ("Cluster infrastructure", console.cluster_instances(scene.region, scene.cluster))


def around_stops(scene: Scene) -> tuple[datetime, datetime]:
    """A metric window around the stops a card is about: from an hour before the first to a
    quarter of an hour after the last (not past now); the last three hours without stops."""
    now = scene.facts.collected_at
    stopped = [t.stopped_at for t in scene.facts.stopped_tasks if t.stopped_at]
    if not stopped:
        return now - timedelta(hours=3), now
    return min(stopped) - timedelta(hours=1), min(now, max(stopped) + timedelta(minutes=15))


def stop_task_lookup(scene: Scene) -> str:
    """CloudTrail's StopTask calls since a little before the first stop: who made them."""
    words = [
        "cloudtrail",
        "lookup-events",
        "--lookup-attributes",
        "AttributeKey=EventName,AttributeValue=StopTask",
    ]
    stopped = [t.stopped_at for t in scene.facts.stopped_tasks if t.stopped_at]
    if stopped:
        start = min(stopped) - timedelta(minutes=5)
        words += ["--start-time", start.strftime("%Y-%m-%dT%H:%M:%SZ")]
    return aws(*words, "--query", "Events[].[EventTime,Username]")


def fix(build: Callable[[Scene], NextStep]) -> Fix:
    """A cause's fix, written against its scene. Whatever the cause, a fault the configuration
    no longer shows needs new tasks, not the fix again, and tasks that wait for an EC2
    capacity provider need its scaling."""

    @functools.wraps(build)
    def fixed(cause: Finding, facts: Facts) -> NextStep:
        scene = Scene(cause, facts)
        if cause.particulars.fixed_since and (cluster := scene.cluster) and scene.service:
            return _redeploy(scene, cluster, scene.service)
        if cause.particulars.unscaled_providers or cause.particulars.stuck_groups:
            return _scaling(scene)
        return build(scene)

    return fixed


def _redeploy(scene: Scene, cluster: str, service: str) -> NextStep:
    """Start tasks on today's configuration, so they show whether the fix landed."""
    action = (
        "Today's configuration no longer shows this fault: start new tasks with a forced "
        "deployment, then diagnose again to confirm they run."
    )
    command = aws(
        "ecs",
        "update-service",
        "--cluster",
        cluster,
        "--service",
        service,
        "--force-new-deployment",
    )
    return scene.step(action, command)


def _scaling(scene: Scene) -> NextStep:
    """Tasks wait for an EC2 capacity provider: turn its managed scaling on, or find why its
    Auto Scaling group, scaled by ECS, does not grow."""
    particulars = scene.cause.particulars
    if unscaled := particulars.unscaled_providers:
        action = (
            f"Capacity provider {unscaled[0]} has managed scaling off, so ECS launches no "
            "instance for the tasks that wait: turn managed scaling on (or set the Auto Scaling "
            "group's desired capacity by hand)."
        )
        command = aws(
            "ecs",
            "update-capacity-provider",
            "--name",
            unscaled[0],
            "--auto-scaling-group-provider",
            "managedScaling={status=ENABLED,targetCapacity=100}",
        )
        return scene.step(action, command, instances_link(scene))
    group = particulars.stuck_groups[0]
    action = (
        f"ECS scales Auto Scaling group {group}, yet it does not grow: raise its maximum size if "
        "it is at it, else see its scaling activities for instances that fail to launch or to "
        "join the cluster."
    )
    command = aws(
        "autoscaling",
        "describe-scaling-activities",
        "--auto-scaling-group-name",
        group,
        "--max-records",
        "5",
    )
    return scene.step(action, command, instances_link(scene))


def grant_read(gap: Gap, step: Step) -> NextStep:
    """When a read the diagnosis needed was refused: the permission to grant, at `step`."""
    action = (
        f"Let ecs-why read what it needs: {gap.note}. Grant {gap.action} to the role ecs-why "
        "runs as (deploy/iam-policy.json lists them all), then diagnose again."
    )
    return NextStep(step=step, action=action)
