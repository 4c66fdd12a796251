"""Incident cards against a misbehaving Slack (the fake Web API over HTTP): a post whose answer
was lost is found again and updated, never posted twice; a long Retry-After is waited out
across polls; no call starts without lease time left for it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.model import Target
from bot.settings import Settings
from bot.slack.app import make_client
from bot.watch.incidents import Card, Deliver, Incident, ServiceRef
from handlers.incident_cards import EVENT_TYPE, Budget, CappedRateLimit, deliverer
from tests.fake_slack import BOT_TOKEN, FakeSlack
from tests.harness import CHANNEL
from tests.unit.handlers.test_actions import OOM, Answers

BUDGET = Budget(timeout=0.5, wait=1.0)
PLENTY = 10.0  # seconds of lease left


def lease(seconds: float = PLENTY) -> float:
    return seconds


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def incident(stops: int = 1) -> Incident:
    service = ServiceRef(account="123456789012", region="us-east-1", cluster="prod", service="api")
    at = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    assert OOM.cause is not None
    return Incident(
        key="123456789012:us-east-1:prod:api:out-of-memory:7",
        service=service,
        cause=OOM.cause,
        revision=7,
        state="open" if stops == 1 else "updated",
        stops=stops,
        first=at,
        last=at,
    )


def card(stops: int = 1, ts: str | None = None, *, lost: bool = False) -> Card:
    target = Target(cluster="prod", service="api", region="us-east-1")
    return Card(CHANNEL, incident(stops), target, ts, card_id="card-1", lost=lost)


def deliver_to(slack: FakeSlack) -> Deliver:
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_api_url=slack.api_url)
    client = make_client(settings, timeout=BUDGET.timeout, retries=[CappedRateLimit(BUDGET.wait)])
    return deliverer(client, Answers(), BUDGET)


def test_a_new_card_carries_its_id_in_the_message_metadata(slack: FakeSlack) -> None:
    deliver = deliver_to(slack)
    ts = deliver(card(), lease)
    (message,) = slack.messages[CHANNEL]
    assert message["ts"] == ts
    assert message["metadata"]["event_type"] == EVENT_TYPE
    assert message["metadata"]["event_payload"]["card"] == "card-1"


@pytest.mark.parametrize("fault", [{"lose": True}, {"delay": 1.5}])
def test_a_post_whose_answer_was_lost_is_found_and_updated_not_posted_again(
    slack: FakeSlack, fault: dict[str, object]
) -> None:
    deliver = deliver_to(slack)
    slack.fail("chat.postMessage", **fault)
    assert deliver(card(), lease) is None
    ts = deliver(card(2, lost=True), lease)
    (message,) = slack.messages[CHANNEL]
    assert ts == message["ts"]
    assert len(slack.calls_to("chat.postMessage")) == 1
    (history,) = slack.calls_to("conversations.history")
    assert history.body["include_all_metadata"] in ("1", "true")
    assert "2 stops" in message["text"]


def test_a_lost_post_slack_never_stored_is_posted_again(slack: FakeSlack) -> None:
    deliver = deliver_to(slack)
    slack.fail("chat.postMessage", disconnect=True)
    assert deliver(card(), lease) is None
    assert deliver(card(lost=True), lease) is not None
    assert len(slack.messages[CHANNEL]) == 1


def test_the_search_reads_past_the_first_page(slack: FakeSlack) -> None:
    deliver = deliver_to(slack)
    slack.fail("chat.postMessage", lose=True)
    assert deliver(card(), lease) is None
    chatter = [{"ts": f"1800000000.{n:06d}", "text": "chatter"} for n in range(450)]
    slack.messages[CHANNEL] += chatter
    assert deliver(card(2, lost=True), lease) == slack.messages[CHANNEL][0]["ts"]
    assert len(slack.calls_to("conversations.history")) == 3
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_without_history_scopes_the_card_is_posted_again(slack: FakeSlack) -> None:
    deliver = deliver_to(slack)
    slack.fail("chat.postMessage", lose=True)
    assert deliver(card(), lease) is None
    slack.fail("conversations.history", error="missing_scope")
    assert deliver(card(lost=True), lease) is not None
    assert len(slack.messages[CHANNEL]) == 2  # the documented rare duplicate


def test_a_short_retry_after_is_waited_out_within_the_call(slack: FakeSlack) -> None:
    deliver = deliver_to(slack)
    slack.fail("chat.postMessage", status=429, retry_after=1)
    assert deliver(card(), lease) is not None
    refused, taken = slack.calls_to("chat.postMessage")
    assert taken.at - refused.at >= 1.0


def test_a_long_retry_after_stops_every_call_until_it_is_over(slack: FakeSlack) -> None:
    deliver = deliver_to(slack)
    slack.fail("chat.postMessage", status=429, retry_after=15)
    started = time.monotonic()
    assert deliver(card(), lease) is None
    assert time.monotonic() - started < BUDGET.timeout + BUDGET.wait  # never waited inside
    assert deliver(card(lost=True), lease) is None
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert slack.calls_to("conversations.history") == []


def test_no_call_starts_without_lease_time_for_it(slack: FakeSlack) -> None:
    deliver = deliver_to(slack)
    assert deliver(card(), lambda: BUDGET.needed) is None
    assert deliver(card(2, "1700000001.000100"), lambda: 0.0) is None
    assert [c.method for c in slack.calls] == []
    assert deliver(card(), lambda: BUDGET.needed + 0.1) is not None
