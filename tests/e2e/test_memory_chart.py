"""The memory chart reaches Slack: a raw `data_visualization` block in `chat.postMessage`, and
when Slack refuses it (`invalid_blocks`), the same card again with the chart told in words."""

from __future__ import annotations

import json

from bot.model import Cause
from tests.e2e.conftest import Bot, scenario
from tests.e2e.test_http_mode import mention, slash

CHART = "data_visualization"


def charts(blocks: list[dict[str, object]]) -> list[dict[str, object]]:
    return [block for block in blocks if block["type"] == CHART]


def assert_told_in_words(refused: list[dict[str, object]], sent: list[dict[str, object]]) -> None:
    """The card sent again is the refused one with its chart as a line of words: its title."""
    (chart,) = charts(refused)
    at = refused.index(chart)
    assert charts(sent) == []
    assert sent[:at] + sent[at + 1 :] == refused[:at] + refused[at + 1 :]
    assert sent[at]["type"] == "context"
    assert str(chart["title"]) in json.dumps(sent[at])


def test_an_out_of_memory_card_carries_its_memory_chart(bot: Bot) -> None:
    case = scenario(Cause.OUT_OF_MEMORY)
    mention(bot, f"<@U0ECSWHY> {case.cluster}/{case.service}", ts="1700000900.5")

    (post,) = bot.slack.wait_for("chat.postMessage")
    (chart,) = charts(post.body["blocks"])
    assert str(chart["title"]).startswith("Memory of the task: peak ")
    assert str(chart["title"]).endswith(" of 2048 MiB")
    body = chart["chart"]
    assert isinstance(body, dict)
    assert body["type"] == "line"
    used, limit = body["series"]
    assert [point["value"] for point in limit["data"]] == [2048] * len(limit["data"])
    assert max(point["value"] for point in used["data"]) > 0.9 * 2048
    assert "out-of-memory" in post.body["text"]  # the notification and fallback text
    # The chart stands for the Container Insights line on the card (Details keeps it).
    assert "Container Insights: task memory peaked at" not in json.dumps(post.body["blocks"])


def test_a_chart_slack_refuses_is_dropped_and_the_card_sent_again(bot: Bot) -> None:
    case = scenario(Cause.OUT_OF_MEMORY)
    bot.slack.fail("chat.postMessage", error="invalid_blocks")
    mention(bot, f"<@U0ECSWHY> {case.cluster}/{case.service}", ts="1700000950.5")

    refused, sent = bot.slack.wait_for("chat.postMessage", 2)
    assert_told_in_words(refused.body["blocks"], sent.body["blocks"])
    assert sent.body["text"] == refused.body["text"]


def test_a_response_url_that_refuses_the_chart_gets_the_card_without_it(bot: Bot) -> None:
    case = scenario(Cause.OUT_OF_MEMORY)
    bot.slack.fail("response_url", status=400, error="invalid_blocks")
    url, _ = slash(bot, f"{case.cluster}/{case.service}")

    refused, sent = bot.slack.wait_for("response_url", 2, where=lambda c: c.path in url)
    assert_told_in_words(refused.body["blocks"], sent.body["blocks"])
    assert bot.slack.calls_to("chat.postMessage") == []
