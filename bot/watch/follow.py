"""Following the event archive: new events become incident updates, for `ecs-why watch` and for
the Slack follower.

One replica at a time follows (a lease in the shared store, renewed at every poll and in the
background, lapsing within seconds when its holder dies or freezes). Per account and region it
keeps a cursor, the incidents and an outbox in the store, so another replica takes over exactly
where it stopped: the state is saved before anything is delivered (an update is never lost),
each delivery is struck from the outbox as soon as it got through (never delivered twice), and
a failed one waits for the next poll. Every write is fenced (see `Lease`): a replica that lost
the lease, however long it was paused, writes nothing more and starts no Slack call. Reading
overlaps the last poll by `LOOKBACK` (CloudWatch Logs may index an event late); the state
machine counts each task once, so reading an event again changes nothing.
Delivering (Slack) is injected: nothing here knows Slack.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, Field

from bot.aws.archive_tail import Batch
from bot.aws.watch_reads import Archive, Reader
from bot.cache import Store, cache_key
from bot.errors import EcsWhyError
from bot.model import Target
from bot.watch.causes import Diagnose, Explain, explainer, with_causes
from bot.watch.incidents import (
    QUIET_PERIOD,
    Card,
    Deliver,
    Incident,
    LeaseLeft,
    apply_all,
    quiet_services,
)
from bot.watch.intake import read_lines
from bot.watch.rules import OPEN, ChannelRules
from bot.watch.watches import FOREVER, Watch, WatchBook, covers

log = logging.getLogger(__name__)

LOOKBACK = timedelta(minutes=2)
POLL_SECONDS = 3.0
LEASE_SECONDS = 10.0
KEEP_RECOVERED = timedelta(days=1)


def target_of(incident: Incident, archive: Archive) -> Target:
    service = incident.service
    return Target(
        cluster=service.cluster,
        service=service.service,
        region=service.region,
        account=archive.account,
    )


def group_by_archive(watches: Iterable[Watch]) -> dict[Archive, list[Watch]]:
    grouped: dict[Archive, list[Watch]] = {}
    for watch in watches:
        archive = Archive(watch.target.account, watch.target.region)
        grouped.setdefault(archive, []).append(watch)
    return grouped


def updates_between(
    reader: Reader,
    archive: Archive,
    targets: Sequence[Target],
    incidents: dict[str, Incident],
    start: datetime,
    now: datetime,
    *,
    quiet: timedelta = QUIET_PERIOD,
    known: set[int] | None = None,
    explain: Explain | None = None,
) -> tuple[dict[str, Incident], list[Incident], Batch]:
    """The incidents of the watched services after what the archive holds from `start`, the
    updates in the order they happened, and what was read.

    `known` holds the hashes of the lines the last read returned: the overlap of two reads is
    not parsed twice (it would change nothing), and `known` is left holding this read's.
    `explain` gives each failing service revision the cause of its full diagnosis, once."""
    batch = reader.read(archive, start)
    region = reader.region(archive)
    seen = known if known is not None else set()
    fresh = [line for line in batch.lines if hash(line) not in seen]
    seen.clear()
    seen.update(map(hash, batch.lines))
    read = read_lines(fresh, now)
    if read.bad is not None:  # each line is read once (`known`), so this is said once
        log.warning(
            "%d lines of %s skipped (the first: %s)", read.skipped, reader.group, read.bad.reason
        )
    # An event is about the account and region its ARNs name: in this archive, only this one's.
    here = (reader.account_id(archive), region)
    ours = [e for e in read.events if (e.service.account, e.service.region) == here]
    if foreign := len(read.events) - len(ours):
        log.warning(
            "%d events in %s name another AWS account or region: skipped", foreign, reader.group
        )
    events = [
        e for e in ours if any(covers(t, archive.account, region, e.service) for t in targets)
    ]
    incidents, updates = apply_all(incidents, with_causes(events, incidents, explain))
    if calm := quiet_services(incidents, now, quiet):
        incidents, recovered = apply_all(incidents, reader.steady(archive, calm, now))
        updates += recovered
    return incidents, updates, batch


class Lease:
    """Held by one replica at a time; lapses `ttl` seconds after its holder stops renewing.

    Each taking carries a fencing token one above the last (`fence`, bot/cache.py): what was
    read under one fence is written back only while that same fence holds the lease, in one
    atomic step, so a replica paused, slow or cut off past its lease changes nothing."""

    def __init__(
        self,
        store: Store,
        name: str,
        ttl: float = LEASE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self.key = cache_key("lease", name)
        # Who holds it, for an operator reading Redis: host, process and a random part.
        self._holder = f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}".encode()
        self._ttl = ttl
        self._clock = clock
        self.fence: bytes | None = None  # `<token> <holder>` while we hold it
        self._until = 0.0
        self._lock = threading.Lock()

    def hold(self) -> bool:
        """Renews the lease if ours, else takes it if free; True while we hold it.

        Never while a shared store is down: each replica would hold its own fallback's lease."""
        with self._lock:  # the follower and `keep` both renew it
            asked = self._clock()
            fence = None
            if self._up():
                fence = self._store.lease(self.key, self.fence, self._holder, self._ttl)
            self.fence = fence if self._up() else None
            self._until = asked + self._ttl if self.fence else 0.0
            return self.fence is not None

    def keep(self, stop: threading.Event) -> None:
        """Renews the lease while held, every third of its length, until `stop`: a replica busy
        with a slow poll (a diagnosis) keeps it; a frozen or dead one does not."""
        while not stop.wait(self._ttl / 3):
            if self.fence is not None:
                self.hold()

    def left(self, fence: bytes) -> float:
        """Seconds `fence` surely holds the lease for, once renewed (by this process's clock,
        from before it asked); 0 when that fence lost it."""
        if not self.hold() or self.fence != fence:
            return 0.0
        return max(0.0, self._until - self._clock())

    def write(self, fence: bytes, key: str, value: bytes) -> bool:
        """Sets `key` only while `fence` holds the lease; False when it lost it."""
        return self._store.set_fenced(self.key, fence, key, value, FOREVER)

    def release(self) -> None:
        if self.fence is not None:
            self._store.delete_if(self.key, self.fence)
            self.fence = None

    def _up(self) -> bool:
        return bool(getattr(self._store, "available", True))


class _State(BaseModel):
    cursor: datetime | None = None
    incidents: dict[str, Incident] = Field(default_factory=dict)
    outbox: list[tuple[str, str]] = Field(default_factory=list)  # (channel, incident key)
    cards: dict[str, str] = Field(default_factory=dict)  # "channel key" → the card's ts
    # "channel key" → the id a new card is posted under, saved before the post: a post whose
    # answer was lost (a timeout, a crash) is then found by it instead of posted again.
    posting: dict[str, str] = Field(default_factory=dict)

    def advance(
        self,
        batch: Batch,
        incidents: dict[str, Incident],
        updates: list[Incident],
        watches: list[Watch],
        archive: Archive,
        now: datetime,
    ) -> None:
        """The cursor past what was read, the incidents kept, and each update queued for every
        channel that watches its service."""
        if batch.newest is not None:
            newest = datetime.fromtimestamp(batch.newest / 1000, UTC)
            self.cursor = max(self.cursor or newest, newest)
        elif self.cursor is None:
            self.cursor = now - LOOKBACK
        self.incidents = _pruned(incidents, now)
        self.cards = {k: ts for k, ts in self.cards.items() if k.split(" ")[1] in self.incidents}
        self.posting = {k: i for k, i in self.posting.items() if k.split(" ")[1] in self.incidents}
        for update in updates:
            for watch in watches:
                if covers(watch.target, archive.account, update.service.region, update.service):
                    entry = (watch.channel, update.key)
                    if update.state == "open":  # a new card, even for an incident seen before
                        self.cards.pop(f"{watch.channel} {update.key}", None)
                    if entry not in self.outbox:
                        self.outbox.append(entry)

    def card(self, channel: str, incident: Incident, archive: Archive) -> tuple[Card, bool]:
        """The card of `incident` in `channel`, and whether it is a new post (given an id now,
        which must be saved before it is posted)."""
        key = f"{channel} {incident.key}"
        ts, tried = self.cards.get(key), self.posting.get(key)
        if new := ts is None and tried is None:
            self.posting[key] = uuid.uuid4().hex
        target = target_of(incident, archive)
        card_id = self.posting.get(key, "")
        return Card(channel, incident, target, ts, card_id, lost=tried is not None), new

    def delivered(self, card: Card, ts: str) -> None:
        key = f"{card.channel} {card.incident.key}"
        self.cards[key] = ts
        self.posting.pop(key, None)


class Follower:
    """Follows the archive of every watched account and region, and delivers what changed."""

    def __init__(
        self,
        store: Store,
        book: WatchBook,
        reader: Reader,
        deliver: Deliver,
        *,
        poll: float = POLL_SECONDS,
        lease: float = LEASE_SECONDS,
        quiet: timedelta = QUIET_PERIOD,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        diagnose: Diagnose | None = None,
        rules: ChannelRules = OPEN,
    ) -> None:
        """`rules`: the channels' rules, asked again at every poll and post."""
        self._store = store
        self._rules = rules
        self._diagnose = diagnose
        self._book = book
        self._reader = reader
        self._deliver = deliver
        self._poll = poll
        self._quiet = quiet
        self._clock = clock
        self.lease = Lease(store, "follower", lease)
        self._known: dict[Archive, set[int]] = {}  # the lines of each archive's last read
        self._missing: set[Archive] = set()  # archives found missing (said once)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Follower:
        self._thread = threading.Thread(target=self._run, name="ecs-why-follower", daemon=True)
        self._thread.start()
        keep = functools.partial(self.lease.keep, self._stop)
        threading.Thread(target=keep, name="ecs-why-lease", daemon=True).start()
        return self

    def stop(self, *, release: bool = True) -> None:
        """Stops following; `release=False` leaves the lease to lapse (as a crash would)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        if release:
            self.lease.release()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # the outermost edge of the follower's thread: try again later
                log.exception("following the event archive failed; trying again")
            self._stop.wait(self._poll)

    def tick(self) -> bool:
        """One poll of every watched archive; False when another replica holds the lease."""
        if not self.lease.hold():
            return False
        self._rules.drop_narrowed(self._book)
        for archive, watches in group_by_archive(self._book.all()).items():
            if self._stop.is_set() or not self.lease.hold() or self.lease.fence is None:
                return False
            try:
                if not self._follow(archive, watches, self.lease.fence):
                    log.warning("lost the watch lease mid-poll: another replica follows now")
                    return False
            except EcsWhyError as error:  # an unknown account, AWS refusing: the others go on
                log.warning("cannot follow the archive of %s: %s", archive, error)
        return True

    def _follow(self, archive: Archive, watches: list[Watch], fence: bytes) -> bool:
        """Reads, saves and delivers one archive's updates under `fence`; False once it lost
        the lease (nothing more is written or posted)."""
        # Per archive group too: another group (a new ECS_WHY_EVENTS_LOG_GROUP) starts afresh.
        key = cache_key("follow", self._reader.group, archive.account or "-", archive.region or "-")
        raw = self._store.get(key)
        state = _State.model_validate_json(raw) if raw else _State()
        now = self._clock()
        start = (state.cursor or now) - LOOKBACK
        known = set(self._known.get(archive, ()))  # kept only once the state is saved
        incidents, updates, batch = updates_between(
            self._reader,
            archive,
            [w.target for w in watches],
            state.incidents,
            start,
            now,
            quiet=self._quiet,
            known=known,
            explain=explainer(self._diagnose, archive.account) if self._diagnose else None,
        )
        if not batch.found and archive not in self._missing:
            self._missing.add(archive)
            log.warning(
                "no event archive %s in %s to follow: see deploy/event-archive.yaml",
                self._reader.group,
                self._reader.region(archive),
            )
        state.advance(batch, incidents, updates, watches, archive, now)
        save = functools.partial(self._save, key, state, fence)
        if not save():
            return False
        self._known[archive] = known
        silenced = functools.cache(lambda channel: self._book.silencer(channel, now))
        left = functools.partial(self.lease.left, fence)
        post = Posting(self._deliver, left, self._rules.may_post, silenced)
        return deliver_outbox(state, archive, post, save)

    def _save(self, key: str, state: _State, fence: bytes) -> bool:
        return self.lease.write(fence, key, state.model_dump_json().encode())


@dataclass(frozen=True)
class Posting:
    """What delivering the outbox needs: Slack (`deliver`), the lease time left, and whether a
    channel may still see a target (its rules) and wants an incident (its snoozes and mutes)."""

    deliver: Deliver
    left: LeaseLeft
    may_post: Callable[[str, Target], bool]
    silenced: Callable[[str], Callable[[Incident], bool]]

    def wanted(self, channel: str, incident: Incident, archive: Archive) -> bool:
        target = target_of(incident, archive)
        return self.may_post(channel, target) and not self.silenced(channel)(incident)


def deliver_outbox(
    state: _State, archive: Archive, post: Posting, save: Callable[[], bool]
) -> bool:
    """Delivers what the outbox holds, saving after each; False once the lease is lost."""
    for channel, incident_key in list(state.outbox):
        incident = state.incidents.get(incident_key)
        if incident is not None and post.wanted(channel, incident, archive):
            card, new = state.card(channel, incident, archive)
            if new and not save():  # the post's id is saved before the post
                return False
            ts = post.deliver(card, post.left)
            if ts is None:
                if not post.left():
                    return False
                continue  # Slack did not take it: the next poll tries again
            state.delivered(card, ts)
        state.outbox.remove((channel, incident_key))
        if not save():
            return False
    return True


def _pruned(incidents: dict[str, Incident], now: datetime) -> dict[str, Incident]:
    return {
        key: incident
        for key, incident in incidents.items()
        if incident.recovered_at is None or now - incident.recovered_at < KEEP_RECOVERED
    }


def open_incidents(store: Store, group: str, watches: list[Watch]) -> list[tuple[str, Incident]]:
    """Each incident not yet recovered that `watches` cover, with the channel watching it, as
    the follower last saved them (the Home tab's list)."""
    found: list[tuple[str, Incident]] = []
    for archive, watching in group_by_archive(watches).items():
        raw = store.get(cache_key("follow", group, archive.account or "-", archive.region or "-"))
        state = _State.model_validate_json(raw) if raw else _State()
        for incident in state.incidents.values():
            service = incident.service
            found.extend(
                (watch.channel, incident)
                for watch in watching
                if incident.recovered_at is None
                and covers(watch.target, archive.account, service.region, service)
            )
    return sorted(found, key=lambda pair: pair[1].last, reverse=True)
