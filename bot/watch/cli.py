"""`ecs-why watch TARGET… [--once] [--since D] [--format text|json]` (CONTRACT §2): the incidents
the Slack follower would post, from the same archive, printed one update a line."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bot.aws.watch_reads import Archive, Reader
from bot.cache import make_store
from bot.model import Target
from bot.parse.duration import parse_duration
from bot.render.incident import incident_json, incident_line
from bot.service import Diagnoser
from bot.settings import Settings
from bot.watch.causes import explainer
from bot.watch.follow import LOOKBACK, POLL_SECONDS, updates_between
from bot.watch.incidents import Incident
from bot.watch.watches import parse_watch_target

DEFAULT_WINDOW = timedelta(hours=1)


def watch(
    texts: Sequence[str], settings: Settings, *, once: bool, since: str | None, fmt: str
) -> int:
    targets = [parse_watch_target(text) for text in texts]
    window = parse_duration(since) if since is not None else DEFAULT_WINDOW
    store = make_store(settings.redis_url)
    reader = Reader(settings, settings.events_log_group, store)
    diagnoser = Diagnoser(settings, store)
    try:
        return _follow(reader, diagnoser, targets, window, once=once, fmt=fmt)
    finally:
        diagnoser.close()


def _follow(
    reader: Reader,
    diagnoser: Diagnoser,
    targets: Sequence[Target],
    window: timedelta,
    *,
    once: bool,
    fmt: str,
) -> int:
    archives: dict[Archive, list[Target]] = {}
    for target in targets:
        archives.setdefault(Archive(target.account, target.region), []).append(target)
    state: dict[Archive, dict[str, Incident]] = {archive: {} for archive in archives}
    start = {archive: datetime.now(UTC) - window for archive in archives}
    known: dict[Archive, set[int]] = {archive: set() for archive in archives}  # read once
    told: set[Archive] = set()
    while True:
        for archive, watched in archives.items():
            now = datetime.now(UTC)
            explain = explainer(diagnoser.diagnose, archive.account)
            state[archive], updates, batch = updates_between(
                reader,
                archive,
                watched,
                state[archive],
                start[archive],
                now,
                known=known[archive],
                explain=explain,
            )
            if not batch.found and archive not in told:
                told.add(archive)
                print(
                    f"ecs-why: no event archive {reader.group} in {reader.region(archive)}: "
                    "deploy/event-archive.yaml sets one up",
                    file=sys.stderr,
                )
            if batch.newest is not None:
                start[archive] = datetime.fromtimestamp(batch.newest / 1000, UTC) - LOOKBACK
            for update in updates:
                line = incident_json(update, archive.account) if fmt == "json" else None
                print(line or incident_line(update), flush=True)
        if once:
            return 0
        time.sleep(POLL_SECONDS)
