"""Step 2, the exit code: how each stopped task's essential container ended, read in context.

An exit code means little alone: 137 is an out-of-memory kill only when nothing else killed
the container (a failed health check or the end of a deployment also SIGKILLs it after its
stop timeout), and 143 is a failure only when nobody meant to send SIGTERM. So a task whose
stopped reason already explains the stop is left to that reason's step, and the rest are
judged on their code, their container's reason and their last log lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot import console
from bot.checks import memory as memory_seen
from bot.checks import past_start, reachability
from bot.checks.base import INFERRED, NAMED, PROVEN, Check, Knowledge, Stage
from bot.checks.evidence import (
    NO_CONTAINER_STARTED,
    essential,
    failed_exit,
    last_meaningful,
    log_line,
    log_lines,
    logs_unread,
    none_started,
    note,
    quote,
    share,
    task_sighting,
    tasks_unread,
    unconfirmed,
)
from bot.checks.fixes import (
    Scene,
    around_stops,
    aws,
    fix,
    log_link,
    log_tail,
    rollback_command,
    rollback_words,
    stop_task_lookup,
)
from bot.checks.patterns import Rule, classify_log
from bot.model import (
    Cause,
    ContainerDefinition,
    ContainerState,
    Evidence,
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

# --------------------------------------------------------------------------- fixes


@fix
def _fix_app_crash(scene: Scene) -> NextStep:
    name = scene.container.name if scene.container else "the container"
    particulars = scene.cause.particulars
    line = particulars.quoted
    if line is None:
        action = (
            f"{name} exits without a word in the logs ecs-why read: its log stream holds the rest."
        )
        return scene.step(action, rollback_command(scene) or log_tail(scene), log_link(scene))
    where = f" at {particulars.source}" if particulars.source else ""
    action = f"{name} fails with “{line}”{where}: fix that code path and deploy the fix."
    if particulars.variables:
        names = ", ".join(particulars.variables)
        action = (
            f"{name} fails with “{line}”{where}: it reads {names}, which the task definition "
            f"{scene.revision} does not set. Add it (or a secret of that name) in a new revision."
        )
    action += rollback_words(scene)
    return scene.step(action, rollback_command(scene) or log_tail(scene), log_link(scene))


@fix
def _fix_exec_permission_denied(scene: Scene) -> NextStep:
    name = scene.container.name if scene.container else "the container"
    path = scene.cause.particulars.not_executable
    fix = f"`RUN chmod +x {path}`" if path else "`RUN chmod +x` on its entrypoint"
    action = (
        f"{path or 'The entrypoint'} is not executable in the image of {name}: add {fix} to its "
        "Dockerfile, push the image and deploy it." + rollback_words(scene)
    )
    return scene.step(action, rollback_command(scene), log_link(scene))


@fix
def _fix_command_not_found(scene: Scene) -> NextStep:
    name = scene.container.name if scene.container else "the container"
    binary = scene.cause.particulars.binary
    container = scene.container
    runs = " ".join((*container.entry_point, *container.command)) if container else ""
    what = f"“{binary}”" if binary else "the command"
    action = (
        f"The image of {name} has no {what} on its PATH"
        + (f", but the task definition {scene.revision} runs `{runs}`" if runs else "")
        + ": install it in the image, or correct the command in a new revision."
        + rollback_words(scene)
    )
    command = rollback_command(scene)
    if command is None and scene.revision:
        command = aws(
            "ecs",
            "describe-task-definition",
            "--task-definition",
            scene.revision,
            "--query",
            "taskDefinition.containerDefinitions[].[name,image,entryPoint,command]",
        )
    return scene.step(action, command)


@fix
def _fix_out_of_memory(scene: Scene) -> NextStep:
    memory = scene.cause.particulars
    name = scene.container.name if scene.container else "the container"
    revision = scene.revision or "the task definition"
    size = memory.memory_suggested
    sizes = f"{memory.memory_limit} MiB → {size} MiB" if size else f"({memory.memory_limit} MiB)"
    if memory.memory_scope == "container":
        raise_it = f"raise container {name}'s memory {sizes}"
    elif memory.memory_scope == "task":
        raise_it = f"raise the task's memory {sizes}"
    elif memory.memory_reservation:
        raise_it = (
            f"give container {name} a hard memory limit above what it needs (it has only a "
            f"reservation of {memory.memory_reservation} MiB, which limits nothing), or move it "
            "to instances with more memory"
        )
    else:
        raise_it = f"give container {name} more memory"
    # What it peaked at is on the card's chart, else in Details: the step says what to do.
    action = (
        f"{name} outgrows its memory: {raise_it} in a new revision of {revision}, or make it "
        "use less."
    )
    command = None
    if scene.cluster and scene.service:
        start, end = around_stops(scene)
        command = aws(
            "cloudwatch",
            "get-metric-statistics",
            "--namespace",
            "AWS/ECS",
            "--metric-name",
            "MemoryUtilization",
            "--dimensions",
            f"Name=ClusterName,Value={scene.cluster}",
            f"Name=ServiceName,Value={scene.service}",
            "--statistics",
            "Maximum",
            "--period",
            "300",
            "--start-time",
            start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "--end-time",
            end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
    return scene.step(action, command)


@fix
def _fix_segfault(scene: Scene) -> NextStep:
    name = scene.container.name if scene.container else "the container"
    line = scene.cause.particulars.quoted
    seen = f" Its log says “{line}”." if line else ""
    action = (
        f"A native crash in {name}.{seen} Look at native libraries built for another libc or CPU "
        "and at recent dependency upgrades, and reproduce with the same input."
        + rollback_words(scene)
    )
    return scene.step(action, rollback_command(scene) or log_tail(scene), log_link(scene))


@fix
def _fix_sigterm(scene: Scene) -> NextStep:
    name = scene.container.name if scene.container else "the container"
    line = scene.cause.particulars.sender
    if line:
        action = (
            f"The SIGTERM comes from inside {name}: “{line}”. Fix what trips it (or tune the "
            "watchdog) rather than the stop."
        )
        return scene.step(action, log_tail(scene), log_link(scene))
    action = (
        f"{name} was told to stop (exit 143) and nothing in ECS says by whom: CloudTrail's "
        "StopTask events name any caller; if there is none, something inside the container sent it."
    )
    return scene.step(
        action,
        stop_task_lookup(scene),
        ("CloudTrail StopTask events", console.stop_task_events(scene.region)),
    )


# --------------------------------------------------------------------------- causes


APP_CRASH = Knowledge(
    Cause.APP_CRASH,
    Step.EXIT_CODE,
    title="Container {container} exits with code {code}{why}",
    # a crashing app fails its load balancer's checks too
    explains=frozenset({Cause.ELB_HEALTH_CHECK}),
    stage=Stage.APP_RUNS,
    revision_brought=True,
    primary="logs",
    fix=_fix_app_crash,
)
EXEC_PERMISSION_DENIED = Knowledge(
    Cause.EXEC_PERMISSION_DENIED,
    Step.EXIT_CODE,
    title="Container {container}'s entrypoint cannot be executed (permission denied)",
    stage=Stage.CONTAINER_START,
    primary="logs",
    fix=_fix_exec_permission_denied,
)
COMMAND_NOT_FOUND = Knowledge(
    Cause.COMMAND_NOT_FOUND,
    Step.EXIT_CODE,
    title="Container {container}'s command does not exist in the image",
    stage=Stage.CONTAINER_START,
    revision_brought=True,
    primary="logs",
    fix=_fix_command_not_found,
)
OUT_OF_MEMORY = Knowledge(
    Cause.OUT_OF_MEMORY,
    Step.EXIT_CODE,
    title="Container {container} was killed for running out of memory ({limit})",
    explains=frozenset({Cause.ELB_HEALTH_CHECK}),
    stage=Stage.APP_RUNS,
    revision_brought=True,
    primary="logs",
    fix=_fix_out_of_memory,
)
SEGFAULT = Knowledge(
    Cause.SEGFAULT,
    Step.EXIT_CODE,
    title="Container {container} crashed with a segmentation fault (exit 139)",
    stage=Stage.APP_RUNS,
    primary="logs",
    fix=_fix_segfault,
)
SIGTERM = Knowledge(
    Cause.SIGTERM,
    Step.EXIT_CODE,
    title="Container {container} stopped on SIGTERM from {sender} (exit 143)",
    stage=Stage.APP_RUNS,
    primary="logs",
    fix=_fix_sigterm,
)
KNOWLEDGE = (
    APP_CRASH,
    EXEC_PERMISSION_DENIED,
    COMMAND_NOT_FOUND,
    OUT_OF_MEMORY,
    SEGFAULT,
    SIGTERM,
    *past_start.KNOWLEDGE,
)
_BY_CODE = {knowledge.code: knowledge for knowledge in KNOWLEDGE}
# What a bare exit code says, and how sure it is: an essential container that exits 0 ended
# (or put its process in the background); ECS stops the task all the same.
_BY_EXIT: dict[int | None, tuple[Knowledge, int]] = {
    0: (past_start.NOT_FOREGROUND, PROVEN),
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
    said: tuple[Evidence, ...]
    container: str
    words: dict[str, str]  # the title's other fields
    variant: str = ""  # what tells this crash from another of the same code
    particulars: Particulars = field(default_factory=Particulars)


def check_exit_code(facts: Facts) -> list[Finding]:
    """One finding per way the recent tasks' essential containers ended: two crashes whose
    last log lines differ are two findings."""
    groups: dict[tuple[Cause, str], list[_Exit]] = {}
    for task in facts.stopped_tasks:
        if judged := _judge(facts, task):
            groups.setdefault((judged.knowledge.code, judged.variant), []).append(judged)
    for (code, variant), exits in list(groups.items()):
        # tasks whose logs were not read count with the most common crash of their code, or
        # the most common failure past the start that such a crash is
        if variant == _UNREAD:
            del groups[code, variant]
            alike = [key for key in groups if key[0] is code or code in _BY_CODE[key[0]].explains]
            into = max(alike, key=lambda key: len(groups[key]), default=(code, ""))
            groups.setdefault(into, []).extend(exits)
    stopped = len(facts.stopped_tasks)
    found = [
        exits[0].knowledge.finding(
            (share(len(exits), stopped), *exits[0].said),
            Where(container=exits[0].container),
            exits[0].words,
            confidence=max(e.confidence for e in exits),
            tasks=len(exits),
            observed=True,
            variant=variant,
            particulars=exits[0].particulars,
        )
        for (_, variant), exits in groups.items()
    ]
    return [_unexplained(facts, finding) for finding in found]


def _unexplained(facts: Facts, finding: Finding) -> Finding:
    """An exit 1 is an app crash only when its logs were read: they would show a deeper cause
    (a binary for another CPU, missing credentials), and ECS tells the exits apart no further."""
    gap = logs_unread(facts) if finding.code is Cause.APP_CRASH else None
    return unconfirmed(finding, gap) if gap else finding


def _judge(facts: Facts, task: Task) -> _Exit | None:
    """How one stopped task's essential container ended, unless another step tells it.

    The exit code and the last log lines are read together: a log line the log table knows
    (a JVM OutOfMemoryError, a segfault, a missing binary) names the cause whatever the code.
    """
    sighting = task_sighting(task)
    if failed_first := _failed_dependency(facts, task):
        return failed_first  # a container the app waits on failed: the app never ran
    if sighting and sighting.cause not in _BY_CODE:
        return None  # the stop is another step's story (deployment, health check, pull…)
    if sighting is None and not failed_exit(facts, task):
        return None  # nothing failed: a standalone task that finished its work
    container = _ended(facts, task)
    if container is None:
        return None
    code = container.exit_code
    tail = log_lines(facts, task, container.name)
    key = _key_line(tail)
    lines = last_meaningful(tail)
    said = [sighting.said] if sighting else []
    if code is not None:
        said.append(Evidence(kind=Kind.EXIT, text=str(code), source=f"container {container.name}"))
    if key and key[1] not in lines:
        said.append(log_line(key[1]))
    said += [log_line(line) for line in lines]
    why, variant = "", ""
    if sighting:
        knowledge, confidence = _BY_CODE[sighting.cause], NAMED
    elif key and key[0].cause in _BY_CODE and key[0].cause is not Cause.APP_CRASH:
        knowledge, confidence = _BY_CODE[key[0].cause], NAMED
    else:
        knowledge, confidence = _BY_EXIT.get(code, (APP_CRASH, PROVEN))
    if knowledge is APP_CRASH:
        why = _why_crashed(code, key, lines[-1] if lines else None)
        read = any(s.task_id == task.task_id for s in facts.log_streams)
        variant = _shape(key[1] if key else (lines[-1] if lines else "")) if read else _UNREAD
    memory = _memory(facts, task, container.name)
    particulars = memory.filled(_read(facts, task, container.name, said))
    if key and knowledge.code is key[0].cause:
        spec = _spec(facts, task, container.name)
        particulars = past_start.read_line(key[0], key[1], spec).filled(particulars)
    if weighed := memory_seen.weigh(facts, task, container.name, knowledge.code, particulars):
        said.append(weighed[0])  # Container Insights: evidence and a size, never the cause
        particulars = weighed[1]
    if key and knowledge is past_start.DEPENDENCY_UNREACHABLE:
        reach = reachability.judge(facts, key[1], particulars.endpoint)
        said += reach.evidence
        particulars = particulars.filled(reach.particulars)
    words = {
        "code": str(code),
        "limit": _limit_words(memory),
        "sender": _sender(task),
        "why": why,
        "reading": past_start.reading(key[0], particulars) if key else "",
    }
    return _Exit(knowledge, confidence, tuple(said), container.name, words, variant, particulars)


def _key_line(lines: tuple[str, ...]) -> tuple[Rule, str] | None:
    """The newest log line the log table recognises, with its row."""
    for line in reversed(lines):
        if rule := classify_log(line):
            return rule, line
    return None


_UNREAD = "logs not read"
_TITLE_QUOTE = 100
_ADDRESS = re.compile(r"\b[\w.-]+\.[\w-]+:\d{2,5}\b")
_VARIABLE = re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b")


def _why_crashed(code: int | None, key: tuple[Rule, str] | None, last: str | None) -> str:
    """What the title adds to "exits with code N": the log table's reading, naming the
    dependency or variable the line names, else the last error line; or, for 0, that the
    process simply ended."""
    if code == 0:
        return ": its main process ended (or put itself in the background), it did not crash"
    if key is None:
        return f': "{quote(last, _TITLE_QUOTE)}"' if last else ""
    rule, line = key
    named = _ADDRESS.search(line) or _VARIABLE.search(line)
    return f": {rule.meaning}" + (f" ({named.group(0)})" if named else "")


def _shape(line: str) -> str:
    """A log line without the numbers that differ between tasks (times, ids, counts)."""
    return re.sub(r"[0-9a-f]{8,}|\d+", "#", line.strip())[:160]


def _failed_dependency(facts: Facts, task: Task) -> _Exit | None:
    """An essential container waits (dependsOn SUCCESS or COMPLETE) on a non-essential one,
    an init or migration container, that exited non-zero: that exit is why the app never ran.
    """
    definition = facts.task_definitions.get(task.task_definition_arn)
    if definition is None:
        return None
    by_name = {c.name: c for c in task.containers}
    for spec in definition.containers:
        if not spec.essential:
            continue
        for dependency in spec.depends_on:
            ended = by_name.get(dependency.container)
            waits_for_end = dependency.condition in {"SUCCESS", "COMPLETE"}
            if ended is None or not waits_for_end or not ended.exit_code:
                continue
            tail = log_lines(facts, task, ended.name)
            said = [
                note(
                    f"container {ended.name} (essential: false) exited with code "
                    f"{ended.exit_code}; {spec.name} waits for it (dependsOn "
                    f"{dependency.condition}) and never started"
                ),
                *(log_line(line) for line in last_meaningful(tail)),
            ]
            key = _key_line(tail)
            why = f" before {spec.name} could start" + (
                f": {key[0].meaning}" if key and key[0].cause is Cause.APP_CRASH else ""
            )
            words = {"code": str(ended.exit_code), "sender": _sender(task), "why": why}
            variant = f"dependency {ended.name}"
            particulars = _read(facts, task, ended.name, said)
            return _Exit(APP_CRASH, NAMED, tuple(said), ended.name, words, variant, particulars)
    return None


_SOURCE = re.compile(r"((?:/[\w.@-]+)+\.(?:js|mjs|cjs|ts|py|rb|go|java|kt|php|rs)):(\d+)")
_PY_FRAME = re.compile(r'File "([^"]+)", line (\d+)')
_EXEC_MISSING = re.compile(r'exec: "([^"]+)": executable file not found')
_NOT_EXECUTABLE = re.compile(r"(/[\w./-]+): Permission denied")
_SENDS_SIGTERM = re.compile(r"(send|sending|sent)\w* SIGTERM|kill -(TERM|15)", re.IGNORECASE)


def _read(facts: Facts, task: Task, container: str, said: list[Evidence]) -> Particulars:
    """What the fix acts on, read from AWS's message and the container's logs: the line that
    says most, where in the code it failed, what it names that is not set, the binary or the
    entrypoint the runtime could not run, a SIGTERM the app sent itself."""
    logged = [item.text for item in said if item.kind is Kind.LOG]
    words = " ".join(item.text for item in said if item.kind in (Kind.MESSAGE, Kind.LOG))
    quoted = last_meaningful(logged, 1)[0] if logged else None
    binary = _EXEC_MISSING.search(words)
    path = _NOT_EXECUTABLE.search(words)
    return Particulars(
        quoted=quoted,
        source=_source(log_lines(facts, task, container)),
        variables=_unset(facts, task, container, quoted or ""),
        binary=binary.group(1) if binary else None,
        not_executable=path.group(1) if path else None,
        sender=next((line for line in logged if _SENDS_SIGTERM.search(line)), None),
    )


def _source(lines: tuple[str, ...]) -> str | None:
    """Where in the app's code it failed: the first frame of its own in a stack trace."""
    frames = [
        m for line in lines if (m := _PY_FRAME.search(line)) and "site-packages" not in m.group(1)
    ]
    if frames:
        return f"{frames[-1].group(1)}:{frames[-1].group(2)}"
    for line in lines:
        if (m := _SOURCE.search(line)) and "node_modules" not in m.group(1):
            return f"{m.group(1)}:{m.group(2)}"
    return None


def _spec(facts: Facts, task: Task, container: str) -> ContainerDefinition | None:
    """The definition of a task's container, when its revision was read."""
    definition = facts.task_definitions.get(task.task_definition_arn)
    specs = definition.containers if definition else ()
    return next((c for c in specs if c.name == container), None)


def _unset(facts: Facts, task: Task, container: str, line: str) -> tuple[str, ...]:
    """Environment variable names a log line mentions that the container does not set."""
    spec = _spec(facts, task, container)
    if spec is None:
        return ()
    known = {*spec.environment_names, *(secret.name for secret in spec.secrets)}
    return tuple(name for name in dict.fromkeys(_VARIABLE.findall(line)) if name not in known)


def _ended(facts: Facts, task: Task) -> ContainerState | None:
    """The essential container that ended the task: one that failed, else one with a reason."""
    names = essential(facts, task)
    candidates = [c for c in task.containers if c.name in names]
    return min(candidates, key=lambda c: (not c.exit_code, not c.reason), default=None)


def _memory(facts: Facts, task: Task, container: str) -> Particulars:
    """The hard memory limit the container ran under: its own, else the task's; and its soft
    reservation, which limits nothing."""
    definition = facts.task_definitions.get(task.task_definition_arn)
    if definition is None:
        return Particulars()
    spec = _spec(facts, task, container)
    reservation = spec.memory_reservation if spec else None
    if spec and spec.memory:
        return Particulars(
            memory_limit=spec.memory, memory_scope="container", memory_reservation=reservation
        )
    memory = definition.memory or ""
    task_memory = int(memory) if memory.isdigit() else None
    return Particulars(
        memory_limit=task_memory,
        memory_scope="task" if task_memory else None,
        memory_reservation=reservation,
    )


def _limit_words(memory: Particulars) -> str:
    """The limit as the title names it: the same one the fix raises."""
    if memory.memory_scope == "container":
        return f"limit {memory.memory_limit} MiB"
    if memory.memory_scope == "task":
        return f"task memory {memory.memory_limit} MiB"
    if memory.memory_reservation:
        return f"reservation {memory.memory_reservation} MiB, no hard limit"
    return "its memory limit"


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
    run=check_exit_code,
    knowledge=KNOWLEDGE,
    needs=(Fact.TASKS,),
    # which containers matter; their last words; what Container Insights saw of their
    # memory; what they could not reach, and its groups
    reads=(
        Fact.TASK_DEFINITIONS,
        Fact.LOG_STREAMS,
        Fact.INSIGHTS,
        Fact.DEPENDENCIES,
        Fact.NETWORK,
    ),
    step=Step.EXIT_CODE,
    passed="No essential container exited with a failure",
    skip=_no_stopped_tasks,
)
