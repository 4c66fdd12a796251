"""Step 2, the exit code: how each stopped task's essential container ended, read in context.

An exit code means little alone: 137 is an out-of-memory kill only when nothing else killed
the container (a failed health check or the end of a deployment also SIGKILLs it after its
stop timeout), and 143 is a failure only when nobody meant to send SIGTERM. So a task whose
stopped reason already explains the stop is left to that reason's step, and the rest are
judged on their code, their container's reason and their last log lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.checks.base import INFERRED, NAMED, PROVEN, Check, Knowledge
from bot.checks.evidence import (
    NO_CONTAINER_STARTED,
    TASK_READS,
    essential,
    failed_exit,
    last_meaningful,
    log_lines,
    logs_unread,
    names,
    none_started,
    quote,
    share,
    task_sighting,
    tasks_unread,
    unconfirmed,
)
from bot.model import Cause, ContainerState, Facts, Finding, Step, Task

PERMISSIONS = (*TASK_READS, "ecs:DescribeTaskDefinition", "logs:GetLogEvents")

APP_CRASH = Knowledge(
    Cause.APP_CRASH,
    Step.EXIT_CODE,
    title="Container {container} exits with code {code}",
    fix="Read why in its last log lines (ECS console → the stopped task → Logs, or `aws logs "
    "tail <log-group> --since 1h`) and fix what they show: a missing environment variable, "
    "an unreachable database, bad configuration. `docker run` the image with the same command "
    "and environment to reproduce it.",
    explained_by=frozenset(
        {
            Cause.PLATFORM_MISMATCH,
            Cause.TASK_ROLE_MISSING,
            Cause.NO_ROUTE_TO_INTERNET,
            Cause.MISSING_VPC_ENDPOINT,
        }
    ),
)
EXEC_PERMISSION_DENIED = Knowledge(
    Cause.EXEC_PERMISSION_DENIED,
    Step.EXIT_CODE,
    title="Container {container}'s entrypoint cannot be executed (permission denied)",
    fix="Make the entrypoint executable in the image (`RUN chmod +x <entrypoint>` in the "
    'Dockerfile), or start it through a shell (`"command": ["sh", "<script>"]`), then push '
    "the image and deploy a new task definition revision.",
)
COMMAND_NOT_FOUND = Knowledge(
    Cause.COMMAND_NOT_FOUND,
    Step.EXIT_CODE,
    title="Container {container}'s command does not exist in the image",
    fix="Compare the task definition's entryPoint and command (`aws ecs describe-task-definition "
    "--task-definition <family> --query 'taskDefinition.containerDefinitions[].[name,entryPoint,"
    "command]'`) with the image (`docker run --rm --entrypoint sh <image> -c 'command -v "
    "<binary>'`); fix the typo, the PATH, or the multi-stage build that left the binary out.",
)
OUT_OF_MEMORY = Knowledge(
    Cause.OUT_OF_MEMORY,
    Step.EXIT_CODE,
    title="Container {container} was killed for running out of memory ({limit})",
    fix="Give it more memory (the container's `memory`, or the task-level `memory` on Fargate) "
    "in a new task definition revision, or find the leak: watch MemoryUtilization up to the "
    "kills (ECS console → service → Health and metrics). Cap runtimes that size themselves from "
    "the host, e.g. the JVM with -XX:MaxRAMPercentage=75.",
)
SEGFAULT = Knowledge(
    Cause.SEGFAULT,
    Step.EXIT_CODE,
    title="Container {container} crashed with a segmentation fault (exit 139)",
    fix="A native crash: read the last log lines (ECS console → the stopped task → Logs), then "
    "look at native libraries built for another libc or CPU (musl on Alpine vs glibc, arm64 vs "
    "amd64) and at recent dependency upgrades; reproduce with `docker run` of the same image.",
)
SIGTERM = Knowledge(
    Cause.SIGTERM,
    Step.EXIT_CODE,
    title="Container {container} stopped on SIGTERM from {sender} (exit 143)",
    fix="If nobody meant to stop it, find the sender: the task's stop code and reason (`aws ecs "
    "describe-tasks --cluster {cluster} --tasks <task-id> --query 'tasks[0].[stopCode,"
    "stoppedReason]'`) and CloudTrail's StopTask events; a container that exits 143 by itself "
    "was signalled from inside (a supervisor or script).",
    explained_by=frozenset(
        {
            Cause.STOPPED_BY_USER,
            Cause.SPOT_INTERRUPTION,
            Cause.INFRASTRUCTURE,
            Cause.ELB_HEALTH_CHECK,
            Cause.HEALTH_CHECK_FAILING,
        }
    ),
)
KNOWLEDGE = (APP_CRASH, EXEC_PERMISSION_DENIED, COMMAND_NOT_FOUND, OUT_OF_MEMORY, SEGFAULT, SIGTERM)
_BY_CODE = {knowledge.code: knowledge for knowledge in KNOWLEDGE}
# What a bare exit code says, and how sure it is.
_BY_EXIT: dict[int | None, tuple[Knowledge, int]] = {
    126: (EXEC_PERMISSION_DENIED, PROVEN),
    127: (COMMAND_NOT_FOUND, PROVEN),
    137: (OUT_OF_MEMORY, INFERRED),
    139: (SEGFAULT, PROVEN),
    143: (SIGTERM, PROVEN),
}


@dataclass(frozen=True)
class _Exit:
    """How one task's essential container ended, and the words that show it."""

    knowledge: Knowledge
    confidence: int
    said: tuple[str, ...]
    fields: dict[str, str]  # the title's and fix's fields


def check_exit_code(facts: Facts) -> list[Finding]:
    """One finding per way the recent tasks' essential containers ended."""
    groups: dict[Cause, list[_Exit]] = {}
    for task in facts.stopped_tasks:
        if judged := _judge(facts, task):
            groups.setdefault(judged.knowledge.code, []).append(judged)
    stopped = len(facts.stopped_tasks)
    found = [
        exits[0].knowledge.finding(
            (share(len(exits), stopped), *exits[0].said),
            names(facts) | exits[0].fields,
            confidence=max(e.confidence for e in exits),
            tasks=len(exits),
            observed=True,
        )
        for exits in groups.values()
    ]
    return [_unexplained(facts, finding) for finding in found]


def _unexplained(facts: Facts, finding: Finding) -> Finding:
    """An exit 1 is an app crash only when its logs were read: they would show a deeper cause
    (a binary for another CPU, missing credentials), and ECS tells the exits apart no further."""
    gap = logs_unread(facts) if finding.code is Cause.APP_CRASH else None
    return unconfirmed(finding, gap) if gap else finding


def _judge(facts: Facts, task: Task) -> _Exit | None:
    """How one stopped task's essential container ended, unless another step tells it."""
    sighting = task_sighting(task)
    if sighting and sighting.cause not in _BY_CODE:
        return None  # the stop is another step's story (deployment, health check, pull…)
    if sighting is None and not failed_exit(facts, task):
        return None  # nothing failed: a standalone task that finished its work
    container = _ended(facts, task)
    if container is None:
        return None
    code = container.exit_code
    lines = last_meaningful(log_lines(facts, task, container.name))
    said = [sighting.quote] if sighting else []
    said += [f"container {container.name} exited with code {code}"] if code is not None else []
    said += [f'log: "{quote(line)}"' for line in lines]
    if sighting:
        knowledge, confidence = _BY_CODE[sighting.cause], NAMED
    else:
        knowledge, confidence = _BY_EXIT.get(code, (APP_CRASH, PROVEN))
    fields = {
        "container": container.name,
        "code": str(code),
        "limit": _memory_limit(facts, task, container.name),
        "sender": _sender(task),
    }
    return _Exit(knowledge, confidence, tuple(said), fields)


def _ended(facts: Facts, task: Task) -> ContainerState | None:
    """The essential container that ended the task: one that failed, else one with a reason."""
    names = essential(facts, task)
    candidates = [c for c in task.containers if c.name in names]
    return min(candidates, key=lambda c: (not c.exit_code, not c.reason), default=None)


def _memory_limit(facts: Facts, task: Task, container: str) -> str:
    definition = facts.task_definitions.get(task.task_definition_arn)
    if definition is None:
        return "its memory limit"
    for spec in definition.containers:
        if spec.name == container and (spec.memory or spec.memory_reservation):
            return f"limit {spec.memory or spec.memory_reservation} MiB"
    return f"task memory {definition.memory} MiB" if definition.memory else "its memory limit"


def _sender(task: Task) -> str:
    reason = task.stopped_reason or ""
    if task.stop_code == "EssentialContainerExited" or reason.startswith("Essential container"):
        return "inside the container or an unknown sender"
    return f'"{quote(reason, 120)}"' if reason else "an unknown sender"


def _no_stopped_tasks(facts: Facts) -> str | None:
    if none_started(facts):
        return NO_CONTAINER_STARTED
    if facts.stopped_tasks or tasks_unread(facts):
        return None  # tasks that could not be read may have stopped
    return "No stopped task to inspect"


CHECK = Check(
    step=Step.EXIT_CODE,
    run=check_exit_code,
    permissions=PERMISSIONS,
    knowledge=KNOWLEDGE,
    passed="No essential container exited with a failure",
    skip=_no_stopped_tasks,
    needs=TASK_READS,
)
