"""The window's stopped tasks in numbers: how many, first and last, and by cause (`history`)."""

from __future__ import annotations

from collections import Counter

from bot.checks import CHECKS
from bot.checks.registry import Registry
from bot.model import Facts, Finding, History, Task
from bot.reason.verdict import judge


def history_of(facts: Facts, cause: Finding | None, checks: Registry = CHECKS) -> History | None:
    """What the archive held for the window; None when there is no archive to say it."""
    read = facts.archive
    if read is None or not read.found:
        return None
    stops = facts.stopped_tasks
    moments = sorted(t.stopped_at for t in stops if t.stopped_at)
    return History(
        source="archive" if any(t in read.stops for t in stops) else "ecs",
        since=read.since,
        stops=len(stops),
        first=moments[0] if moments else None,
        last=moments[-1] if moments else None,
        by_cause=_by_cause(facts, cause, checks),
        skipped=read.skipped,
    )


def _by_cause(facts: Facts, cause: Finding | None, checks: Registry) -> dict[str, int]:
    """Each kind of stop judged alone, most frequent cause first. The kind the diagnosis centres
    on counts as its cause, and so does a kind whose own cause the diagnosis's explains (the
    same crash, read without the log line that names it)."""
    focus = stop_signature(facts.focus_task) if facts.focus_task else None
    causes: dict[tuple[object, ...], str] = {}
    counts: Counter[str] = Counter()
    for task in facts.stopped_tasks:
        kind = stop_signature(task)
        if kind not in causes:
            causes[kind] = _cause_of(facts, task, cause, checks, focus=kind == focus)
        counts[causes[kind]] += 1
    return dict(counts.most_common())


def stop_signature(task: Task) -> tuple[object, ...]:
    """What the checks read of a stop: stops alike in it have the same cause."""
    containers = tuple((c.name, c.exit_code, c.reason) for c in task.containers)
    return task.task_definition_arn, task.stop_code, task.stopped_reason, containers


def _cause_of(
    facts: Facts, task: Task, cause: Finding | None, checks: Registry, *, focus: bool
) -> str:
    """The cause of one stop: the diagnosis's for the kind it centres on, else what the checks
    give that stop judged alone (with its own log lines where they were read)."""
    if focus and cause is not None:
        return cause.code.value
    alone = facts.model_copy(
        update={
            "stopped_tasks": (task,),
            "log_streams": tuple(s for s in facts.log_streams if s.task_id == task.task_id),
        }
    )
    own = judge(alone, checks).cause
    if own is None:
        return "none"
    if cause is not None and checks.explains(cause.code, own.code):
        return cause.code.value
    return own.code.value
