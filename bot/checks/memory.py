"""Memory as evidence: what Container Insights saw of the stopped task's memory in its last
minutes, read against the limit it ran under.

It never decides a cause, only weighs one the exit code and the logs found. Its samples are
per-minute averages: a peak at the limit confirms an out-of-memory kill, but a kill within a
minute's spike averages out, so a lower peak refutes nothing. For a runtime that ran out of its
own heap, a container far below its limit shows the heap flag, not the container, is what to
raise. Either way it sizes the fix from the peak it saw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.model import Cause, ContainerInsights, Evidence, Facts, Kind, Particulars, Task

SOURCE = "Container Insights"
NEAR = 0.9  # a per-minute average this close to the limit: the container filled it
HEADROOM = 1.5  # a new limit this much above what it used at most
HEAP_SHARE = 0.75  # of the container's memory, for the heap (the JVM's MaxRAMPercentage=75)
SIZED = frozenset({Cause.OUT_OF_MEMORY, Cause.HEAP_EXHAUSTED})


@dataclass(frozen=True)
class MemoryReading:
    """The container's (or task's) memory in its last minutes, against its hard limit."""

    peak: int  # MiB: the highest per-minute average
    limit: int | None  # MiB: the hard limit it ran under, when known
    minutes: int  # how many minutes were seen
    scope: str  # "container" or "task": whose samples these are

    @property
    def share(self) -> float | None:
        return self.peak / self.limit if self.limit else None

    @property
    def at_limit(self) -> bool:
        return self.share is not None and self.share >= NEAR


def reading(
    insights: ContainerInsights | None, task: Task, container: str, limit: int | None
) -> MemoryReading | None:
    """What Container Insights saw of `container` of `task`, when it saw the task at all."""
    if insights is None or insights.task_id != task.task_id:
        return None
    samples = insights.samples(container)
    if not samples:
        return None
    scope = "container" if insights.containers.get(container) else "task"
    if limit is None:  # the limit Container Insights counts against, for lack of a better one
        limit = next((int(s.reserved) for s in reversed(samples) if s.reserved), None)
    return MemoryReading(
        peak=math.ceil(max(s.used for s in samples)), limit=limit, minutes=len(samples), scope=scope
    )


def suggested(found: MemoryReading, cause: Cause) -> int:
    """The memory to give: for a heap, the heap's size within the container's limit; for a
    kill, a hard limit with headroom above both the peak and the old limit (per-minute
    averages hide the last spike), rounded up to 512 MiB for a container, 1 GiB for a task
    (Fargate's task sizes)."""
    if cause is Cause.HEAP_EXHAUSTED and found.limit and not found.at_limit:
        return int(found.limit * HEAP_SHARE)
    step = 512 if found.scope == "container" else 1024
    need = max(found.peak, found.limit or 0) * HEADROOM
    return int(math.ceil(need / step) * step)


def words(found: MemoryReading, cause: Cause) -> str:
    """What the reading says of the cause, in one line of evidence."""
    limit = f" of its {found.limit} MiB limit" if found.limit else ""
    seen = (
        f"{found.scope} memory peaked at {found.peak} MiB{limit} "
        f"(per-minute averages, last {found.minutes} min)"
    )
    if cause is Cause.OUT_OF_MEMORY:
        if found.at_limit:
            return f"{seen}: it filled its memory, as the kill says"
        return f"{seen}: the spike that killed it came within a minute, which averages hide"
    if found.at_limit:
        return f"{seen}: the heap and the container's limit are both full"
    return f"{seen}: the container had room, the runtime's own heap limit is what ran out"


def weigh(
    facts: Facts, task: Task, container: str, cause: Cause, particulars: Particulars
) -> tuple[Evidence, Particulars] | None:
    """The evidence and the sized particulars of an out-of-memory or heap finding about
    `task`, when Container Insights saw it; None otherwise (the finding stands as it is)."""
    if cause not in SIZED:
        return None
    found = reading(facts.container_insights, task, container, particulars.memory_limit)
    if found is None:
        return None
    evidence = Evidence(kind=Kind.NOTE, text=words(found, cause), source=SOURCE)
    sized = particulars.model_copy(
        update={"memory_peak": found.peak, "memory_suggested": suggested(found, cause)}
    )
    return evidence, sized
