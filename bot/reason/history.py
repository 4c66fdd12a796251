"""The window's stopped tasks in numbers: how many, first and last, and by cause (`history`);
and whether the cause happened before in the window ("Seen before"), from the same stops."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from bot.checks import CHECKS
from bot.checks.registry import Registry
from bot.model import Facts, Finding, History, SeenBefore, Task
from bot.parse.arns import name_of
from bot.reason.verdict import judge


def history_of(facts: Facts, cause: Finding | None, checks: Registry = CHECKS) -> History | None:
    """What the archive held for the window; None when there is no archive to say it."""
    read = facts.archive
    if read is None or not read.found:
        return None
    stops = facts.stopped_tasks
    moments = sorted(t.stopped_at for t in stops if t.stopped_at)
    causes = _causes(facts, cause, checks)
    return History(
        source="archive" if any(t in read.stops for t in stops) else "ecs",
        since=read.since,
        stops=len(stops),
        first=moments[0] if moments else None,
        last=moments[-1] if moments else None,
        by_cause=dict(Counter(causes.values()).most_common()),
        skipped=read.skipped,
        seen_before=_seen_before(facts, cause, causes) if read.stops else None,
        archive_source=read.source,
        archive_group=read.group,
    )


def _causes(facts: Facts, cause: Finding | None, checks: Registry) -> dict[str, str]:
    """Each stop's cause by task ARN, each kind of stop judged alone. The kind the diagnosis
    centres on counts as its cause, and so does a kind whose own cause the diagnosis's explains
    (the same crash, read without the log line that names it)."""
    focus = stop_signature(facts.focus_task) if facts.focus_task else None
    kinds: dict[tuple[object, ...], str] = {}
    causes: dict[str, str] = {}
    for task in facts.stopped_tasks:
        kind = stop_signature(task)
        if kind not in kinds:
            kinds[kind] = _cause_of(facts, task, cause, checks, focus=kind == focus)
        causes[task.arn] = kinds[kind]
    return causes


# Stops of one cause further apart than this are two episodes, not one.
EPISODE_GAP = timedelta(hours=2)


def _seen_before(facts: Facts, cause: Finding | None, causes: dict[str, str]) -> SeenBefore | None:
    """The episodes of the cause among the window's stops; None when this is the first."""
    if cause is None:
        return None
    same = sorted(
        (
            (t.stopped_at, t)
            for t in facts.stopped_tasks
            if t.stopped_at and causes[t.arn] == cause.code.value
        ),
        key=lambda pair: pair[0],  # stops at the same moment are alike: never compare tasks
    )
    episodes: list[list[tuple[datetime, Task]]] = []
    for at, task in same:
        if episodes and at - episodes[-1][-1][0] <= EPISODE_GAP:
            episodes[-1].append((at, task))
        else:
            episodes.append([(at, task)])
    if len(episodes) < 2:
        return None
    end, start = episodes[-2][-1][0], episodes[-1][0][0]
    failed = {task.task_definition_arn for _, task in episodes[-2]}
    return SeenBefore(
        times=len(episodes), last=end, after_revision=_deployed(facts, end, start, failed)
    )


def _deployed(facts: Facts, end: datetime, start: datetime, failed: set[str]) -> str | None:
    """The revision tasks ran after the earlier episode (`end`) and before this one (`start`),
    where it differs from the earlier episode's: what coincided with its end."""
    between = sorted(
        (
            (t.started_at, t.task_definition_arn)
            for t in (*facts.stopped_tasks, *facts.running_tasks)
            if t.started_at and end < t.started_at < start and t.task_definition_arn not in failed
        ),
        key=lambda pair: pair[0],
    )
    arn = between[0][1] if between else None
    return name_of(arn) if arn else None


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
