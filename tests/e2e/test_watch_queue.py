"""Watches on a real queue: ECS events sent to an SQS queue in the emulator (with its
dead-letter queue, as deploy/org-central.yaml makes them), two follower replicas sharing one
Redis and taking from it, and the fake Slack receiving the cards."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from bot.aws.clients import queue_client
from bot.aws.watch_queue import Queue
from bot.cache import RedisStore, Store
from bot.demo.archive_events import task_stopped
from bot.demo.traffic import EmulatorServer, Faults
from bot.errors import MutatingCallRefused
from bot.slack.app import make_client, make_follower
from bot.watch.follow import Follower
from bot.watch.queue import QueueFollower
from tests.conftest import RedisServer
from tests.e2e.conftest import bot_settings
from tests.e2e.test_watches import OOM, POLL, Watching, cards, showing, watch, watching
from tests.fake_slack import FakeSlack

VISIBILITY = 2  # seconds a taken message stays hidden: short, for the test
MAX_RECEIVES = 5  # deploy/org-central.yaml's default


@pytest.fixture
def shared(own_redis: RedisServer) -> Store:
    return RedisStore(own_redis.url)


@pytest.fixture
def queue_url(demo_account: EmulatorServer) -> str:
    """A queue and its dead-letter queue, named afresh for each test."""
    sqs = boto3.client("sqs")
    name = f"ecs-why-events-{uuid.uuid4().hex[:8]}"
    dead = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])
    redrive = {
        "deadLetterTargetArn": dead_arn["Attributes"]["QueueArn"],
        "maxReceiveCount": str(MAX_RECEIVES),
    }
    created = sqs.create_queue(
        QueueName=name,
        Attributes={"VisibilityTimeout": str(VISIBILITY), "RedrivePolicy": json.dumps(redrive)},
    )
    return created["QueueUrl"]


def queue_follower(setup: Watching, url: str, *, depth_every: float = 60.0) -> Follower:
    """A replica as `serve` makes one with ECS_WHY_WATCH_QUEUE set, long-polling briefly."""
    settings = bot_settings(setup.bot.slack).model_copy(
        update={
            "channels": setup.channels,
            "events_log_group": setup.group,
            "watch_queue": url,
            "watch_queue_wait": 1,
            "watch_queue_visibility": VISIBILITY,
        }
    )
    follower = make_follower(
        settings,
        setup.bot.diagnoser.inner,
        setup.store,
        make_client(settings),
        poll=POLL,
        diagnose=None,
        queue=Queue(url, wait=1, visibility=VISIBILITY),
        depth_every=depth_every,
    )
    assert isinstance(follower, QueueFollower)
    setup.followers.append(follower)
    return follower.start()


def send(url: str, *events: dict[str, Any]) -> None:
    """Each event as EventBridge's rule delivers it to the queue: the event's JSON, one message."""
    sqs = boto3.client("sqs")
    for event in events:
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(event))


def left_in(url: str) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(value) for value in attributes.values())


def stops(n: int) -> list[dict[str, Any]]:
    at = datetime.now(UTC)
    return [task_stopped(cluster=OOM.cluster, service=OOM.service, at=at) for _ in range(n)]


@pytest.fixture
def two(
    slack: FakeSlack, demo_account: EmulatorServer, shared: Store, queue_url: str
) -> Iterator[tuple[Watching, list[Follower]]]:
    with watching(slack, demo_account, shared, followers=0) as setup:
        watch(setup.bot, f"{OOM.cluster}/{OOM.service}")
        yield setup, [queue_follower(setup, queue_url) for _ in range(2)]


def test_n_events_on_the_queue_are_n_stops_on_one_card_each_counted_once(
    two: tuple[Watching, list[Follower]], slack: FakeSlack, queue_url: str
) -> None:
    burst = stops(12)
    send(queue_url, *burst, *burst[:4])  # SQS delivers at least once: four come twice

    showing(slack, OOM, "12 stops")
    deadline = time.monotonic() + 10
    while left_in(queue_url) and time.monotonic() < deadline:
        time.sleep(0.2)

    assert left_in(queue_url) == 0  # each deleted once handled
    assert len(cards(slack, OOM)) == 1
    texts = [c.body["text"] for c in slack.calls_to("chat.update")]
    assert not any("13 stops" in text or "16 stops" in text for text in texts)


def test_a_burst_waiting_on_the_queue_is_taken_at_once_and_shown_in_one_card_post(
    slack: FakeSlack, demo_account: EmulatorServer, shared: Store, queue_url: str
) -> None:
    """35 stops already queued (four receives' worth) reach the channel as one card saying
    35 stops, not as a card of 10 updated three times."""
    with watching(slack, demo_account, shared, followers=0) as setup:
        watch(setup.bot, f"{OOM.cluster}/{OOM.service}")
        send(queue_url, *stops(35))
        queue_follower(setup, queue_url)

        showing(slack, OOM, "35 stops", "chat.postMessage")
        deadline = time.monotonic() + 10
        while left_in(queue_url) and time.monotonic() < deadline:
            time.sleep(0.2)

    assert len(cards(slack, OOM)) == 1
    assert not any(OOM.service in c.body["text"] for c in slack.calls_to("chat.update"))
    assert left_in(queue_url) == 0


def test_a_replica_killed_mid_burst_loses_nothing_its_messages_come_back(
    slack: FakeSlack, demo_account: EmulatorServer, shared: Store, queue_url: str
) -> None:
    with watching(slack, demo_account, shared, followers=0) as setup:
        watch(setup.bot, f"{OOM.cluster}/{OOM.service}")
        # A replica takes a burst's messages and dies before storing anything: they stay
        # hidden for the visibility timeout, then the others handle them.
        send(queue_url, *stops(6))
        taken = Queue(queue_url, wait=1, visibility=VISIBILITY).receive()
        first, _ = queue_follower(setup, queue_url), queue_follower(setup, queue_url)
        send(queue_url, *stops(5))
        showing(slack, OOM, "stop", "chat.postMessage")
        first.stop(release=False)  # and one of the two dies mid-burst as well
        send(queue_url, *stops(4))

        showing(slack, OOM, "15 stops")

    assert len(taken) == 6
    assert len(cards(slack, OOM)) == 1
    texts = [c.body["text"] for c in slack.calls_to("chat.update")]
    assert not any("16 stops" in text for text in texts)


def test_events_whose_handling_keeps_failing_land_in_the_dead_letter_queue_and_are_reported(
    slack: FakeSlack,
    demo_account: EmulatorServer,
    shared: Store,
    queue_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With STS refused, the replica cannot tell which account an event is about: the message
    is never deleted, comes back, and after maxReceiveCount receives is dead-lettered."""
    caplog.set_level(logging.WARNING, logger="bot.watch.queue")
    with watching(slack, demo_account, shared, followers=0) as setup:
        watch(setup.bot, f"{OOM.cluster}/{OOM.service}")
        with demo_account.traffic.inject(Faults(deny=frozenset({"sts:GetCallerIdentity"}))):
            queue_follower(setup, queue_url, depth_every=0.5)
            send(queue_url, *stops(1))
            deadline = time.monotonic() + 40  # five receives, each hidden 2 s
            while "dead letters" not in caplog.text and time.monotonic() < deadline:
                time.sleep(0.2)

    assert "dead letters in the watch queue: 1 " in caplog.text
    assert left_in(queue_url) == 0
    assert cards(slack, OOM) == []


def test_the_guard_admits_the_queue_actions_on_that_queue_only(
    queue_url: str, demo_account: EmulatorServer
) -> None:
    other = boto3.client("sqs").create_queue(QueueName=f"other-{uuid.uuid4().hex[:8]}")
    sqs, _ = queue_client(queue_url, wait=0)  # the guarded client the intake uses
    queue = Queue(queue_url, wait=0, visibility=VISIBILITY)

    assert sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    assert queue.read_dead_letters() == 0  # its dead-letter queue's depth may be read
    refused: list[Callable[[], object]] = [
        lambda: sqs.get_queue_attributes(QueueUrl=other["QueueUrl"], AttributeNames=["All"]),
        lambda: sqs.receive_message(QueueUrl=other["QueueUrl"]),
        lambda: sqs.delete_message(QueueUrl=other["QueueUrl"], ReceiptHandle="x"),
        lambda: sqs.delete_message_batch(
            QueueUrl=other["QueueUrl"], Entries=[{"Id": "0", "ReceiptHandle": "x"}]
        ),
        lambda: sqs.send_message(QueueUrl=queue_url, MessageBody="{}"),
        lambda: sqs.purge_queue(QueueUrl=queue_url),
    ]
    for call in refused:
        with pytest.raises(MutatingCallRefused):
            call()
