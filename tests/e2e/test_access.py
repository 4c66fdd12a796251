"""Channel permissions through the real HTTP endpoint: a refused channel gets a polite answer
that says whom to ask, and AWS is never asked, whichever way it asks (CONTRACT §3's entry
points: the command, a mention, the message shortcut, a card's buttons, `/ecs-why watch`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.demo.traffic import EmulatorServer
from bot.model import Cause
from bot.render.blocks import ACTION_DETAILS, ACTION_LOGS, ACTION_RERUN
from tests.e2e.conftest import Bot, running_bot, scenario
from tests.e2e.test_http_mode import card_for, mention, posts_in, slash, text_of
from tests.e2e.test_watches import shortcut_on
from tests.fake_slack import FakeSlack
from tests.harness import CHANNEL, block_action, interaction

OOM = scenario(Cause.OUT_OF_MEMORY)
RULES = {CHANNEL: ["production"], "C0STAGING": ["staging:*"]}


@pytest.fixture
def guarded(slack: FakeSlack, demo_account: EmulatorServer) -> Iterator[Bot]:
    with running_bot(slack, demo_account, channels=RULES) as running:
        yield running


def test_an_allowed_cluster_gets_its_card(guarded: Bot) -> None:
    url, ack = slash(guarded, f"{OOM.cluster}/{OOM.service}")
    assert ack["text"].startswith(":mag: Diagnosing")
    (call,) = guarded.slack.wait_for("response_url", where=lambda c: c.path in url)
    assert "`out-of-memory`" in text_of(call.body["blocks"])


@pytest.mark.parametrize(
    "text", ["legacy-ec2/legacy-nginx", "staging:production/api", "prod:production/api"]
)
def test_a_cluster_or_account_the_channel_may_not_query_is_refused(guarded: Bot, text: str) -> None:
    before = guarded.emulator.traffic.total()
    _, ack = slash(guarded, text)
    assert ack["response_type"] == "ephemeral"
    assert "may not query" in ack["text"]
    assert "`production`" in ack["text"]  # what it may query
    assert "platform team" in ack["text"]  # whom to ask
    assert guarded.diagnoser.calls == []
    assert guarded.emulator.traffic.total() == before


def test_a_restricted_channel_must_name_the_cluster(guarded: Bot) -> None:
    _, ack = slash(guarded, OOM.service)
    assert f"`production/{OOM.service}`" in ack["text"]
    assert guarded.diagnoser.calls == []


def test_a_mention_in_a_refused_channel_is_answered_in_its_thread(
    slack: FakeSlack, demo_account: EmulatorServer
) -> None:
    with running_bot(slack, demo_account, channels={"C0OTHER": ["*"]}) as bot:
        before = bot.emulator.traffic.total()
        mention(bot, f"<@U0ECSWHY> {OOM.cluster}/{OOM.service}", ts="1700000900.9")
        (call,) = posts_in(bot, "1700000900.9")
        assert "may not query" in call.body["text"]
        assert bot.diagnoser.calls == []
        assert bot.emulator.traffic.total() == before


LEGACY = "legacy-ec2/legacy-nginx"  # a cluster CHANNEL may not query


def refused(bot: Bot, text: str) -> None:
    """`text` is a refusal that says what the channel may query and whom to ask, and nothing
    was read from AWS (counted where the requests arrive: at the emulator)."""
    bot.settle()
    assert "may not query" in text
    assert "platform team" in text
    assert bot.diagnoser.calls == []
    assert bot.emulator.traffic.total() == 0


def test_the_message_shortcut_in_a_refused_channel_reads_nothing(guarded: Bot) -> None:
    guarded.emulator.traffic.reset()
    url = guarded.slack.new_response_url()
    arn = f"arn:aws:ecs:us-east-1:123456789012:service/{LEGACY}"
    shortcut_on(guarded, f"ECS Service Action: {arn} unhealthy", "1700000910.1", url)
    (note,) = guarded.slack.wait_for("response_url", where=lambda c: c.path in url)
    assert note.body["response_type"] == "ephemeral"
    refused(guarded, note.body["text"])


@pytest.mark.parametrize("action_id", [ACTION_LOGS, ACTION_RERUN, ACTION_DETAILS])
def test_a_cards_buttons_in_a_channel_that_may_not_query_it_read_nothing(
    guarded: Bot, action_id: str
) -> None:
    _, card = card_for(guarded, f"{OOM.cluster}/{OOM.service}")  # allowed in CHANNEL
    guarded.diagnoser.calls.clear()
    guarded.emulator.traffic.reset()
    url = guarded.slack.new_response_url()
    click = block_action(action_id, card, response_url=url)
    click["container"]["channel_id"] = click["channel"]["id"] = "C0STAGING"  # shared there
    assert guarded.http.signed(interaction(click)).status == 200
    *_, note = guarded.slack.wait_for(
        "response_url", where=lambda c: c.path in url and "may not query" in c.body["text"]
    )
    assert note.body["response_type"] == "ephemeral"
    refused(guarded, note.body["text"])


def test_watching_a_cluster_the_channel_may_not_query_is_refused_and_reads_nothing(
    guarded: Bot,
) -> None:
    guarded.emulator.traffic.reset()
    _, ack = slash(guarded, "watch legacy-ec2/*")
    assert ack["response_type"] == "ephemeral"
    refused(guarded, ack["text"])
    _, listing = slash(guarded, "watching")
    assert "watches nothing yet" in listing["text"]
