"""Socket Mode end to end: the app opens a WebSocket to a fake Socket Mode server (found through
the fake `apps.connections.open`), acknowledges each envelope and delivers the card."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.cache import MemoryStore
from bot.demo.traffic import EmulatorServer
from bot.model import Cause
from bot.service import Diagnoser
from bot.slack.app import build_app
from tests.e2e.conftest import Recording, bot_settings, scenario
from tests.fake_slack import APP_TOKEN, FakeSlack
from tests.harness import mention_event, slash_command


@pytest.fixture
def socket_bot(slack: FakeSlack, demo_account: EmulatorServer) -> Iterator[FakeSlack]:
    settings = bot_settings(slack, socket_mode=True)
    diagnoser = Diagnoser(settings, MemoryStore())
    with ThreadPoolExecutor(settings.diagnosis_workers) as executor:
        app = build_app(settings, diagnoser, MemoryStore(), executor=executor)
        handler = SocketModeHandler(app, APP_TOKEN)
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
        handler = SocketModeHandler(app, APP_TOKEN)
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
