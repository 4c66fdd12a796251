"""HTTP mode end to end: Slack's signed requests reach the real app over HTTP, and what the bot
says comes back to a fake Slack Web API; the diagnoses are real, made against the emulator."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from bot.model import Cause
from bot.render.blocks import ACTION_CONSOLE, ACTION_DETAILS, ACTION_LOGS, ACTION_RERUN
from tests.e2e.conftest import Bot, plant_log_lines, scenario, stopped_task_arns
from tests.fake_slack import Call
from tests.harness import (
    CHANNEL,
    block_action,
    form,
    interaction,
    mention_event,
    sign,
    slash_command,
)

OOM = Cause.OUT_OF_MEMORY
PLANTED = "boot failed: DB_PASSWORD=hunter2-planted and key AKIAIOSFODNN7EXAMPLE"


def text_of(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def slash(bot: Bot, text: str) -> tuple[str, dict[str, Any]]:
    """Sends a signed /ecs-why; returns its response_url and the acknowledgement."""
    url = bot.slack.new_response_url()
    response = bot.http.signed(form(slash_command(text, url)))
    assert response.status == 200
    return url, response.json()


def card_for(bot: Bot, text: str) -> tuple[str, dict[str, Any]]:
    """The card a slash command delivers, as the message Slack would then hold."""
    url, _ = slash(bot, text)
    (call,) = bot.slack.wait_for("response_url", where=lambda c: c.path in url)
    return url, {**call.body, "ts": "1700000000.000001"}


def click(bot: Bot, action_id: str, card: dict[str, Any]) -> str:
    """Clicks a button of `card`; returns the click's own response_url."""
    url = bot.slack.new_response_url()
    response = bot.http.signed(interaction(block_action(action_id, card, response_url=url)))
    assert response.status == 200
    return url


# --------------------------------------------------------------------------- /ecs-why


def test_a_signed_slash_command_is_acked_at_once_and_the_card_names_the_cause(bot: Bot) -> None:
    case = scenario(OOM)
    url, ack = slash(bot, f"{case.cluster}/{case.service}")
    assert ack["response_type"] == "ephemeral"
    assert ack["text"].startswith(":mag: Diagnosing")
    (call,) = bot.slack.wait_for("response_url", where=lambda c: c.path in url)
    card = call.body
    assert card["response_type"] == "in_channel"
    assert card["text"].startswith(f"{case.cluster}/{case.service} is down: out-of-memory")
    assert "`out-of-memory`" in text_of(card["blocks"])
    assert case.evidence in text_of(card["blocks"])


def test_the_ack_comes_before_the_diagnosis_is_done(bot: Bot) -> None:
    case = scenario(OOM)
    before = bot.emulator.traffic.total()
    url, _ = slash(bot, f"{case.cluster}/{case.service}")
    # The HTTP answer is back; the card (and most AWS calls) follow.
    assert not bot.slack.responses(url)
    bot.slack.wait_for("response_url", where=lambda c: c.path in url)
    assert bot.emulator.traffic.total() > before


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(lambda body: {}, id="unsigned"),
        pytest.param(lambda body: sign(body + "&text=other"), id="tampered"),
        pytest.param(lambda body: sign(body, timestamp=int(time.time()) - 301), id="stale"),
        pytest.param(lambda body: sign(body, secret="not-the-secret"), id="wrong-secret"),
    ],
)
def test_requests_not_signed_by_slack_get_401_and_run_nothing(bot: Bot, headers: Any) -> None:
    case = scenario(OOM)
    body = form(slash_command(f"{case.cluster}/{case.service}", bot.slack.new_response_url()))
    before = bot.emulator.traffic.total()
    response = bot.http.request(body, headers=headers(body))
    assert response.status == 401
    bot.settle()
    assert bot.slack.calls == []
    assert bot.diagnoser.calls == []
    assert bot.emulator.traffic.total() == before


@pytest.mark.parametrize("text", ["", "help", "  HELP ", "not a/valid/target", "arn:aws:s3:::b"])
def test_help_and_bad_targets_get_private_usage_at_once(bot: Bot, text: str) -> None:
    _, ack = slash(bot, text)
    assert ack["response_type"] == "ephemeral"
    assert "/ecs-why api-service" in ack["text"]
    if text.strip().lower() not in ("", "help"):
        assert ack["text"].startswith(":warning:")
    bot.settle()
    assert bot.diagnoser.calls == []
    assert bot.slack.calls_to("response_url") == []


def test_an_unknown_service_gets_a_friendly_private_answer(bot: Bot) -> None:
    url, _ = slash(bot, "no-such-service")
    (call,) = bot.slack.wait_for("response_url", where=lambda c: c.path in url)
    assert call.body["response_type"] == "ephemeral"
    assert call.body["text"].startswith(":mag:")
    assert "no-such-service" in call.body["text"]


def test_unreachable_aws_gets_a_friendly_private_answer(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    url, _ = slash(bot, "api-service")
    (call,) = bot.slack.wait_for("response_url", where=lambda c: c.path in url, timeout=90)
    assert call.body["response_type"] == "ephemeral"
    assert call.body["text"].startswith(":cloud: I could not reach AWS to diagnose `api-service`")


def test_health_and_unknown_paths(bot: Bot) -> None:
    health = bot.http.request("", method="GET", path="/healthz")
    assert (health.status, health.body) == (200, "ok")
    assert bot.http.request("", method="GET", path="/").status == 404
    assert bot.http.request("", method="GET", path="/slack/events").status == 404
    assert bot.http.request("x", path="/other").status == 404


# --------------------------------------------------------------------------- mentions


def mention(bot: Bot, text: str, *, ts: str, thread_ts: str | None = None) -> None:
    body = json.dumps(mention_event(text, ts=ts, thread_ts=thread_ts))
    response = bot.http.signed(body, content_type="application/json")
    assert response.status == 200


def posts_in(bot: Bot, thread: str, count: int = 1) -> list[Call]:
    return bot.slack.wait_for(
        "chat.postMessage", count, where=lambda c: c.body.get("thread_ts") == thread
    )


def test_a_mention_with_a_task_arn_gets_a_card_in_a_new_thread(bot: Bot) -> None:
    case = scenario(OOM)
    task_arn = stopped_task_arns(case)[0]
    mention(bot, f"<@U0ECSWHY> why did {task_arn} stop?", ts="1700000100.000100")
    (call,) = posts_in(bot, "1700000100.000100")
    assert call.body["channel"] == CHANNEL
    assert call.token is not None
    assert "`out-of-memory`" in text_of(call.body["blocks"])
    assert task_arn.rsplit("/", 1)[-1] in text_of(call.body["blocks"])


def test_a_mention_inside_a_thread_answers_in_that_thread(bot: Bot) -> None:
    case = scenario(OOM)
    mention(
        bot,
        f"<@U0ECSWHY> {case.cluster}/{case.service}",
        ts="1700000200.2",
        thread_ts="1700000200.1",
    )
    (call,) = posts_in(bot, "1700000200.1")
    assert "`out-of-memory`" in text_of(call.body["blocks"])


def test_several_task_arns_get_one_card_each(bot: Bot) -> None:
    arns = stopped_task_arns(scenario(OOM))[:2]
    assert len(arns) == 2
    mention(bot, f"<@U0ECSWHY> {arns[0]} and {arns[1]}", ts="1700000300.3")
    calls = posts_in(bot, "1700000300.3", count=2)
    ids = {arn.rsplit("/", 1)[-1] for arn in arns}
    assert {i for i in ids for c in calls if i in text_of(c.body["blocks"])} == ids


def test_a_mention_without_a_target_gets_usage_in_its_thread(bot: Bot) -> None:
    mention(bot, "<@U0ECSWHY> why is everything broken", ts="1700000400.4")
    (call,) = posts_in(bot, "1700000400.4")
    assert "task ARN" in call.body["text"]
    assert bot.diagnoser.calls == []


# --------------------------------------------------------------------------- buttons


def test_fetch_logs_posts_the_redacted_last_lines_in_the_card_thread(bot: Bot) -> None:
    case = scenario(OOM)
    plant_log_lines(case, [PLANTED])
    _, card = card_for(bot, f"{case.cluster}/{case.service}")
    click(bot, ACTION_LOGS, card)
    (call,) = posts_in(bot, card["ts"])
    logs = text_of(call.body["blocks"])
    assert "boot failed: DB_PASSWORD=[REDACTED]" in logs
    assert "hunter2-planted" not in logs
    assert "AKIAIOSFODNN7EXAMPLE" not in logs
    assert "```" in logs


def test_long_logs_are_uploaded_as_a_file_in_the_card_thread(bot: Bot) -> None:
    case = scenario(Cause.APP_CRASH)
    lines = [f"line {n}: {'x' * 150} token=ghp_{'a' * 36}" for n in range(60)]
    plant_log_lines(case, lines)
    _, card = card_for(bot, f"{case.cluster}/{case.service}")
    click(bot, ACTION_LOGS, card)
    (done,) = bot.slack.wait_for("files.completeUploadExternal")
    assert done.body["channel_id"] == CHANNEL
    assert done.body["thread_ts"] == card["ts"]
    (upload,) = bot.slack.calls_to("upload")
    assert "line 59:" in upload.body["content"]
    assert "ghp_aaaa" not in upload.body["content"]


def test_rerun_diagnoses_afresh_and_replaces_the_card_in_place(bot: Bot) -> None:
    case = scenario(OOM)
    _, card = card_for(bot, f"{case.cluster}/{case.service}")
    url = click(bot, ACTION_RERUN, card)
    busy, fresh = [
        c.body for c in bot.slack.wait_for("response_url", 2, where=lambda c: c.path in url)
    ]
    assert busy["replace_original"] is True
    assert "Re-running" in text_of(busy["blocks"])
    assert not any(b["type"] == "actions" for b in busy["blocks"])
    assert fresh["replace_original"] is True
    assert "`out-of-memory`" in text_of(fresh["blocks"])
    assert "Diagnosed again: no change since" in text_of(fresh["blocks"])  # the earlier verdict
    assert any(b["type"] == "actions" for b in fresh["blocks"])
    assert bot.diagnoser.calls[-1][1] is True  # fresh=True: the cache was bypassed


def test_details_show_each_step_and_the_task_definition_in_the_thread(bot: Bot) -> None:
    case = scenario(OOM)
    _, card = card_for(bot, f"{case.cluster}/{case.service}")
    click(bot, ACTION_DETAILS, card)
    (call,) = posts_in(bot, card["ts"])
    details = text_of(call.body["blocks"])
    for step in (
        "stopped-reason",
        "exit-code",
        "health-check",
        "Task definition",
        "execution role",
    ):
        assert step in details


def test_the_console_button_needs_only_an_ack(bot: Bot) -> None:
    case = scenario(OOM)
    _, card = card_for(bot, f"{case.cluster}/{case.service}")
    calls = len(bot.diagnoser.calls)
    url = click(bot, ACTION_CONSOLE, card)
    bot.settle()
    assert len(bot.diagnoser.calls) == calls
    assert bot.slack.responses(url) == []


def test_a_double_click_is_handled_once(bot: Bot) -> None:
    case = scenario(OOM)
    _, card = card_for(bot, f"{case.cluster}/{case.service}")
    calls = len(bot.diagnoser.calls)
    click(bot, ACTION_DETAILS, card)
    click(bot, ACTION_DETAILS, card)
    bot.settle()
    assert len(bot.diagnoser.calls) == calls + 1
    (details,) = bot.slack.calls_to("chat.postMessage")
    assert details.body["thread_ts"] == card["ts"]
