"""Socket Mode end to end: the app opens a WebSocket to a fake Socket Mode server (found through
the fake `apps.connections.open`), acknowledges each envelope and delivers the card; under the
faults HTTP mode is tested with: a disconnect asked for, a connection dropped, an envelope sent
again after a slow ack (to the same replica or another), each handled once."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest

from bot.cache import MemoryStore, RedisStore
from bot.demo.traffic import EmulatorServer
from bot.model import Cause
from bot.service import Diagnoser
from bot.slack.app import build_app
from bot.slack.socket_mode import PING_INTERVAL, OnceHandler
from tests.e2e.conftest import Recording, bot_settings, scenario
from tests.e2e.test_home_and_unfurls import console_url, event
from tests.fake_slack import APP_TOKEN, FakeSlack
from tests.harness import CHANNEL, USER, mention_event, slash_command

OOM = scenario(Cause.OUT_OF_MEMORY)


@pytest.fixture
def socket_bot(slack: FakeSlack, demo_account: EmulatorServer) -> Iterator[FakeSlack]:
    settings = bot_settings(slack, socket_mode=True)
    diagnoser = Diagnoser(settings, MemoryStore())
    with ThreadPoolExecutor(settings.diagnosis_workers) as executor:
        app = build_app(settings, diagnoser, MemoryStore(), executor=executor)
        handler = OnceHandler(app, APP_TOKEN, MemoryStore())
        handler.client.connect()
        try:
            yield slack
        finally:
            handler.client.close()
    diagnoser.close()


def test_a_slash_command_envelope_is_acked_and_the_card_delivered(socket_bot: FakeSlack) -> None:
    case = scenario(Cause.OUT_OF_MEMORY)
    (opened,) = socket_bot.calls_to("apps.connections.open")
    assert opened.token == APP_TOKEN
    url = socket_bot.new_response_url()
    envelope = socket_bot.socket.send(
        "slash_commands", slash_command(f"{case.cluster}/{case.service}", url)
    )
    ack = socket_bot.socket.wait_for_ack(envelope)
    assert ack["payload"]["response_type"] == "ephemeral"
    assert ack["payload"]["text"].startswith(":mag: Diagnosing")
    (card,) = socket_bot.wait_for("response_url", where=lambda c: c.path in url)
    assert card.body["response_type"] == "in_channel"
    assert "out-of-memory" in card.body["text"]


def test_a_mention_envelope_is_acked_and_answered_in_its_thread(socket_bot: FakeSlack) -> None:
    case = scenario(Cause.OUT_OF_MEMORY)
    event = mention_event(f"<@U0ECSWHY> {case.cluster}/{case.service}", ts="1700000900.9")
    envelope = socket_bot.socket.send("events_api", event)
    assert socket_bot.socket.wait_for_ack(envelope)["envelope_id"] == envelope
    (card,) = socket_bot.wait_for(
        "chat.postMessage", where=lambda c: c.body.get("thread_ts") == "1700000900.9"
    )
    assert "out-of-memory" in card.body["text"]


def test_an_envelope_sent_again_with_the_same_trigger_id_is_acked_and_dropped(
    slack: FakeSlack, demo_account: EmulatorServer
) -> None:
    settings = bot_settings(slack, socket_mode=True)
    recording = Recording(Diagnoser(settings, MemoryStore()))
    case = scenario(Cause.OUT_OF_MEMORY)
    with ThreadPoolExecutor(settings.diagnosis_workers) as executor:
        app = build_app(settings, recording, MemoryStore(), executor=executor)
        handler = OnceHandler(app, APP_TOKEN, MemoryStore())
        handler.client.connect()
        try:
            url = slack.new_response_url()
            command = slash_command(f"{case.cluster}/{case.service}", url)
            sent = [slack.socket.send("slash_commands", command) for _ in range(2)]
            acks = [slack.socket.wait_for_ack(envelope) for envelope in sent]
            # Either may be handled first; the other is acknowledged with nothing more.
            answered = [ack["payload"]["text"] for ack in acks if "payload" in ack]
            assert len(answered) == 1
            assert answered[0].startswith(":mag: Diagnosing")
            slack.wait_for("response_url", where=lambda c: c.path in url)
            assert len(recording.calls) == 1
        finally:
            handler.client.close()
    recording.inner.close()


def test_after_a_disconnect_the_app_reconnects_and_answers(socket_bot: FakeSlack) -> None:
    case = scenario(Cause.OUT_OF_MEMORY)
    socket_bot.socket.disconnect()
    socket_bot.wait_for("apps.connections.open", 2)
    event = mention_event(f"<@U0ECSWHY> {case.cluster}/{case.service}", ts="1700000901.9")
    envelope = socket_bot.socket.send("events_api", event)
    socket_bot.socket.wait_for_ack(envelope)
    socket_bot.wait_for(
        "chat.postMessage", where=lambda c: c.body.get("thread_ts") == "1700000901.9"
    )


def test_a_dropped_connection_is_replaced_and_an_envelope_sent_again_is_handled_once(
    socket_bot: FakeSlack,
) -> None:
    case = scenario(Cause.OUT_OF_MEMORY)
    url = socket_bot.new_response_url()
    command = slash_command(f"{case.cluster}/{case.service}", url)
    command.pop("trigger_id", None)  # only the envelope says it is the same
    sent = socket_bot.socket.send("slash_commands", command)
    socket_bot.socket.wait_for_ack(sent)
    socket_bot.socket.drop()  # as if the ack was lost with the connection: Slack sends it again
    socket_bot.wait_for("apps.connections.open", 2, timeout=7 * PING_INTERVAL + 10)
    socket_bot.socket.send("slash_commands", command, envelope_id=sent, retry=1)
    acks = [m for m in socket_bot.socket.received if m.get("envelope_id") == sent]
    deadline = time.monotonic() + 10
    while len(acks) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
        acks = [m for m in socket_bot.socket.received if m.get("envelope_id") == sent]
    assert len(acks) == 2
    assert "payload" not in acks[1]  # acknowledged, not handled
    (card,) = socket_bot.wait_for("response_url", where=lambda c: c.path in url)
    assert "out-of-memory" in card.body["text"]
    time.sleep(1)
    assert len(socket_bot.calls_to("response_url", where=lambda c: c.path in url)) == 1


def test_an_event_sent_again_to_another_replica_after_a_slow_ack_is_handled_once(
    slack: FakeSlack, demo_account: EmulatorServer, redis_url: str
) -> None:
    """Slack sends an envelope it got no ack for in time again, to any connection of the app;
    an event none of whose envelopes was acknowledged comes again under a new envelope."""
    settings = bot_settings(slack, socket_mode=True)
    store = RedisStore(redis_url)
    with ExitStack() as stack:
        for replica in range(2):
            executor = stack.enter_context(ThreadPoolExecutor(settings.diagnosis_workers))
            diagnoser = Diagnoser(settings, store)
            stack.callback(diagnoser.close)
            app = build_app(settings, diagnoser, store, executor=executor)
            handler = OnceHandler(app, APP_TOKEN, store)
            handler.client.connect()
            stack.callback(handler.client.close)
            slack.socket.wait_for_connections(replica + 1)
        link = {"url": console_url(OOM.cluster, OOM.service), "domain": "console.aws.amazon.com"}
        shared = {
            "type": "link_shared",
            "channel": CHANNEL,
            "user": USER,
            "message_ts": "1700000500.000100",
            "links": [link],
        }
        body = json.loads(event(shared))
        first = slack.socket.send("events_api", body, to=0)
        slack.socket.send("events_api", body, to=1, envelope_id=first, retry=1)
        third = slack.socket.send("events_api", body, to=1, retry=2)
        slack.socket.wait_for_ack(third)
        assert len([m for m in slack.socket.received if m.get("envelope_id") == first]) >= 1
        slack.wait_for("chat.unfurl")
        time.sleep(1)
        assert len(slack.calls_to("chat.unfurl")) == 1
