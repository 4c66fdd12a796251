"""Memory as evidence: Container Insights' samples weigh an out-of-memory or heap finding and size
its fix, never change its cause (hand-built facts)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.checks.exit_code import OUT_OF_MEMORY, check_exit_code
from bot.checks.memory import MemoryReading, reading, suggested
from bot.checks.past_start import HEAP_EXHAUSTED
from bot.model import Cause, ContainerInsights, Facts, Kind, MemorySample, Task
from tests import facts_builder as fb

OOM = "OutOfMemoryError: Container killed due to memory usage"
HEAP = 'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space'


def insights(task: Task, *used: float, container: str | None = None) -> ContainerInsights:
    """The performance log's samples of `task`, one a minute up to its stop."""
    assert task.stopped_at is not None
    samples = tuple(
        MemorySample(
            at=task.stopped_at - timedelta(minutes=len(used) - i), used=value, reserved=1024
        )
        for i, value in enumerate(used)
    )
    return ContainerInsights(
        cluster=fb.CLUSTER,
        setting="enabled",
        group=f"/aws/ecs/containerinsights/{fb.CLUSTER}/performance",
        task_id=task.task_id,
        task=() if container else samples,
        containers={container: samples} if container else {},
    )


def killed(*used: float, **overrides: object) -> tuple[Facts, Task]:
    stop = fb.stopped(exit_code=137, container_reason=OOM)
    seen = insights(stop, *used) if used else None
    return fb.failing(stop, container_insights=seen, **overrides), stop


def test_a_peak_at_the_limit_confirms_the_kill_and_sizes_the_task() -> None:
    facts, _ = killed(610, 820, 990, 1019)
    finding = fb.only(check_exit_code(facts), Cause.OUT_OF_MEMORY)

    note = next(e for e in finding.evidence if e.kind is Kind.NOTE)
    assert note.source == "Container Insights"
    assert "task memory peaked at 1019 MiB of its 1024 MiB limit" in note.text
    assert "it filled its memory" in note.text
    assert (finding.particulars.memory_peak, finding.particulars.memory_suggested) == (1019, 2048)
    step = fb.fixed(OUT_OF_MEMORY, facts, particulars=finding.particulars)
    assert "raise the task's memory 1024 MiB → 2048 MiB" in step.action
    assert "1019" not in step.action  # the peak is the chart's (or Details') to show


def test_a_low_minute_average_never_refutes_a_kill() -> None:
    facts, _ = killed(300, 310, 305)
    findings = check_exit_code(facts)
    finding = fb.only(findings, Cause.OUT_OF_MEMORY)

    assert [f.code for f in findings] == [Cause.OUT_OF_MEMORY]
    note = next(e for e in finding.evidence if e.kind is Kind.NOTE)
    assert "within a minute, which averages hide" in note.text
    assert finding.particulars.memory_suggested == 2048  # the old limit with headroom


def test_without_samples_the_finding_is_the_same_as_before() -> None:
    with_nothing, stop = killed()
    other_task = insights(fb.stopped(9, exit_code=1), 1000, 1020)
    with_another = fb.failing(stop, container_insights=other_task)

    assert check_exit_code(with_another) == check_exit_code(with_nothing)
    assert not any(e.kind is Kind.NOTE for e in check_exit_code(with_nothing)[0].evidence)


def test_a_heap_far_below_the_container_raises_the_heap_to_three_quarters() -> None:
    container = fb.container_definition(
        memory=1024, command=("java", "-Xmx256m", "-jar", "/app/risk.jar")
    )
    stop = fb.stopped(exit_code=1)
    facts = fb.failing(
        stop,
        log_streams=(fb.logs(stop, HEAP),),
        task_definitions={fb.TASK_DEFINITION_ARN: fb.task_definition(containers=(container,))},
        container_insights=insights(stop, 280, 301, 299, container="app"),
    )
    finding = fb.only(check_exit_code(facts), Cause.HEAP_EXHAUSTED)

    note = next(e for e in finding.evidence if e.kind is Kind.NOTE)
    assert note.text.startswith("container memory peaked at 301 MiB of its 1024 MiB limit")
    assert "the runtime's own heap limit is what ran out" in note.text
    step = fb.fixed(HEAP_EXHAUSTED, facts, particulars=finding.particulars)
    assert "Raise app's heap (-Xmx256m) to about 768 MiB" in step.action
    assert "not the container's memory" in step.action


def test_a_heap_and_a_container_both_full_grow_the_container() -> None:
    found = MemoryReading(peak=1000, limit=1024, minutes=5, scope="container")
    assert suggested(found, Cause.HEAP_EXHAUSTED) == 1536


@pytest.mark.parametrize(
    ("peak", "limit", "scope", "size"),
    [
        (1019, 1024, "task", 2048),
        (2040, 2048, "task", 3072),
        (700, 512, "container", 1536),  # a peak above a soft limit: sized from the peak
        (100, None, "container", 512),
    ],
)
def test_a_kill_is_sized_with_headroom_in_whole_steps(
    peak: int, limit: int | None, scope: str, size: int
) -> None:
    found = MemoryReading(peak=peak, limit=limit, minutes=3, scope=scope)
    assert suggested(found, Cause.OUT_OF_MEMORY) == size


def test_the_limit_defaults_to_what_container_insights_counts_against() -> None:
    stop = fb.stopped(exit_code=137)
    found = reading(insights(stop, 500, 900), stop, "app", None)

    assert found == MemoryReading(peak=900, limit=1024, minutes=2, scope="task")
    assert reading(insights(stop, 500), fb.stopped(2, exit_code=137), "app", 1024) is None
