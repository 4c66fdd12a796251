"""SQS: the watch queue (ECS_WHY_WATCH_QUEUE, deploy/org-central.yaml's) and its dead-letter
queue, through the one client allowed to change anything, and only on that queue (the guard in
bot/aws/clients.py). bot/watch/queue.py decides what to take, delete and hand back.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.clients import describe_error, queue_arn, queue_client
from bot.errors import AwsUnavailable, EcsWhyError

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.literals import QueueAttributeNameType
    from mypy_boto3_sqs.type_defs import (
        BatchResultErrorEntryTypeDef,
        ChangeMessageVisibilityBatchRequestEntryTypeDef,
        DeleteMessageBatchRequestEntryTypeDef,
        MessageTypeDef,
    )

    from bot.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")

BATCH = 10  # the most a ReceiveMessage, DeleteMessageBatch or ChangeMessageVisibilityBatch takes
DRAIN = 10  # receives in a row while the queue hands out full batches
GIVE_BACK_SECONDS = 2  # a message handed back is visible again this soon


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
        """One long poll, then more receives at once while they come back full (at most
        `DRAIN`): in a burst, each archive's messages are handled together and its cards are
        updated once for all of them, not once for every ten."""
        taken: list[Message] = []
        for wait in [self._wait] + [0] * (DRAIN - 1):
            answer = self._call(
                functools.partial(
                    self._sqs.receive_message,
                    QueueUrl=self.url,
                    MaxNumberOfMessages=BATCH,
                    WaitTimeSeconds=wait,
                    VisibilityTimeout=self.visibility,
                ),
                "sqs:ReceiveMessage",
            )
            batch = [_message(m) for m in answer.get("Messages", []) if "ReceiptHandle" in m]
            taken += batch
            if len(batch) < BATCH:
                break
        return taken

    def delete(self, messages: Sequence[Message]) -> None:
        for chunk in _chunks(messages):
            entries: list[DeleteMessageBatchRequestEntryTypeDef] = [
                {"Id": str(n), "ReceiptHandle": m.receipt} for n, m in enumerate(chunk)
            ]
            answer = self._call(
                functools.partial(
                    self._sqs.delete_message_batch, QueueUrl=self.url, Entries=entries
                ),
                "sqs:DeleteMessage",
            )
            _said_failed(answer.get("Failed", []), "deleted")

    def give_back(self, messages: Sequence[Message]) -> None:
        """Visible again soon: another replica handles their archive now."""
        for chunk in _chunks(messages):
            entries: list[ChangeMessageVisibilityBatchRequestEntryTypeDef] = [
                {"Id": str(n), "ReceiptHandle": m.receipt, "VisibilityTimeout": GIVE_BACK_SECONDS}
                for n, m in enumerate(chunk)
            ]
            answer = self._call(
                functools.partial(
                    self._sqs.change_message_visibility_batch, QueueUrl=self.url, Entries=entries
                ),
                "sqs:ChangeMessageVisibility",
            )
            _said_failed(answer.get("Failed", []), "handed back")

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


def _chunks(messages: Sequence[Message]) -> list[Sequence[Message]]:
    return [messages[n : n + BATCH] for n in range(0, len(messages), BATCH)]


def _said_failed(failed: Sequence[BatchResultErrorEntryTypeDef], done: str) -> None:
    """A message a batch could not act on comes back after its visibility timeout, and its
    event, handled again, changes nothing: said, not raised."""
    if failed:
        log.warning(
            "%d messages of the watch queue not %s: %s", len(failed), done, failed[0].get("Code")
        )


def _message(raw: MessageTypeDef) -> Message:
    return Message(receipt=raw["ReceiptHandle"], body=raw.get("Body", ""))
