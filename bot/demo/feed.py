"""Live incidents for the demo: stops of a few broken demo services written into the emulated
event archive on a timer, then their recovery, so `/ecs-why watch production/*` in a team's own
workspace shows a card appear, count its stops and say it recovered.

Each synthetic stop repeats how the service's last stopped task ended in the emulator (its stop
code, reason, exit code and container reason), under a new task ARN.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.aws.watch_reads import Archive, Reader
from bot.demo.archive_events import service_action, task_stopped, write_events
from bot.demo.scenarios import SCENARIOS
from bot.demo.specs import Scenario
from bot.model import Cause, Target
from bot.parse.arns import family_and_revision
from bot.render.incident import incident_line
from bot.watch.follow import updates_between

if TYPE_CHECKING:
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_logs import CloudWatchLogsClient

log = logging.getLogger(__name__)

LIVE = (Cause.OUT_OF_MEMORY, Cause.APP_CRASH)
STOPS_BEFORE_RECOVERY = 5
INTERVAL = 15.0  # seconds between two rounds of stops


def live_scenarios() -> list[Scenario]:
    return [next(s for s in SCENARIOS if s.cause == cause) for cause in LIVE]


def stop_like_the_last(ecs: ECSClient, case: Scenario, at: datetime) -> dict[str, Any]:
    """A new stop of the service, ending as its last stopped task in the emulator did."""
    arns = ecs.list_tasks(cluster=case.cluster, desiredStatus="STOPPED")["taskArns"]
    described = ecs.describe_tasks(cluster=case.cluster, tasks=arns)["tasks"] if arns else []
    ours = [t for t in described if t.get("group") == f"service:{case.service}"]
    task: Any = ours[0] if ours else {}
    container: Any = (task.get("containers") or [{}])[0]
    revision = family_and_revision(str(task.get("taskDefinitionArn", "")))
    return task_stopped(
        cluster=case.cluster,
        service=case.service,
        at=at,
        exit_code=container.get("exitCode"),
        reason=container.get("reason"),
        stop_code=task.get("stopCode", "EssentialContainerExited"),
        stopped_reason=task.get("stoppedReason", "Essential container in task exited"),
        revision=revision[1] if revision else 1,
    )


def feed_round(
    ecs: ECSClient, logs: CloudWatchLogsClient, group: str, n: int, at: datetime
) -> None:
    """Round `n` of the feed: one stop per live service, or (every few rounds) their recovery."""
    recovering = n % (STOPS_BEFORE_RECOVERY + 1) == STOPS_BEFORE_RECOVERY
    events = [
        service_action(cluster=case.cluster, service=case.service, at=at)
        if recovering
        else stop_like_the_last(ecs, case, at)
        for case in live_scenarios()
    ]
    write_events(logs, group, events, stream=f"demo-{n}")


def start_feed(
    ecs: ECSClient,
    logs: CloudWatchLogsClient,
    group: str,
    *,
    interval: float = INTERVAL,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> threading.Event:
    """Feeds the archive in the background until the returned event is set."""
    stop = threading.Event()

    def run() -> None:
        n = 0
        while not stop.wait(0 if n == 0 else interval):
            try:
                feed_round(ecs, logs, group, n, clock())
            except Exception:  # the outermost edge of the feed's thread: the next round tries
                log.exception("feeding the demo's event archive failed")
            n += 1

    threading.Thread(target=run, name="ecs-why-demo-feed", daemon=True).start()
    return stop


def demo_incidents(
    ecs: ECSClient, logs: CloudWatchLogsClient, reader: Reader, now: datetime
) -> list[str]:
    """What `ecs-why watch production/* --once` prints after one cycle of the feed (its stops a
    minute apart, then the recovery): the lines a watching channel's cards would show."""
    rounds = STOPS_BEFORE_RECOVERY + 1
    for n in range(rounds):
        feed_round(ecs, logs, reader.group, n, now - timedelta(minutes=rounds - n))
    targets = [Target(cluster=c.cluster) for c in live_scenarios()]
    _, updates, _ = updates_between(
        reader, Archive(None, None), targets, {}, now - timedelta(minutes=rounds + 1), now
    )
    return [incident_line(update) for update in updates]
