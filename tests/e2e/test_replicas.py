"""Two bot replicas sharing one Redis: a delivery that reaches both is answered once."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from bot.cache import RedisStore
from bot.demo.traffic import EmulatorServer
from bot.model import Cause
from tests.e2e.conftest import Bot, running_bot, scenario
from tests.fake_slack import FakeSlack
from tests.harness import mention_event, sign


@pytest.fixture
def replicas(slack: FakeSlack, demo_account: EmulatorServer, redis_url: str) -> Iterator[list[Bot]]:
    with ExitStack() as stack:
        yield [
            stack.enter_context(running_bot(slack, demo_account, RedisStore(redis_url)))
            for _ in range(2)
        ]


def test_an_event_delivered_to_two_replicas_is_answered_once(
    replicas: list[Bot], slack: FakeSlack
) -> None:
    case = scenario(Cause.OUT_OF_MEMORY)
    ts = f"{time.time():.6f}"
    body = json.dumps(mention_event(f"<@U0ECSWHY> {case.cluster}/{case.service}", ts=ts))
    # Both replicas get it at the same moment, and Slack then retries it on each.
    deliveries: list[tuple[Bot, dict[str, str]]] = [(bot, {}) for bot in replicas]
    deliveries += [
        (bot, {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
        for bot in replicas
    ]
    statuses: list[int] = []

    def deliver(bot: Bot, retry: dict[str, str]) -> None:
        headers = {**sign(body), **retry}
        statuses.append(
            bot.http.request(body, headers=headers, content_type="application/json").status
        )

    threads = [threading.Thread(target=deliver, args=d) for d in deliveries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 4
    for bot in replicas:
        bot.settle()
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert sum(len(bot.diagnoser.calls) for bot in replicas) == 1
