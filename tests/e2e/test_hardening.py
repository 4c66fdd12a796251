"""What an attacker with a Slack seat, or with a captured request, can do: through the real HTTP
endpoint (and Socket Mode for replays), against the demo account in the emulator.

Replays, a channel's boundary, an ARN's account, malformed requests, foreign response_urls,
mentions hidden in AWS data, and bursts past the rate limit."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any

import pytest
from moto.ecs.models import ecs_backends

from bot.cache import RedisStore
from bot.demo.traffic import EmulatorServer
from bot.model import Cause
from bot.render.blocks import ACTION_DETAILS
from bot.settings import Account
from tests.e2e.conftest import Bot, running_bot, scenario
from tests.e2e.test_http_mode import card_for, click, slash, text_of
from tests.fake_slack import FakeSlack
from tests.harness import (
    CHANNEL,
    SIGNING_SECRET,
    USER,
    block_action,
    form,
    interaction,
    sign,
    slash_command,
)

OOM = scenario(Cause.OUT_OF_MEMORY)
OWN_ACCOUNT_ID = "123456789012"  # moto's
CLUSTERS = ("production", "staging", "legacy-ec2")  # clusters of the demo account
# Seconds a Redis call may take before the store falls back to memory (0.5 by default): on a
# loaded machine a replica would otherwise count on its own, and the test would not share.
REDIS_PATIENCE = 5.0


class Lines(logging.Handler):
    """Every record logged meanwhile, from any logger."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def tracebacks(self) -> list[str]:
        return [r.getMessage() for r in self.records if r.exc_info]


@pytest.fixture
def lines() -> Iterator[Lines]:
    handler = Lines()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


# --------------------------------------------------------------------------- 3. replays


def test_a_slash_command_replayed_five_times_gives_one_card(bot: Bot) -> None:
    url = bot.slack.new_response_url()
    body = form(slash_command(f"{OOM.cluster}/{OOM.service}", url))
    headers = sign(body)
    answers = [bot.http.request(body, headers=headers) for _ in range(6)]
    assert [a.status for a in answers] == [200] * 6
    assert answers[0].json()["text"].startswith(":mag: Diagnosing")
    assert [a.body for a in answers[1:]] == [""] * 5  # acknowledged, and nothing more
    (card,) = bot.slack.wait_for("response_url", where=lambda c: c.path in url)
    assert "`out-of-memory`" in text_of(card.body["blocks"])
    assert len(bot.diagnoser.calls) == 1


def test_a_command_re_signed_later_with_the_same_trigger_id_is_dropped(bot: Bot) -> None:
    # As if the signature check were passed some other way: the trigger id is Slack's own.
    url = bot.slack.new_response_url()
    fields = slash_command(f"{OOM.cluster}/{OOM.service}", url)
    first = bot.http.signed(form(fields))
    again = bot.http.signed(form({**fields, "text": OOM.service}))
    assert first.json()["text"].startswith(":mag: Diagnosing")
    assert again.body == ""
    bot.slack.wait_for("response_url", where=lambda c: c.path in url)
    assert len(bot.diagnoser.calls) == 1


def test_a_replayed_button_click_starts_no_second_diagnosis(bot: Bot) -> None:
    _, card = card_for(bot, f"{OOM.cluster}/{OOM.service}")
    url = bot.slack.new_response_url()
    body = interaction(block_action(ACTION_DETAILS, card, response_url=url))
    headers = sign(body)
    assert [bot.http.request(body, headers=headers).status for _ in range(3)] == [200] * 3
    bot.slack.wait_for("chat.postMessage", where=lambda c: c.body.get("thread_ts") == card["ts"])
    assert len(bot.diagnoser.calls) == 2  # the card's, and the click's once


def test_a_replay_to_another_replica_is_dropped(
    slack: FakeSlack, demo_account: EmulatorServer, redis_url: str
) -> None:
    with ExitStack() as stack:
        replicas = [
            stack.enter_context(
                running_bot(slack, demo_account, RedisStore(redis_url, timeout=REDIS_PATIENCE))
            )
            for _ in range(2)
        ]
        url = slack.new_response_url()
        body = form(slash_command(f"{OOM.cluster}/{OOM.service}", url))
        headers = sign(body)
        answers = [bot.http.request(body, headers=headers) for bot in replicas * 2]
        assert [a.body != "" for a in answers] == [True, False, False, False]
        slack.wait_for("response_url", where=lambda c: c.path in url)
        assert sum(len(bot.diagnoser.calls) for bot in replicas) == 1


# --------------------------------------------------------------------------- 4. the boundary


@pytest.mark.parametrize(
    ("rules", "visible"),
    [(["ledger-*"], ()), (["ledger-*", "production"], ("production",))],
)
def test_a_refusal_never_lists_clusters_the_channel_may_not_see(
    slack: FakeSlack, demo_account: EmulatorServer, rules: list[str], visible: tuple[str, ...]
) -> None:
    with running_bot(slack, demo_account, channels={CHANNEL: rules}) as bot:
        url, ack = slash(bot, "ledger-payments/api")
        assert ack["text"].startswith(":mag: Diagnosing")
        (answer,) = bot.slack.wait_for("response_url", where=lambda c: c.path in url)
        text = answer.body["text"]
        assert "no cluster named ledger-payments" in text
        for cluster in CLUSTERS:
            assert (cluster in text) == (cluster in visible), text
        # A service name alone would be looked up in every cluster: refused before AWS.
        before = bot.emulator.traffic.total()
        _, ack = slash(bot, OOM.service)
        assert "name the cluster too" in ack["text"]
        assert not any(cluster in ack["text"] for cluster in CLUSTERS if cluster not in visible)
        assert bot.emulator.traffic.total() == before


# --------------------------------------------------------------------------- 5. an ARN's account


def test_an_arn_of_an_account_the_bot_does_not_read_is_refused_without_an_aws_call(
    bot: Bot,
) -> None:
    arn = f"arn:aws:ecs:us-east-1:{OWN_ACCOUNT_ID}:service/{OOM.cluster}/{OOM.service}"
    _, card = card_for(bot, arn)  # the bot's own account: a card, and its id is known now
    assert "`out-of-memory`" in text_of(card["blocks"])
    before = bot.emulator.traffic.total()
    url, _ = slash(bot, arn.replace(OWN_ACCOUNT_ID, "999999999999"))
    (answer,) = bot.slack.wait_for("response_url", where=lambda c: c.path in url)
    assert answer.body["response_type"] == "ephemeral"
    assert answer.body["text"].startswith(":mag: the ARN names AWS account 999999999999")
    assert "blocks" not in answer.body
    assert bot.emulator.traffic.total() == before


def test_an_arn_of_a_configured_account_is_read_there_and_judged_by_its_rules(
    slack: FakeSlack, demo_account: EmulatorServer
) -> None:
    role = f"arn:aws:iam::{OWN_ACCOUNT_ID}:role/ecs-why-reader"
    accounts = {"prod": Account(role_arn=role)}
    arn = f"arn:aws:ecs:us-east-1:{OWN_ACCOUNT_ID}:service/{OOM.cluster}/{OOM.service}"
    with running_bot(
        slack, demo_account, channels={CHANNEL: ["production"]}, accounts=accounts
    ) as bot:
        _, ack = slash(bot, arn)  # the id is prod's: this channel may query only its own
        assert "may not query `prod:production/" in ack["text"]
    with running_bot(slack, demo_account, channels={CHANNEL: ["prod:*"]}, accounts=accounts) as bot:
        _, card = card_for(bot, arn)
        assert card["text"].startswith(f"prod:{OOM.cluster}/{OOM.service} is down")


# --------------------------------------------------------------------------- 6. malformed


def deep_json(depth: int) -> str:
    return '{"type": "block_actions", "actions": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize(
    ("body", "content_type", "stamp", "status"),
    [
        pytest.param("text=x", "form", "not-a-number", 401, id="timestamp-not-a-number"),
        pytest.param("text=x", "form", "1700²", 401, id="timestamp-unicode-digits"),
        pytest.param("text=x", "form", "", 401, id="timestamp-empty"),
        pytest.param(deep_json(10_000), "json", None, 401, id="deep-json-unsigned"),
        pytest.param(deep_json(10_000), "json", "now", 400, id="deep-json-signed"),
        pytest.param(
            "payload=" + "%5B" * 5000 + "%5D" * 5000, "form", "now", 400, id="deep-payload-signed"
        ),
        pytest.param("&" * (1 << 19), "form", None, 401, id="half-a-mebibyte-of-ampersands"),
        pytest.param(
            interaction({"type": "view_submission", "view": "not an object"}),
            "form",
            "now",
            404,
            id="view-submission-view-a-string",
        ),
        pytest.param(
            interaction({"type": "view_submission", "view": {"callback_id": 5, "type": []}}),
            "form",
            "now",
            404,
            id="view-submission-odd-view",
        ),
        pytest.param(
            interaction({"type": "interactive_message", "actions": [{"name": 1}]}),
            "form",
            "now",
            404,
            id="interactive-message-without-callback",
        ),
        pytest.param(
            interaction({"type": "block_actions", "actions": [{"action_id": ["ecs_why_logs"]}]}),
            "form",
            "now",
            404,
            id="block-actions-odd-action-id",
        ),
    ],
)
def test_malformed_requests_are_a_4xx_with_one_log_line_and_no_traceback(
    bot: Bot, lines: Lines, body: str, content_type: str, stamp: str | None, status: int
) -> None:
    kind = "application/json" if content_type == "json" else "application/x-www-form-urlencoded"
    if stamp == "now":
        headers = sign(body)
    else:
        headers = {"X-Slack-Request-Timestamp": stamp or "", "X-Slack-Signature": "v0=" + "0" * 64}
    response = bot.http.request(body, headers=headers, content_type=kind)
    assert response.status == status  # 404: signed and well-formed, but nothing handles it
    assert lines.tracebacks() == []
    # One line from the edge (other tests' background threads may log meanwhile).
    edge = [r.getMessage() for r in lines.records if r.name == "bot.slack.app"]
    assert len(edge) == 1, edge
    assert bot.diagnoser.calls == []
    assert bot.http.request("", method="GET", path="/healthz").status == 200


def test_the_signature_is_checked_on_the_exact_bytes(bot: Bot) -> None:
    body = form(slash_command(OOM.service, bot.slack.new_response_url()))
    headers = sign(body, secret=SIGNING_SECRET)
    # The same fields, encoded differently, are not what Slack signed.
    response = bot.http.request(body.replace("%2F", "/"), headers=headers)
    assert response.status == 401


# --------------------------------------------------------------------------- 7. response_url


def test_a_response_url_on_another_host_gets_nothing(bot: Bot) -> None:
    with FakeSlack() as elsewhere:
        url = elsewhere.new_response_url()  # another host:port than SLACK_API_URL's
        response = bot.http.signed(form(slash_command(f"{OOM.cluster}/{OOM.service}", url)))
        assert response.status == 200
        # The card goes to the channel through the Web API instead.
        (card,) = bot.slack.wait_for("chat.postMessage")
        assert card.body["channel"] == CHANNEL
        assert "`out-of-memory`" in text_of(card.body["blocks"])
        assert elsewhere.calls == []


# --------------------------------------------------------------------------- 9. rate limit


def test_a_burst_of_100_commands_from_one_user_diagnoses_at_most_the_limit(
    slack: FakeSlack, demo_account: EmulatorServer, lines: Lines
) -> None:
    limit = 5
    with running_bot(slack, demo_account, rate_limit_user=limit) as bot:
        urls = [slack.new_response_url() for _ in range(100)]

        def send(n: int) -> dict[str, Any]:
            # Each a window of its own: nothing is cached, every one would ask AWS.
            asked = f"{OOM.cluster}/{OOM.service} since {n + 1}m"
            response = bot.http.signed(form(slash_command(asked, urls[n])))
            assert response.status == 200
            answer: dict[str, Any] = response.json()
            return answer

        with ThreadPoolExecutor(10) as pool:
            acks = list(pool.map(send, range(100)))
        diagnosing = [
            url for url, ack in zip(urls, acks, strict=True) if "Diagnosing" in ack["text"]
        ]
        told = [ack["text"] for ack in acks if "Diagnosing" not in ack["text"]]
        assert len(diagnosing) == limit
        assert len(told) == 100 - limit
        for text in told:
            assert text.startswith(":hourglass: Slow down a little: You have asked for 5 ")
            assert "try again in " in text
        paths = {url.removeprefix(slack.base_url) for url in diagnosing}
        slack.wait_for("response_url", limit, where=lambda call: call.path in paths)
        assert len(bot.diagnoser.calls) == limit
        # Another user in the same channel is still served.
        other = {**slash_command(f"{OOM.cluster}/{OOM.service}", urls[0]), "user_id": "U0OTHER"}
        assert "Diagnosing" in bot.http.signed(form(other)).json()["text"]
    refusals = [r for r in lines.records if r.name == "bot.slack.ratelimit"]
    assert len([r for r in refusals if r.levelno == logging.INFO]) == 100 - limit
    assert len([r for r in refusals if r.levelno >= logging.WARNING]) == 1  # no flood
    assert all(USER in r.getMessage() for r in refusals)


def test_replicas_share_one_bucket(
    slack: FakeSlack, demo_account: EmulatorServer, redis_url: str
) -> None:
    with ExitStack() as stack:
        store = RedisStore(redis_url, timeout=REDIS_PATIENCE)
        # A user of their own: the bucket lives in the shared Redis, across tests too.
        user = f"U0{uuid.uuid4().hex[:8].upper()}"
        replicas = [
            stack.enter_context(running_bot(slack, demo_account, store, rate_limit_user=3))
            for _ in range(2)
        ]
        texts = []
        for n in range(6):
            asked = f"{OOM.service} since {n + 1}h"  # nothing cached: each would ask AWS
            fields = {**slash_command(asked, slack.new_response_url()), "user_id": user}
            texts.append(replicas[n % 2].http.signed(form(fields)).json()["text"])
        assert ["Diagnosing" in text for text in texts] == [True] * 3 + [False] * 3
        assert json.dumps(texts).count("Slow down") == 3


# --------------------------------------------------------------------------- 8. mentions in data

HIDDEN = "<!channel>"


@pytest.fixture
def stop_reason_with_a_mention(demo_account: EmulatorServer) -> Iterator[str]:
    """ws-gateway's stopped tasks (exit 143), as if whoever stopped them wrote `<!channel>` in
    the reason (StopTask takes any text and AWS shows it as the stopped reason; no stop code,
    so the card names the reason as the SIGTERM's sender, in its title)."""
    case = scenario(Cause.SIGTERM)
    tasks: dict[str, Any] = ecs_backends[OWN_ACCOUNT_ID]["us-east-1"].tasks[case.cluster]
    stopped = [
        t for t in tasks.values() if t.group == f"service:{case.service}" and t.status == "STOPPED"
    ]
    saved = [(t, t.stopped_reason, t.stop_code) for t in stopped]
    for task in stopped:
        task.stopped_reason = f"Stopped by the on-call bot {HIDDEN} for a restart"
        task.stop_code = None
    yield f"{case.cluster}/{case.service}"
    for task, reason, code in saved:
        task.stopped_reason, task.stop_code = reason, code


def test_a_mention_in_aws_data_never_reaches_slack_raw(
    bot: Bot, stop_reason_with_a_mention: str
) -> None:
    _, card = card_for(bot, stop_reason_with_a_mention)
    click(bot, ACTION_DETAILS, card)
    bot.slack.wait_for("chat.postMessage", where=lambda c: c.body.get("thread_ts") == card["ts"])
    assert "&lt;!channel&gt;" in card["text"]  # the notification text carries it, escaped
    sent = json.dumps([c.body for c in bot.slack.calls], ensure_ascii=False)
    assert HIDDEN not in sent
