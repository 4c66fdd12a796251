"""The card's buttons, one callback at a time: what the person who clicked sees in Slack.

Real parts: the fake Slack Web API over HTTP, the real `Replies`, stores and rate limit; the
diagnoses come from hand-built facts through the real checks and verdict. Jobs run inline, so
when a callback returns, everything it would post has been posted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from slack_bolt import Ack, App, BoltRequest
from slack_sdk import WebClient

from bot.cache import Deduplicator, MemoryStore
from bot.errors import AwsUnavailable, EcsWhyError
from bot.model import Diagnosis, Target
from bot.render.blocks import (
    ACTION_CONSOLE,
    ACTION_DETAILS,
    ACTION_LOGS,
    ACTION_RERUN,
    ACTION_RESOURCE,
    fallback_text,
    render_card,
)
from bot.slack.access import Access
from bot.slack.ratelimit import RateLimit
from bot.watch.watches import WatchBook
from handlers import actions
from handlers.deps import Deps
from handlers.messages import STALE_BUTTON
from handlers.replies import Replies
from tests.facts_builder import diagnose, failing, logs, stopped
from tests.fake_slack import BOT_TOKEN, Call, FakeSlack
from tests.harness import CHANNEL, block_action, interaction

CARD_TS = "1700000000.000001"
PLANTED = "boot failed: DB_PASSWORD=hunter2-planted"
OOM_TASK = stopped(exit_code=137, container_reason="OutOfMemoryError: Container killed")
OOM = diagnose(failing(OOM_TASK)).model_copy(update={"log_streams": (logs(OOM_TASK, PLANTED),)})


class Inline(Executor):
    """Runs each job at once, in the caller's thread."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


@dataclass
class Answers:
    """Answers every diagnosis with `diagnosis` (or raises `error`); remembers what it was asked."""

    diagnosis: Diagnosis = OOM
    error: EcsWhyError | None = None
    asked: list[tuple[Target, bool]] = field(default_factory=list)
    cached: bool = False  # whether each answer is said to be cached already (costs nothing)

    def answered(self, target: Target, *, since: timedelta | None = None) -> bool:
        return self.cached

    def diagnose(
        self, target: Target, *, fresh: bool = False, since: timedelta | None = None
    ) -> Diagnosis:
        self.asked.append((target, fresh))
        if self.error is not None:
            raise self.error
        return self.diagnosis


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def answers() -> Answers:
    return Answers()


def make_deps(
    slack: FakeSlack, answers: Answers, *, channels: dict[str, list[str]] | None = None
) -> Deps:
    store = MemoryStore()
    client = WebClient(token=BOT_TOKEN, base_url=slack.api_url)
    return Deps(
        diagnoser=answers,
        executor=Inline(),
        dedup=Deduplicator(store),
        clicks=Deduplicator(store, ttl=5),
        replies=Replies(client, store, slack_api_url=slack.api_url),
        access=Access(channels or {}, "#platform-help"),
        limit=RateLimit(store, per_user=2, per_channel=10, free_per_user=5, window=60),
        watches=WatchBook(store),
    )


@pytest.fixture
def deps(slack: FakeSlack, answers: Answers) -> Deps:
    return make_deps(slack, answers)


def card(diagnosis: Diagnosis = OOM, ts: str = CARD_TS) -> dict[str, Any]:
    """The card as Slack holds it once posted."""
    return {"text": fallback_text(diagnosis), "blocks": render_card(diagnosis), "ts": ts}


def clicking(slack: FakeSlack, action_id: str, message: dict[str, Any]) -> tuple[str, Any]:
    """A click on `action_id` of `message`: its response_url and Slack's payload."""
    url = slack.new_response_url()
    return url, block_action(action_id, message, response_url=url)


def acked(callback: Callable[[Ack, dict[str, Any]], None], body: dict[str, Any]) -> None:
    ack = Ack()  # type: ignore[no-untyped-call]  # slack_bolt leaves __init__ untyped
    callback(ack, body)
    assert ack.response is not None
    assert ack.response.status == 200


def text_of(call: Call) -> str:
    return json.dumps(call.body, ensure_ascii=False)


def answered(slack: FakeSlack) -> list[str]:
    """Every call Slack received, by method."""
    return [c.method for c in slack.calls]


# --------------------------------------------------------------------------- Fetch logs


def test_fetch_logs_posts_the_redacted_last_lines_in_the_card_thread(
    slack: FakeSlack, deps: Deps
) -> None:
    _, body = clicking(slack, ACTION_LOGS, card())
    acked(lambda ack, b: actions.on_logs(deps, ack, b), body)
    (post,) = slack.calls_to("chat.postMessage")
    assert post.body["channel"] == CHANNEL
    assert post.body["thread_ts"] == CARD_TS
    assert "boot failed: DB_PASSWORD=[REDACTED]" in text_of(post)
    assert "hunter2-planted" not in text_of(post)


def test_long_logs_are_uploaded_as_a_file_in_the_card_thread(
    slack: FakeSlack, answers: Answers, deps: Deps
) -> None:
    lines = [f"line {n}: {'x' * 150} token=ghp_{'a' * 36}" for n in range(60)]
    answers.diagnosis = OOM.model_copy(update={"log_streams": (logs(OOM_TASK, *lines),)})
    _, body = clicking(slack, ACTION_LOGS, card())
    acked(lambda ack, b: actions.on_logs(deps, ack, b), body)
    (done,) = slack.calls_to("files.completeUploadExternal")
    assert done.body["thread_ts"] == CARD_TS
    (upload,) = slack.calls_to("upload")
    assert "line 59:" in upload.body["content"]
    assert "ghp_aaaa" not in upload.body["content"]
    assert slack.calls_to("chat.postMessage") == []


# --------------------------------------------------------------------------- Diagnose again


def test_rerun_shows_the_card_busy_then_replaces_it_with_a_fresh_diagnosis(
    slack: FakeSlack, answers: Answers, deps: Deps
) -> None:
    url, body = clicking(slack, ACTION_RERUN, card())
    acked(lambda ack, b: actions.on_rerun(deps, ack, b), body)
    busy, fresh = slack.responses(url)
    assert busy["replace_original"] is True
    assert "Re-running `production/api` with fresh data" in json.dumps(busy["blocks"])
    assert not any(b["type"] == "actions" for b in busy["blocks"])
    assert fresh["replace_original"] is True
    assert "Diagnosed again: no change since" in json.dumps(fresh["blocks"])
    assert any(b["type"] == "actions" for b in fresh["blocks"])
    assert answers.asked == [(OOM.target, True)]  # fresh: the cache is bypassed


def test_a_rerun_that_fails_gives_the_card_back_and_says_why_privately(
    slack: FakeSlack, answers: Answers, deps: Deps
) -> None:
    answers.error = AwsUnavailable("the endpoint did not answer")
    message = card()
    url, body = clicking(slack, ACTION_RERUN, message)
    acked(lambda ack, b: actions.on_rerun(deps, ack, b), body)
    busy, given_back, note = slack.responses(url)
    assert "Re-running" in json.dumps(busy["blocks"])
    assert given_back["replace_original"] is True
    assert given_back["blocks"] == message["blocks"]  # buttons and all
    assert note["response_type"] == "ephemeral"
    assert note["text"].startswith(":cloud: I could not reach AWS to diagnose `production/api`")


# --------------------------------------------------------------------------- Details


def test_details_post_every_checklist_step_in_the_card_thread(slack: FakeSlack, deps: Deps) -> None:
    _, body = clicking(slack, ACTION_DETAILS, card())
    acked(lambda ack, b: actions.on_details(deps, ack, b), body)
    (post,) = slack.calls_to("chat.postMessage")
    assert post.body["thread_ts"] == CARD_TS
    assert post.body["text"] == "Details: production/api"
    for item in OOM.checklist:
        assert f"{item.step}*" in text_of(post)


# --------------------------------------------------------------------------- every button


@pytest.mark.parametrize("action_id", [ACTION_CONSOLE, ACTION_RESOURCE])
def test_a_link_button_is_only_acknowledged(
    slack: FakeSlack, answers: Answers, action_id: str
) -> None:
    acked(lambda ack, _: actions.on_console(ack), {})
    assert answered(slack) == []
    assert answers.asked == []


@pytest.mark.parametrize(
    "value",
    [
        "not json",
        json.dumps({"cluster": "production"}),  # neither a service nor a task
        json.dumps({"cluster": "prod uction", "service": "api"}),  # not a name ECS allows
        json.dumps({"service": "api", "region": "moon-1"}),
    ],
)
def test_a_button_whose_value_is_no_target_says_so_privately(
    slack: FakeSlack, answers: Answers, deps: Deps, value: str
) -> None:
    url, body = clicking(slack, ACTION_DETAILS, card())
    body["actions"][0]["value"] = value
    acked(lambda ack, b: actions.on_details(deps, ack, b), body)
    (note,) = slack.responses(url)
    assert note == {"text": STALE_BUTTON, "response_type": "ephemeral", "replace_original": False}
    assert answers.asked == []


def test_a_double_click_is_answered_once(slack: FakeSlack, answers: Answers, deps: Deps) -> None:
    message = card()
    for _ in range(2):
        _, body = clicking(slack, ACTION_DETAILS, message)
        acked(lambda ack, b: actions.on_details(deps, ack, b), body)
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert len(answers.asked) == 1


def test_the_same_button_on_another_card_is_no_double_click(
    slack: FakeSlack, answers: Answers, deps: Deps
) -> None:
    for ts in ("1700000000.000001", "1700000000.000002"):
        _, body = clicking(slack, ACTION_DETAILS, card(ts=ts))
        acked(lambda ack, b: actions.on_details(deps, ack, b), body)
    assert [c.body["thread_ts"] for c in slack.calls_to("chat.postMessage")] == [
        "1700000000.000001",
        "1700000000.000002",
    ]


def test_clicks_past_the_rate_limit_are_asked_to_slow_down(
    slack: FakeSlack, answers: Answers, deps: Deps
) -> None:
    urls = []
    for n in range(3):  # the limit is 2 per user
        url, body = clicking(slack, ACTION_DETAILS, card(ts=f"1700000000.00000{n}"))
        acked(lambda ack, b: actions.on_details(deps, ack, b), body)
        urls.append(url)
    (note,) = slack.responses(urls[2])
    assert note["text"].startswith(":hourglass: Slow down a little: You have asked for 2")
    assert len(answers.asked) == 2


@pytest.mark.parametrize(
    ("action_id", "callback", "served"),
    [
        (ACTION_DETAILS, actions.on_details, 5),  # free: the user's flood cap of 5
        (ACTION_LOGS, actions.on_logs, 2),  # asks AWS: the user's 2
        (ACTION_RERUN, actions.on_rerun, 2),
    ],
)
def test_clicks_on_a_cached_card_are_charged_only_when_they_ask_aws(
    slack: FakeSlack,
    answers: Answers,
    deps: Deps,
    action_id: str,
    callback: Callable[[Deps, Ack, dict[str, Any]], None],
    served: int,
) -> None:
    answers.cached = True
    urls = []
    for n in range(8):
        url, body = clicking(slack, action_id, card(ts=f"1700000000.00000{n}"))
        acked(lambda ack, b: callback(deps, ack, b), body)
        urls.append(url)
    slowed = [u for u in urls if "Slow down" in json.dumps(slack.responses(u))]
    assert len(slowed) == 8 - served
    assert len(answers.asked) == served


def test_a_channel_that_may_not_query_the_cards_cluster_is_refused_and_aws_not_asked(
    slack: FakeSlack, answers: Answers
) -> None:
    deps = make_deps(slack, answers, channels={CHANNEL: ["staging"]})
    url, body = clicking(slack, ACTION_RERUN, card())
    acked(lambda ack, b: actions.on_rerun(deps, ack, b), body)
    *_, note = slack.responses(url)
    assert note["response_type"] == "ephemeral"
    assert "may not query `production/api`" in note["text"]
    assert "#platform-help" in note["text"]
    assert answers.asked == []


# --------------------------------------------------------------------------- registration


@pytest.mark.parametrize(
    ("action_id", "method", "count"),
    [
        (ACTION_LOGS, "chat.postMessage", 1),
        (ACTION_DETAILS, "chat.postMessage", 1),
        (ACTION_RERUN, "response_url", 2),  # the busy card, then the fresh one
    ],
)
def test_register_routes_each_button_to_its_callback(
    slack: FakeSlack, deps: Deps, action_id: str, method: str, count: int
) -> None:
    app = App(
        client=WebClient(token=BOT_TOKEN, base_url=slack.api_url),
        signing_secret="unused",
        request_verification_enabled=False,
        token_verification_enabled=False,
    )
    actions.register(app, deps)
    url, body = clicking(slack, action_id, card())
    response = app.dispatch(BoltRequest(body=interaction(body)))
    assert response.status == 200  # the ack; the listener goes on in Bolt's own thread
    calls = slack.wait_for(method, count)
    assert all(c.path in url or c.body.get("thread_ts") == CARD_TS for c in calls)
