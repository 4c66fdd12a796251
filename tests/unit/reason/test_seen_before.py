"""Seen before: the cause's earlier episodes on the service, from the archive's stops the
diagnosis already read, and the revision that coincided with the last one's end."""

from __future__ import annotations

from datetime import timedelta

import tests.facts_builder as fb
from bot.model import ArchiveRead, Facts, Task
from bot.render.blocks import render_card
from bot.render.history import seen_before_line

OOM = "OutOfMemoryError: Container killed due to memory usage"
FAMILY = f"arn:aws:ecs:{fb.REGION}:{fb.ACCOUNT}:task-definition/api"


def oom(number: int, hours_ago: float, revision: int = 7) -> Task:
    at = fb.NOW - timedelta(hours=hours_ago)
    return fb.stopped(
        number,
        OOM,
        exit_code=137,
        stopped_at=at,
        started_at=at - timedelta(minutes=5),
        task_definition_arn=f"{FAMILY}:{revision}",
    )


def archived(*stops: Task, running: tuple[Task, ...] = ()) -> Facts:
    since = fb.NOW - timedelta(days=30)
    read = ArchiveRead(group="/aws/events/ecs-why", since=since, found=True, stops=stops)
    return fb.failing(*stops, archive=read, running_tasks=running)


def test_a_third_episode_says_when_the_last_ended_and_what_was_deployed_after() -> None:
    stops = (
        oom(1, 200, revision=5),
        oom(2, 199.8, revision=5),
        oom(3, 100, revision=6),
        oom(4, 0.5),
        oom(5, 0.2),
    )
    # revision 7 ran from four days ago, after the second episode, until it too ran out
    fixed = fb.task(9, task_definition_arn=f"{FAMILY}:7", started_at=fb.NOW - timedelta(hours=99))
    diagnosis = fb.diagnose(archived(*stops, running=(fixed,)))
    line = seen_before_line(diagnosis)
    assert line == (
        "Seen before: 3rd time since 2024-04-01 12:00 UTC; last on 2024-04-27 08:00 UTC, "
        "over after revision api:7 was deployed."
    )
    card = str(render_card(diagnosis))
    assert "Seen before: 3rd time since <!date^" in card


def test_one_episode_is_not_seen_before() -> None:
    diagnosis = fb.diagnose(archived(oom(1, 0.5), oom(2, 0.2)))
    assert seen_before_line(diagnosis) is None


def test_stops_at_the_same_moment_do_not_break_the_answer() -> None:
    """Two tasks stopped in the same millisecond (a deployment's tasks often do) are counted,
    never compared with each other."""
    stops = (oom(1, 100), oom(2, 100), oom(3, 0.5), oom(4, 0.5))
    diagnosis = fb.diagnose(archived(*stops))
    line = seen_before_line(diagnosis)
    assert line is not None
    assert line.startswith("Seen before: 2nd time since")
