"""The memory chart reaches Slack: a raw `data_visualization` block in `chat.postMessage`, and
when Slack refuses it (`invalid_blocks`), the same card again without it."""

from __future__ import annotations

import json

from bot.model import Cause
from tests.e2e.conftest import Bot, scenario
from tests.e2e.test_http_mode import mention, slash

CHART = "data_visualization"


def charts(blocks: list[dict[str, object]]) -> list[dict[str, object]]:
    return [block for block in blocks if block["type"] == CHART]


def test_an_out_of_memory_card_carries_its_memory_chart(bot: Bot) -> None:
    case = scenario(Cause.OUT_OF_MEMORY)
    mention(bot, f"<@U0ECSWHY> {case.cluster}/{case.service}", ts="1700000900.5")

    (post,) = bot.slack.wait_for("chat.postMessage")
    (chart,) = charts(post.body["blocks"])
    assert chart["title"] == "Memory of the task before the stop"
    body = chart["chart"]
    assert isinstance(body, dict)
    assert body["type"] == "line"
    used, limit = body["series"]
    assert [point["value"] for point in limit["data"]] == [2048] * len(limit["data"])
    assert max(point["value"] for point in used["data"]) > 0.9 * 2048
    assert "out-of-memory" in post.body["text"]  # the notification and fallback text
    words = json.dumps(post.body["blocks"])
    assert "Container Insights: task memory peaked at" in words  # the chart in words too


def test_a_chart_slack_refuses_is_dropped_and_the_card_sent_again(bot: Bot) -> None:
    case = scenario(Cause.OUT_OF_MEMORY)
    bot.slack.fail("chat.postMessage", error="invalid_blocks")
    mention(bot, f"<@U0ECSWHY> {case.cluster}/{case.service}", ts="1700000950.5")

    refused, sent = bot.slack.wait_for("chat.postMessage", 2)
    assert len(charts(refused.body["blocks"])) == 1
    assert charts(sent.body["blocks"]) == []
    assert sent.body["blocks"] == [b for b in refused.body["blocks"] if b["type"] != CHART]
    assert sent.body["text"] == refused.body["text"]


def test_a_response_url_that_refuses_the_chart_gets_the_card_without_it(bot: Bot) -> None:
    case = scenario(Cause.OUT_OF_MEMORY)
    bot.slack.fail("response_url", status=400, error="invalid_blocks")
    url, _ = slash(bot, f"{case.cluster}/{case.service}")

    refused, sent = bot.slack.wait_for("response_url", 2, where=lambda c: c.path in url)
    assert len(charts(refused.body["blocks"])) == 1
    assert sent.body["blocks"] == [b for b in refused.body["blocks"] if b["type"] != CHART]
    assert bot.slack.calls_to("chat.postMessage") == []
