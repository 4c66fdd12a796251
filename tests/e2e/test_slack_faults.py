"""Slack misbehaving: rate limits are waited out and dropped connections retried; a used-up
response_url falls back to the Web API, a channel the bot is not in to the response_url; a post
that cannot be delivered at all is logged without breaking the bot."""

from __future__ import annotations

import json
import logging
import time

import pytest

from bot.model import Cause
from bot.render.blocks import ACTION_DETAILS, ACTION_RERUN
from tests.e2e.conftest import Bot, scenario
from tests.e2e.test_http_mode import card_for, click, mention
from tests.harness import CHANNEL, block_action, interaction

OOM = Cause.OUT_OF_MEMORY


def test_a_rate_limited_post_is_retried_after_retry_after(bot: Bot) -> None:
    case = scenario(OOM)
    bot.slack.fail("chat.postMessage", status=429, retry_after=1)
    mention(bot, f"<@U0ECSWHY> {case.cluster}/{case.service}", ts="1700000500.5")
    calls = bot.slack.wait_for("chat.postMessage", 2)
    assert calls[0].body == calls[1].body
    assert "`out-of-memory`" in json.dumps(calls[1].body["blocks"])


def test_a_dropped_connection_is_retried(bot: Bot) -> None:
    case = scenario(OOM)
    bot.slack.fail("chat.postMessage", disconnect=True)
    mention(bot, f"<@U0ECSWHY> {case.cluster}/{case.service}", ts="1700000550.5")
    calls = bot.slack.wait_for("chat.postMessage", 2)
    assert calls[0].body == calls[1].body


def test_a_used_up_response_url_falls_back_to_chat_update(bot: Bot) -> None:
    case = scenario(OOM)
    _, card = card_for(bot, f"{case.cluster}/{case.service}")
    shared = bot.slack.new_response_url()
    # Each re-run posts twice (the busy card, then the new one): the third click's new card is
    # the sixth post, which a response_url no longer takes.
    for n in range(3):
        clicked = {**card, "ts": f"1700000600.00000{n}"}
        payload = block_action(ACTION_RERUN, clicked, response_url=shared)
        assert bot.http.signed(interaction(payload)).status == 200
        if n < 2:
            bot.slack.wait_for("response_url", 2 * (n + 1), where=lambda c: c.path in shared)
    (update,) = bot.slack.wait_for("chat.update")
    assert (update.body["channel"], update.body["ts"]) == (CHANNEL, "1700000600.000002")
    assert "`out-of-memory`" in json.dumps(update.body["blocks"])
    assert len(bot.slack.responses(shared)) == 5


def test_when_the_bot_is_not_in_the_channel_thread_replies_go_through_the_response_url(
    bot: Bot,
) -> None:
    case = scenario(OOM)
    _, card = card_for(bot, f"{case.cluster}/{case.service}")
    bot.slack.fail("chat.postMessage", error="not_in_channel")
    url = click(bot, ACTION_DETAILS, card)
    (details,) = bot.slack.wait_for("response_url", where=lambda c: c.path in url)
    assert details.body["thread_ts"] == card["ts"]
    assert details.body["replace_original"] is False
    assert "Task definition" in json.dumps(details.body["blocks"])


def test_an_undeliverable_reply_is_logged_and_the_bot_carries_on(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    case = scenario(OOM)
    bot.slack.fail("chat.postMessage", error="channel_not_found")
    with caplog.at_level(logging.WARNING):
        mention(bot, f"<@U0ECSWHY> {case.cluster}/{case.service}", ts="1700000700.7")
        bot.slack.wait_for("chat.postMessage")
        deadline = time.monotonic() + 10
        while "could not deliver" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
    assert f"could not deliver a reply to {CHANNEL}" in caplog.text
    mention(bot, f"<@U0ECSWHY> {case.cluster}/{case.service}", ts="1700000800.8")
    bot.slack.wait_for(
        "chat.postMessage", where=lambda c: c.body.get("thread_ts") == "1700000800.8"
    )
