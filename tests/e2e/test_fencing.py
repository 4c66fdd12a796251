"""Two real `ecs-why serve` processes sharing a real redis-server follow one watch while Slack
and the machine misbehave: the lease holder frozen (SIGSTOP) past its lease, a 429 asking to
wait 15 s, an answer slower than the client's timeout, a kill -9 right after Slack took a card.
Whatever happens, the channel gets one card per incident and its count ends exact."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
import redis

from bot.cache import cache_key
from bot.demo.archive_events import task_stopped, write_events
from bot.demo.traffic import EmulatorServer
from bot.model import Cause
from handlers.incident_cards import EVENT_TYPE
from tests.conftest import FAKE_AWS_ENV, RedisServer, free_port
from tests.e2e.conftest import scenario
from tests.e2e.test_serve import environment
from tests.e2e.test_serve_limits import healthy
from tests.fake_slack import BOT_TOKEN, Call, FakeSlack
from tests.harness import CHANNEL, SIGNING_SECRET, BotClient, form, slash_command

pytestmark = pytest.mark.slow

OOM = scenario(Cause.OUT_OF_MEMORY)
LEASE = 3.0  # ECS_WHY_WATCH_LEASE: the follower's Slack client times out after 0.9 s
POLL = 0.2
LABEL = f"{OOM.cluster}/{OOM.service}:"


@dataclass
class Replicas:
    slack: FakeSlack
    processes: list[subprocess.Popen[bytes]]
    redis: redis.Redis
    group: str
    logs: list[Path]

    def holder(self) -> subprocess.Popen[bytes]:
        """The process holding the follower's lease, as Redis says (`<token> host/pid/…`)."""
        deadline = time.monotonic() + 30
        while not isinstance(value := self.redis.get(cache_key("lease", "follower")), bytes):
            assert time.monotonic() < deadline, "no replica took the lease"
            time.sleep(0.05)
        pid = int(value.decode().split()[1].split("/")[1])
        return next(p for p in self.processes if p.pid == pid)

    def stop(self) -> None:
        """One task of the service stops now, and the archive receives it."""
        event = task_stopped(cluster=OOM.cluster, service=OOM.service, at=datetime.now(UTC))
        write_events(boto3.client("logs"), self.group, [event], stream=uuid.uuid4().hex)

    def showing(self, stops: int, timeout: float = 30) -> Call:
        """Waits for a post or an update of the card that says `stops`."""
        word = "1 stop," if stops == 1 else f"{stops} stops"
        deadline = time.monotonic() + timeout
        while True:
            calls = [
                c
                for c in self.slack.calls
                if c.method in ("chat.postMessage", "chat.update")
                and LABEL in str(c.body.get("text"))
                and word in str(c.body.get("text"))
            ]
            if calls:
                return calls[0]
            assert time.monotonic() < deadline, f"no card says {word}: {self.counts()}"
            time.sleep(0.05)

    def counts(self) -> list[int]:
        """The stop count of each post and update of the card, in the order Slack got them."""
        return [
            int(found[1])
            for c in self.slack.calls
            if c.method in ("chat.postMessage", "chat.update")
            and (found := re.search(r"(\d+) stops?\b", str(c.body.get("text"))))
            and LABEL in str(c.body.get("text"))
        ]

    def cards(self) -> list[dict[str, object]]:
        """The incident cards the channel holds."""
        return [
            m
            for m in self.slack.messages.get(CHANNEL, [])
            if (m.get("metadata") or {}).get("event_type") == EVENT_TYPE
        ]

    def assert_one_card_saying(self, stops: int) -> None:
        (card,) = self.cards()
        assert f"{stops} stops" in str(card["text"]), card["text"]
        counts = self.counts()
        assert counts == sorted(counts), f"a count went backwards: {counts}"
        assert counts[-1] == stops
        assert len(self.slack.calls_to("chat.postMessage")) == 1


def start(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], BotClient]:
    with log.open("wb") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, stderr=stderr)
    client = BotClient(f"http://127.0.0.1:{env['PORT']}")
    deadline = time.monotonic() + 90
    while not healthy(client):
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "the bot never answered /healthz"
        time.sleep(0.2)
    return process, client


def end(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGCONT)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


@pytest.fixture
def replicas(
    demo_account: EmulatorServer, own_redis: RedisServer, tmp_path: Path
) -> Iterator[Replicas]:
    group = f"/aws/events/ecs-why-{uuid.uuid4().hex[:8]}"
    boto3.client("logs").create_log_group(logGroupName=group)
    with ExitStack() as stack:
        slack = stack.enter_context(FakeSlack())
        processes, clients, logs = [], [], []
        for n in range(2):
            env = environment(
                SLACK_BOT_TOKEN=BOT_TOKEN,
                SLACK_SIGNING_SECRET=SIGNING_SECRET,
                SLACK_API_URL=slack.api_url,
                PORT=str(free_port()),
                AWS_ENDPOINT_URL=demo_account.endpoint,
                REDIS_URL=own_redis.url,
                ECS_WHY_EVENTS_LOG_GROUP=group,
                ECS_WHY_WATCH_POLL=str(POLL),
                ECS_WHY_WATCH_LEASE=str(LEASE),
                **FAKE_AWS_ENV,
            )
            logs.append(tmp_path / f"replica-{n}.log")
            process, client = start(env, logs[-1])
            stack.callback(end, process)
            processes.append(process)
            clients.append(client)
        url = slack.new_response_url()
        watch = form(slash_command(f"watch {OOM.cluster}/{OOM.service}", url))
        response = clients[0].signed(watch)
        assert response.status == 200
        assert "now watches" in response.json()["text"]
        yield Replicas(slack, processes, redis.Redis.from_url(own_redis.url), group, logs)


def test_a_holder_frozen_past_its_lease_changes_nothing_once_it_wakes(replicas: Replicas) -> None:
    replicas.stop()
    replicas.showing(1)
    frozen = replicas.holder()
    # Frozen right after Slack took the update, before it could save that it did.
    replicas.slack.fail("chat.update", then=lambda: os.kill(frozen.pid, signal.SIGSTOP))
    replicas.stop()
    replicas.showing(2)
    time.sleep(LEASE + 1)
    assert replicas.holder() is not frozen
    replicas.stop()
    replicas.showing(3)
    frozen.send_signal(signal.SIGCONT)
    time.sleep(LEASE)  # its answer arrives, its saves are refused
    replicas.stop()
    replicas.showing(4)
    time.sleep(1)
    replicas.assert_one_card_saying(4)
    woke = replicas.logs[replicas.processes.index(frozen)].read_text()
    assert "lost the watch lease" in woke


def test_a_429_asking_for_15_s_is_waited_out_across_polls(replicas: Replicas) -> None:
    replicas.stop()
    replicas.showing(1)
    replicas.slack.fail("chat.update", status=429, retry_after=15)
    replicas.stop()
    (refused,) = replicas.slack.wait_for("chat.update")
    replicas.stop()
    third = replicas.showing(3, timeout=40)
    assert third.at - refused.at >= 15
    calls = [c for c in replicas.slack.calls if c.method.startswith(("chat.", "conversations."))]
    assert [c for c in calls if refused.at < c.at < third.at] == []  # Slack was left alone
    time.sleep(1)
    replicas.assert_one_card_saying(3)


def test_a_post_answered_after_the_timeout_is_found_not_posted_again(replicas: Replicas) -> None:
    replicas.slack.fail("chat.postMessage", delay=2.0)  # the client gives up after 0.9 s
    replicas.stop()
    replicas.slack.wait_for("conversations.history", timeout=30)
    replicas.showing(1)
    replicas.stop()
    replicas.showing(2)
    time.sleep(1)
    replicas.assert_one_card_saying(2)


def test_a_holder_killed_right_after_slack_took_the_card(replicas: Replicas) -> None:
    killed = replicas.holder()
    replicas.slack.fail(
        "chat.postMessage", then=lambda: os.kill(killed.pid, signal.SIGKILL), lose=True
    )
    replicas.stop()
    replicas.slack.wait_for("chat.postMessage")
    assert killed.wait(timeout=10) == -signal.SIGKILL
    replicas.stop()
    replicas.showing(2, timeout=LEASE + 30)
    replicas.stop()
    replicas.showing(3)
    time.sleep(1)
    replicas.assert_one_card_saying(3)
    assert replicas.slack.calls_to("conversations.history")
