"""The window's stopped tasks in numbers: how many, first and last, and by cause (`history`)."""

from __future__ import annotations

from collections import Counter

from bot.model import Facts, History, Task
from bot.verdict import judge


def history_of(facts: Facts) -> History | None:
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
        by_cause=_by_cause(facts),
        skipped=read.skipped,
    )


def _by_cause(facts: Facts) -> dict[str, int]:
    """Each stop judged alone, once per kind of stop, most frequent cause first."""
    causes: dict[tuple[object, ...], str] = {}
    counts: Counter[str] = Counter()
    for task in facts.stopped_tasks:
        kind = _signature(task, focus=task == facts.focus_task)
        if kind not in causes:
            causes[kind] = _cause_of(facts, task)
        counts[causes[kind]] += 1
    return dict(counts.most_common())


def _signature(task: Task, *, focus: bool) -> tuple[object, ...]:
    """What the checks read of a stop: stops alike in it have the same cause."""
    containers = tuple((c.name, c.exit_code, c.reason) for c in task.containers)
    return focus, task.task_definition_arn, task.stop_code, task.stopped_reason, containers


def _cause_of(facts: Facts, task: Task) -> str:
    """The cause the checks give this one stop, judged alone (its logs only if it is the focus)."""
    alone = facts.model_copy(
        update={
            "stopped_tasks": (task,),
            "log_streams": facts.log_streams if task == facts.focus_task else (),
        }
    )
    cause = judge(alone).cause
    return cause.code.value if cause else "none"
