"""Channel permissions through the real HTTP endpoint: a refused channel gets a polite answer
that says whom to ask, and AWS is never asked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.demo.traffic import EmulatorServer
from bot.model import Cause
from tests.e2e.conftest import Bot, running_bot, scenario
from tests.e2e.test_http_mode import mention, posts_in, slash, text_of
from tests.fake_slack import FakeSlack
from tests.harness import CHANNEL

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
