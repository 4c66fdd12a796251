"""SQS: the watch queue (ECS_WHY_WATCH_QUEUE, deploy/org-central.yaml's) and its dead-letter
queue, through the one client allowed to change anything, and only on that queue (the guard in
bot/aws/clients.py). bot/watch/queue.py decides what to take, delete and hand back.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.clients import describe_error, queue_arn, queue_client
from bot.errors import AwsUnavailable, EcsWhyError

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.literals import QueueAttributeNameType
    from mypy_boto3_sqs.type_defs import MessageTypeDef

    from bot.settings import Settings

T = TypeVar("T")

BATCH = 10  # ReceiveMessage's most
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
