"""Watch intake from a real queue (ECS_WHY_WATCH_QUEUE, deploy/org-central.yaml's, fed by the
same rules as the archive) instead of polling the archive under one replica's lease.

Every replica long-polls the queue; SQS hides each message it hands out from the others for
the visibility timeout, so each event is handled by one replica at a time. A replica takes the
lease of each archive (account and region) its messages are about, stores the incident updates,
and only then deletes those messages; a replica that dies before that leaves them to reappear
when the timeout ends, for another. A message whose handling keeps failing lands, after the
queue's maxReceiveCount, in its dead-letter queue, whose depth is logged. SQS delivers at least
once: the incidents count each task once, so an event handled twice changes nothing.
These calls are the only ones that change anything in AWS, and only on this queue (the guard
in bot/aws/clients.py refuses them on any other).
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.archive_tail import Batch
from bot.aws.clients import describe_error, queue_arn, queue_client
from bot.aws.watch_reads import Archive, Reader
from bot.cache import Store
from bot.errors import AwsUnavailable, EcsWhyError
from bot.events import BadLine, parse_event
from bot.watch.follow import LEASE_SECONDS, Follower, Lease, group_by_archive
from bot.watch.incidents import Deliver
from bot.watch.watches import Watch, WatchBook

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.literals import QueueAttributeNameType
    from mypy_boto3_sqs.type_defs import MessageTypeDef

    from bot.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")

BATCH = 10  # ReceiveMessage's most
GIVE_BACK_SECONDS = 2  # a message whose archive stays held elsewhere comes back this soon
DEPTH_EVERY = 60.0  # seconds between two looks at the dead-letter queue


@dataclass(frozen=True)
class Message:
    receipt: str
    body: str


class Queue:
    """The queue's side in AWS: messages taken, deleted, handed back; the dead letters' count."""

    def __init__(self, url: str, *, wait: int, visibility: int) -> None:
        self.url, self._wait, self.visibility = url, wait, visibility
        self._sqs: SQSClient
        self._sqs, self._guard = queue_client(url, wait=wait)
        self.dead_letters: int | None = None  # the dead-letter queue's depth, when last read
        self._dead_letter_url: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Queue:
        if settings.watch_queue is None:
            raise EcsWhyError("ECS_WHY_WATCH_QUEUE is not set")
        return cls(
            settings.watch_queue,
            wait=settings.watch_queue_wait,
            visibility=settings.watch_queue_visibility,
        )

    def receive(self) -> list[Message]:
        answer = self._call(
            lambda: self._sqs.receive_message(
                QueueUrl=self.url,
                MaxNumberOfMessages=BATCH,
                WaitTimeSeconds=self._wait,
                VisibilityTimeout=self.visibility,
            ),
            "sqs:ReceiveMessage",
        )
        return [_message(m) for m in answer.get("Messages", []) if "ReceiptHandle" in m]

    def delete(self, messages: Sequence[Message]) -> None:
        for message in messages:
            self._call(
                functools.partial(
                    self._sqs.delete_message, QueueUrl=self.url, ReceiptHandle=message.receipt
                ),
                "sqs:DeleteMessage",
            )

    def give_back(self, messages: Sequence[Message]) -> None:
        """Visible again soon: another replica handles their archive now."""
        for message in messages:
            self._call(
                functools.partial(
                    self._sqs.change_message_visibility,
                    QueueUrl=self.url,
                    ReceiptHandle=message.receipt,
                    VisibilityTimeout=GIVE_BACK_SECONDS,
                ),
                "sqs:ChangeMessageVisibility",
            )

    def read_dead_letters(self) -> int | None:
        """How many messages wait in the dead-letter queue (None: the queue has none)."""
        if self._dead_letter_url is None:
            attributes = self._attributes(self.url, "RedrivePolicy")
            target = json.loads(attributes.get("RedrivePolicy", "{}")).get("deadLetterTargetArn")
            if not target:
                return None
            account, name = target.split(":")[-2:]
            self._dead_letter_url = f"{self.url.rstrip('/').rsplit('/', 2)[0]}/{account}/{name}"
            self._guard.dead_letter_arn = queue_arn(self._dead_letter_url, self._guard.region)
        depth = self._attributes(self._dead_letter_url, "ApproximateNumberOfMessages")
        self.dead_letters = int(depth.get("ApproximateNumberOfMessages", "0"))
        return self.dead_letters

    def _attributes(self, url: str, name: QueueAttributeNameType) -> dict[str, str]:
        answer = self._call(
            lambda: self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[name]),
            "sqs:GetQueueAttributes",
        )
        return {str(key): value for key, value in answer.get("Attributes", {}).items()}

    def _call(self, call: Callable[[], T], action: str) -> T:
        try:
            return call()
        except (ClientError, BotoCoreError) as error:
            raise AwsUnavailable(
                f"{action} on the watch queue failed: {describe_error(error)}"
            ) from error


def _message(raw: MessageTypeDef) -> Message:
    return Message(receipt=raw["ReceiptHandle"], body=raw.get("Body", ""))


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

    def __init__(self, settings: Settings, group: str) -> None:
        super().__init__(settings, group)
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
        if not _wait_for(lease.hold, self._lock_wait):
            self.queue.give_back(mine)
            return
        self._taken.taken[archive] = taken.batch(archive)
        try:
            self._follow(archive, watches)
        except EcsWhyError as error:  # kept: retried after the timeout, at last dead-lettered
            log.warning("cannot handle the queue's events of %s: %s", archive, error)
            return
        finally:
            self._taken.taken.pop(archive, None)
            lease.release()
        self.queue.delete(mine)

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
