"""Watches end to end: a channel watches over the real HTTP endpoint, events land in the
emulator's archive log group as EventBridge writes them, the real follower reads them and the
fake Slack Web API receives one card per incident, updated in place."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.cache import MemoryStore, RedisStore, Store
from bot.demo.archive_events import OOM_REASON, service_action, task_stopped, write_events
from bot.demo.specs import Scenario
from bot.demo.traffic import EmulatorServer
from bot.model import Cause
from bot.render.incident import ACTION_MUTE, ACTION_SNOOZE, ACTION_UNSILENCE
from bot.service import Diagnoser
from bot.slack.app import build_app, make_client, make_follower
from bot.watch.follow import Follower
from handlers.shortcut import NOTHING_FOUND
from tests.conftest import RedisServer
from tests.e2e.conftest import Bot, bot_settings, running_bot, scenario, stopped_task_arns
from tests.e2e.test_http_mode import slash
from tests.fake_slack import APP_TOKEN, Call, FakeSlack
from tests.harness import CHANNEL, USER, block_action, interaction, slash_command

OOM = scenario(Cause.OUT_OF_MEMORY)
CRASH = scenario(Cause.APP_CRASH)
POLL = 0.1


@dataclass
class Watching:
    bot: Bot
    group: str
    store: Store
    followers: list[Follower]
    channels: dict[str, list[str]]

    def stop(self, case: Scenario, **fields: Any) -> None:
        """One task of the scenario's service stops now, and the archive receives it."""
        at = datetime.now(UTC)
        self.put(task_stopped(cluster=case.cluster, service=case.service, at=at, **fields))

    def put(self, *events: dict[str, Any]) -> None:
        write_events(boto3.client("logs"), self.group, events, stream=uuid.uuid4().hex)

    def follower(self, *, lease: float = 10.0) -> Follower:
        """A follower as `serve` makes one (under the bot's channel rules), polling fast and
        taking its causes from the archive alone."""
        settings = bot_settings(self.bot.slack).model_copy(
            update={"channels": self.channels, "events_log_group": self.group}
        )
        follower = make_follower(
            settings,
            self.bot.diagnoser.inner,
            self.store,
            make_client(settings),
            poll=POLL,
            lease=lease,
            diagnose=None,
        )
        self.followers.append(follower)
        return follower.start()


@contextmanager
def watching(
    slack: FakeSlack,
    emulator: EmulatorServer,
    store: Store | None = None,
    channels: dict[str, list[str]] | None = None,
    *,
    followers: int = 1,
) -> Iterator[Watching]:
    store = store or MemoryStore()
    group = f"/aws/events/ecs-why-{uuid.uuid4().hex[:8]}"
    boto3.client("logs").create_log_group(logGroupName=group)
    with running_bot(slack, emulator, store, channels) as bot:
        setup = Watching(bot, group, store, [], channels or {})
        for _ in range(followers):
            setup.follower()
        try:
            yield setup
        finally:
            for follower in setup.followers:
                follower.stop()


def cards(slack: FakeSlack, case: Scenario) -> list[Call]:
    label = f"{case.cluster}/{case.service}:"
    return slack.calls_to(
        "chat.postMessage", where=lambda c: label in c.body["text"] and "thread_ts" not in c.body
    )


def showing(slack: FakeSlack, case: Scenario, what: str, method: str = "chat.update") -> Call:
    """Waits for the first card post or update of the service whose text says `what`."""
    label = f"{case.cluster}/{case.service}:"
    (call, *_) = slack.wait_for(
        method, where=lambda c: label in c.body["text"] and what in c.body["text"]
    )
    return call


def watch(bot: Bot, target: str) -> dict[str, Any]:
    _, ack = slash(bot, f"watch {target}")
    return ack


@pytest.fixture
def one(slack: FakeSlack, demo_account: EmulatorServer) -> Iterator[Watching]:
    with watching(slack, demo_account) as setup:
        yield setup


def test_ten_stops_are_one_card_updated_to_ten_then_recovered(one: Watching) -> None:
    slack = one.bot.slack
    ack = watch(one.bot, f"{OOM.cluster}/*")
    assert ack["response_type"] == "in_channel"
    assert "now watches" in ack["text"]
    assert "memory" in ack["text"]  # said once: watches end with this process
    assert "memory" not in watch(one.bot, f"{OOM.cluster}/{CRASH.service}")["text"]
    one.stop(OOM, exit_code=137, reason=OOM_REASON, revision=7)
    first = showing(slack, OOM, "1 stop,", "chat.postMessage")
    assert first.body["channel"] == CHANNEL
    blocks = json.dumps(first.body["blocks"])
    assert "Incident" in blocks
    assert "out-of-memory" in blocks
    assert "Snooze 1 h" in blocks
    assert "Mute this cause" in blocks
    for n in range(2, 11):
        one.stop(OOM, exit_code=137, reason=OOM_REASON, revision=7)
        showing(slack, OOM, f"{n} stops")
    assert len(cards(slack, OOM)) == 1
    updates = slack.calls_to("chat.update")
    assert "10 stops" in updates[-1].body["text"]
    assert "same cause" in updates[-1].body["text"]
    # Another cause is another incident: a second card.
    one.stop(OOM, exit_code=1, revision=7)
    showing(slack, OOM, "app-crash", "chat.postMessage")
    assert len(cards(slack, OOM)) == 2
    one.put(service_action(cluster=OOM.cluster, service=OOM.service, at=datetime.now(UTC)))
    recovered = showing(slack, OOM, "RECOVERED")
    assert "Recovered" in json.dumps(recovered.body["blocks"])
    assert len(cards(slack, OOM)) == 2


def test_unwatch_stops_the_posts(one: Watching) -> None:
    slack = one.bot.slack
    watch(one.bot, f"{OOM.cluster}/{OOM.service}")
    watch(one.bot, f"{CRASH.cluster}/{CRASH.service}")
    _, ack = slash(one.bot, f"unwatch {OOM.cluster}/{OOM.service}")
    assert "no longer watches" in ack["text"]
    one.stop(OOM)
    one.stop(CRASH)
    showing(slack, CRASH, "1 stop", "chat.postMessage")  # the later event was handled…
    assert cards(slack, OOM) == []  # …so the earlier one was too, and posted nothing


def test_a_channel_without_permission_cannot_watch(
    slack: FakeSlack, demo_account: EmulatorServer
) -> None:
    with watching(slack, demo_account, channels={CHANNEL: ["staging:*"]}) as setup:
        ack = watch(setup.bot, f"{OOM.cluster}/{OOM.service}")
        assert ack["response_type"] == "ephemeral"
        assert "may not query" in ack["text"]
        unknown = watch(setup.bot, "prod:production/*")
        assert unknown["response_type"] == "ephemeral"
        assert "unknown account 'prod'" in unknown["text"]
        _, listing = slash(setup.bot, "watching")
        assert "watches nothing" in listing["text"]


def test_snooze_and_mute_are_shown_hold_and_can_be_undone(one: Watching) -> None:
    slack = one.bot.slack
    watch(one.bot, f"{OOM.cluster}/*")
    one.stop(OOM)
    card = showing(slack, OOM, "1 stop", "chat.postMessage")
    message = {"ts": "1700000001.000100", **card.body}
    url = slack.new_response_url()
    one.bot.http.signed(interaction(block_action(ACTION_SNOOZE, message, response_url=url)))
    (shown,) = slack.wait_for("response_url", where=lambda c: c.path in url)
    assert shown.body["replace_original"] is True
    assert "Snoozed until" in json.dumps(shown.body["blocks"])
    one.stop(OOM)
    one.stop(CRASH)
    showing(slack, CRASH, "1 stop", "chat.postMessage")
    assert slack.calls_to("chat.update") == []  # snoozed: the second stop changed no card

    _, listing = slash(one.bot, "watching")
    undo = next(b for b in listing["blocks"] if b.get("accessory"))
    assert "snoozed until" in undo["text"]["text"]
    click = block_action(ACTION_MUTE, message, response_url=url)
    click["actions"][0] |= {"action_id": ACTION_UNSILENCE, "value": undo["accessory"]["value"]}
    one.bot.http.signed(interaction(click))
    slack.wait_for("response_url", 2, where=lambda c: c.path in url)
    one.stop(OOM)
    showing(slack, OOM, "3 stops")  # the snooze is lifted: counted all along, shown again

    mute = slack.new_response_url()
    one.bot.http.signed(interaction(block_action(ACTION_MUTE, message, response_url=mute)))
    (muted,) = slack.wait_for("response_url", where=lambda c: c.path in mute)
    assert "is muted in this channel" in json.dumps(muted.body["blocks"])
    one.stop(OOM)  # the muted cause…
    one.stop(OOM, exit_code=137, reason=OOM_REASON)  # …and another cause of the same service
    showing(slack, OOM, "out-of-memory", "chat.postMessage")
    assert not any("4 stops" in c.body["text"] for c in slack.calls_to("chat.update"))


def test_a_deleted_card_is_posted_again(one: Watching) -> None:
    slack = one.bot.slack
    watch(one.bot, f"{OOM.cluster}/{OOM.service}")
    one.stop(OOM)
    showing(slack, OOM, "1 stop", "chat.postMessage")
    slack.fail("chat.update", error="message_not_found")
    one.stop(OOM)
    again = showing(slack, OOM, "2 stops", "chat.postMessage")
    assert again.body["channel"] == CHANNEL
    assert len(cards(slack, OOM)) == 2


def test_slack_down_during_an_update_is_retried_never_lost_nor_doubled(one: Watching) -> None:
    slack = one.bot.slack
    watch(one.bot, f"{OOM.cluster}/{OOM.service}")
    one.stop(OOM)
    showing(slack, OOM, "1 stop", "chat.postMessage")
    slack.fail("chat.update", status=503, error="service_unavailable", times=3)
    one.stop(OOM)
    slack.wait_for("chat.update", 4, where=lambda c: "2 stops" in c.body["text"])
    one.stop(OOM)
    showing(slack, OOM, "3 stops")
    assert len(cards(slack, OOM)) == 1
    assert len(slack.calls_to("chat.update", where=lambda c: "3 stops" in c.body["text"])) == 1


@pytest.fixture
def shared(own_redis: RedisServer) -> Store:
    return RedisStore(own_redis.url)


def test_two_replicas_post_one_card_and_one_update_per_event(
    slack: FakeSlack, demo_account: EmulatorServer, shared: Store
) -> None:
    with watching(slack, demo_account, shared, followers=2) as setup:
        watch(setup.bot, f"{OOM.cluster}/{OOM.service}")
        for n in range(1, 5):
            setup.stop(OOM)
            showing(slack, OOM, f"{n} stop", "chat.update" if n > 1 else "chat.postMessage")
        assert len(cards(slack, OOM)) == 1
        assert len(slack.calls_to("chat.update")) == 3


def test_a_replica_killed_holding_the_lease_is_taken_over_without_loss_or_double(
    slack: FakeSlack, demo_account: EmulatorServer, shared: Store
) -> None:
    with watching(slack, demo_account, shared, followers=0) as setup:
        first = setup.follower(lease=1.0)
        watch(setup.bot, f"{OOM.cluster}/{OOM.service}")
        setup.stop(OOM)
        showing(slack, OOM, "1 stop", "chat.postMessage")
        second = setup.follower(lease=1.0)
        first.stop(release=False)  # as a crash: the lease is left to lapse
        setup.stop(OOM)
        setup.stop(OOM)
        showing(slack, OOM, "3 stops")
        assert second.lease.hold()
        assert len(cards(slack, OOM)) == 1
        counts = [c.body["text"] for c in slack.calls_to("chat.update")]
        assert not any("1 stop," in text for text in counts)
        assert sum("3 stops" in text for text in counts) == 1


def shortcut_on(bot: Bot, text: str, ts: str, url: str) -> None:
    payload = {
        "type": "message_action",
        "callback_id": "diagnose_message",
        "trigger_id": f"{uuid.uuid4().int % 10**12}.fake",
        "response_url": url,
        "team": {"id": "T0FAKE", "domain": "fake"},
        "channel": {"id": CHANNEL, "name": "oncall"},
        "user": {"id": USER, "name": "alex"},
        "message_ts": ts,
        "message": {
            "type": "message",
            "ts": ts,
            "text": "",
            "attachments": [{"color": "danger", "text": text}],  # as AWS Chatbot posts alerts
        },
    }
    assert bot.http.signed(interaction(payload)).status == 200


def test_the_shortcut_answers_in_the_thread_for_a_task_arn_and_a_console_url(
    one: Watching,
) -> None:
    slack, task = one.bot.slack, stopped_task_arns(OOM)[0]
    shortcut_on(one.bot, f"ECS Task State Change: {task} STOPPED", "1700000100.1", "http://x/1")
    (card,) = slack.wait_for(
        "chat.postMessage", where=lambda c: c.body.get("thread_ts") == "1700000100.1"
    )
    assert "out-of-memory" in card.body["text"]
    url = (
        f"https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/{CRASH.cluster}/services/"
        f"{CRASH.service}/health?region=us-east-1"
    )
    shortcut_on(one.bot, f"<{url}|View in the console>", "1700000200.2", "http://x/2")
    (card,) = slack.wait_for(
        "chat.postMessage", where=lambda c: c.body.get("thread_ts") == "1700000200.2"
    )
    assert "app-crash" in card.body["text"]


def test_the_shortcut_on_a_message_without_a_target_answers_privately(one: Watching) -> None:
    url = one.bot.slack.new_response_url()
    shortcut_on(one.bot, "the deploy looks stuck, anyone?", "1700000300.3", url)
    (note,) = one.bot.slack.wait_for("response_url", where=lambda c: c.path in url)
    assert note.body["response_type"] == "ephemeral"
    assert note.body["text"] == NOTHING_FOUND
    assert one.bot.diagnoser.calls == []


def test_over_socket_mode_a_watch_gets_its_incident_card(
    slack: FakeSlack, demo_account: EmulatorServer
) -> None:
    settings = bot_settings(slack, socket_mode=True)
    store = MemoryStore()
    group = f"/aws/events/ecs-why-{uuid.uuid4().hex[:8]}"
    boto3.client("logs").create_log_group(logGroupName=group)
    settings = settings.model_copy(update={"events_log_group": group, "watch_poll": POLL})
    diagnoser = Diagnoser(settings, store)
    with ThreadPoolExecutor(settings.diagnosis_workers) as executor:
        app = build_app(settings, diagnoser, store, executor=executor)
        handler = SocketModeHandler(app, APP_TOKEN)
        handler.client.connect()
        follower = make_follower(settings, diagnoser, store, make_client(settings)).start()
        try:
            envelope = slack.socket.send(
                "slash_commands", slash_command(f"watch {OOM.cluster}/{OOM.service}", "http://x/")
            )
            assert "now watches" in slack.socket.wait_for_ack(envelope)["payload"]["text"]
            at = datetime.now(UTC)
            event = task_stopped(cluster=OOM.cluster, service=OOM.service, at=at)
            write_events(boto3.client("logs"), group, [event], stream="events")
            card = showing(slack, OOM, "1 stop", "chat.postMessage")
            assert card.body["channel"] == CHANNEL
        finally:
            follower.stop()
            handler.client.close()
    diagnoser.close()


def test_watch_once_prints_the_incidents_slack_got(one: Watching) -> None:
    slack = one.bot.slack
    watch(one.bot, f"{OOM.cluster}/*")
    for n in range(1, 4):
        one.stop(OOM, exit_code=137, reason=OOM_REASON)
        showing(slack, OOM, f"{n} stop", "chat.update" if n > 1 else "chat.postMessage")
    one.stop(CRASH)
    showing(slack, CRASH, "1 stop", "chat.postMessage")
    env = {**os.environ, "ECS_WHY_EVENTS_LOG_GROUP": one.group}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "watch", f"{OOM.cluster}/*", "--once", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    final: dict[str, dict[str, Any]] = {}
    for line in result.stdout.splitlines():
        update = json.loads(line)
        final[update["incident"]] = update
    printed = sorted(
        (u["target"]["service"], u["cause"]["code"], u["stops"]) for u in final.values()
    )
    posted = [(OOM.service, "out-of-memory", 3), (CRASH.service, "app-crash", 1)]
    assert printed == sorted(posted)
    last_texts = [c.body["text"] for c in slack.calls if c.method.startswith("chat.")]
    for service, cause, stops in posted:
        plural = "stop," if stops == 1 else "stops"
        assert any(
            f"/{service}:" in text and f"{stops} {plural}" in text and cause in text
            for text in last_texts
        )
