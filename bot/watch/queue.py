"""Watches from a real queue (ECS_WHY_WATCH_QUEUE: deploy/org-central.yaml's, fed by the same
rules as the archive) instead of polling the archive under one replica's lease.

Every replica long-polls the queue (bot/aws/watch_queue.py); SQS hides each message it hands
out from the others for the visibility timeout, so each event is handled by one replica at a
time. For each account and region its messages are about, a replica takes that archive's own
lease, stores the incident updates and posts them exactly as `Follower` does (its reader hands
the messages over as the archive's new lines), and only then deletes those messages: a replica
that dies first leaves them to reappear when the timeout ends, for another. A message whose
handling keeps failing lands, after the queue's maxReceiveCount, in its dead-letter queue,
whose depth is logged. SQS delivers at least once: the incidents count each task once, so an
event handled twice changes nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.aws.archive_tail import Batch
from bot.aws.watch_queue import Message, Queue
from bot.aws.watch_reads import Archive, Reader
from bot.cache import Store
from bot.errors import EcsWhyError
from bot.events import BadLine, parse_event
from bot.watch.follow import LEASE_SECONDS, Follower, Lease, group_by_archive
from bot.watch.incidents import Deliver
from bot.watch.watches import Watch, WatchBook

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

DEPTH_EVERY = 60.0  # seconds between two looks at the dead-letter queue


def _wait_for(held: Callable[[], bool], seconds: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while not held():
        if time.monotonic() >= deadline:
            return False
        time.sleep(step)
    return True


@dataclass
class Taken:
    """One receive's messages, by the watched archive each is about."""

    by_archive: dict[Archive, list[Message]] = field(default_factory=dict)
    unwatched: list[Message] = field(default_factory=list)  # about nothing watched, or no event

    def batch(self, archive: Archive) -> Batch:
        return Batch(lines=[m.body for m in self.by_archive.get(archive, [])])


def sort_messages(
    messages: Sequence[Message], archives: Mapping[tuple[str, str], Archive], now: datetime
) -> Taken:
    """Each message under the archive of the account and region its event's ARNs name
    (`archives`: by account id and region); the others, and lines that are no event, apart."""
    taken = Taken()
    bad: BadLine | None = None
    for message in messages:
        event = parse_event(message.body, now)
        if isinstance(event, BadLine):
            bad = bad or event
            taken.unwatched.append(message)
            continue
        archive = archives.get(event.account_and_region)
        if archive is None:
            taken.unwatched.append(message)
        else:
            taken.by_archive.setdefault(archive, []).append(message)
    if bad is not None:
        log.warning("a message of the watch queue is no ECS event: %s", bad.reason)
    return taken


class QueueReader(Reader):
    """The follower's reader in queue mode: an archive's new lines are the messages the queue
    follower took for it, handed over once; the archive itself is never polled."""

    def __init__(self, settings: Settings, group: str, store: Store | None = None) -> None:
        super().__init__(settings, group, store)
        self.taken: dict[Archive, Batch] = {}

    def read(self, archive: Archive, start: datetime) -> Batch:
        return self.taken.pop(archive, Batch())


class QueueFollower(Follower):
    """The follower of every replica in queue mode: each tick, one long poll of the queue, then
    for each watched account and region, under that archive's own lease (`lease` seconds, not
    the follower's: replicas share the work), its messages into its incidents, stored and
    posted as `Follower` does, and only then deleted."""

    def __init__(
        self,
        store: Store,
        book: WatchBook,
        reader: QueueReader,
        deliver: Deliver,
        *,
        queue: Queue,
        depth_every: float = DEPTH_EVERY,
        lease: float = LEASE_SECONDS,
        **options: Any,
    ) -> None:
        super().__init__(store, book, reader, deliver, lease=lease, **options)
        self.queue, self._taken, self._lease_seconds = queue, reader, lease
        self._depth_every = depth_every
        # Another replica holds an archive only while it stores and posts a few updates: worth
        # waiting for (a message handed back costs one of its receives before dead-lettering).
        self._lock_wait = max(1.0, queue.visibility / 4)
        self._depth_read_at: float | None = None

    def tick(self) -> bool:
        self._report_dead_letters()  # first: said even while handling keeps failing
        self._rules.drop_narrowed(self._book)
        watched = group_by_archive(self._book.all())
        messages = self.queue.receive()
        reader = self._taken
        archives = {(reader.account_id(a), reader.region(a)): a for a in watched}
        taken = sort_messages(messages, archives, datetime.now(UTC))
        for archive, watches in watched.items():
            if self._stop.is_set():
                return False  # not deleted: they come back after the visibility timeout
            self._handle(archive, watches, taken)
        self.queue.delete(taken.unwatched)
        return True

    def _handle(self, archive: Archive, watches: list[Watch], taken: Taken) -> None:
        """The archive's messages into its incidents, stored and delivered, then deleted; with
        the archive held by another replica for long, handed back for later."""
        mine = taken.by_archive.get(archive, [])
        account, region = archive.account or "-", archive.region or "-"
        name = f"follow {self._taken.group} {account} {region}"
        self.lease = lease = Lease(self._store, name, self._lease_seconds)
        if not _wait_for(lease.hold, self._lock_wait) or lease.fence is None:
            self.queue.give_back(mine)
            return
        self._taken.taken[archive] = taken.batch(archive)
        done = threading.Event()  # renewed meanwhile, as the follower's lease is
        threading.Thread(target=lease.keep, args=(done,), daemon=True).start()
        try:
            stored = self._follow(archive, watches, lease.fence)
        except EcsWhyError as error:  # kept: retried after the timeout, at last dead-lettered
            log.warning("cannot handle the queue's events of %s: %s", archive, error)
            return
        finally:
            done.set()
            self._taken.taken.pop(archive, None)
            lease.release()
        if stored:
            self.queue.delete(mine)
        else:  # its updates may not be stored: they come back after the visibility timeout
            log.warning("lost the lease of %s while handling the queue's events", archive)

    def _report_dead_letters(self) -> None:
        now = time.monotonic()
        if self._depth_read_at is not None and now - self._depth_read_at < self._depth_every:
            return
        self._depth_read_at = now
        depth = self.queue.read_dead_letters()
        if depth:
            log.warning(
                "dead letters in the watch queue: %d (events whose handling failed "
                "maxReceiveCount times; README: From one account to an organisation)",
                depth,
            )
