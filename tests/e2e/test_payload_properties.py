"""Slack payload properties (hypothesis): whatever a signed request carries, the real app answers
it (never a 5xx of ours), says something the user can act on, and raises nothing.

Requests are signed as Slack signs them and go through the whole Bolt app built by `build_app`
(signature check, middleware, listeners) with the real Diagnoser. Slash commands, mentions and
clicks are dispatched in-process (the HTTP layer adds nothing per example); the garbage bodies
go over real HTTP (waitress). AWS is an endpoint nothing listens on, so every diagnosis fails
at once, the real way: the user is told AWS cannot be reached.

Both the bot's pool and Bolt's listener pool are one `Settling` pool, so each example waits
until everything it started has finished, and what Slack saw and what was logged belong to it.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import logging
import os
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from slack_bolt import App
from slack_bolt.request import BoltRequest

from bot.cache import MemoryStore
from bot.errors import TargetError
from bot.model import Target
from bot.parse.target import NAME, REGION, TASK_ID, parse_target
from bot.render.blocks import (
    ACTION_CONSOLE,
    ACTION_DETAILS,
    ACTION_LOGS,
    ACTION_RERUN,
    ACTIONS_BLOCK,
    target_value,
)
from bot.service import Diagnoser
from bot.slack.app import EVENTS_PATH, build_app
from handlers.mention import MAX_TARGETS, targets_in
from handlers.messages import COMMAND_USAGE, MENTION_USAGE, STALE_BUTTON
from tests.conftest import FAKE_AWS_ENV
from tests.e2e.conftest import Recording, bot_settings
from tests.fake_slack import BOT_USER, TEAM, Call, FakeSlack
from tests.harness import (
    CHANNEL,
    FORM,
    SIGNING_SECRET,
    USER,
    BotServer,
    Settling,
    form,
    interaction,
    mention_event,
    sign,
    slash_command,
)

AWS_DOWN = "http://127.0.0.1:9"  # the discard port: nothing listens, connections fail at once
JSON = "application/json"
REPO = Path(__file__).resolve().parents[2]
OUR_CODE = (REPO / "bot", REPO / "handlers")
EDGE = REPO / "bot" / "app.py"  # the WSGI route only hands the request to Bolt
ECHO_LIMIT = 60  # bot/parse/target.py quotes at most this much of what the user typed
REJECTION_LIMIT = 600  # the problem lines before the usage, escaped (`&` becomes `&amp;`)
RESPONSE_URL = "RESPONSEURL"  # in a generated payload: where its response_url goes
UNDELIVERABLE = "every way failed"  # Replies' error when a message has nowhere to go


PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --------------------------------------------------------------------------- the world


class Captured(logging.Handler):
    """Every WARNING and above, from any logger (Bolt's, waitress's, ours)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Outcome:
    status: int
    body: str
    calls: list[Call]  # what the fake Slack received meanwhile
    logs: list[logging.LogRecord]  # what was logged at WARNING and above meanwhile
    diagnosed: list[tuple[Target, bool]]  # what the Diagnoser was asked meanwhile

    def json(self) -> Any:
        return json.loads(self.body)

    def errors(self) -> list[logging.LogRecord]:
        return [r for r in self.logs if r.levelno >= logging.ERROR]

    def said(self) -> list[str]:
        """What the user was told privately: ephemeral response_url posts and postEphemeral."""
        return [
            c.body.get("text", "")
            for c in self.calls
            if c.method == "chat.postEphemeral"
            or (c.method == "response_url" and c.body.get("response_type") == "ephemeral")
        ]


class World:
    """The app and what it talks to, shared by every example of this module."""

    def __init__(
        self,
        app: App,
        slack: FakeSlack,
        pool: Settling,
        diagnoser: Recording,
        logs: Captured,
        http: BotServer,
    ) -> None:
        self.app, self.slack, self.pool = app, slack, pool
        self.diagnoser, self.logs, self.http = diagnoser, logs, http

    def __repr__(self) -> str:  # hypothesis prints the arguments of a failing example
        return "World(the app built by build_app, a FakeSlack, AWS down)"

    def exchange(self, send: Callable[[], tuple[int, str]]) -> Outcome:
        """Runs `send`, waits until all it started is done; what happened meanwhile."""
        calls, logs, asked = (
            len(self.slack.calls),
            len(self.logs.records),
            len(self.diagnoser.calls),
        )
        status, body = send()
        self.pool.settle()
        return Outcome(
            status,
            body,
            self.slack.calls[calls:],
            self.logs.records[logs:],
            self.diagnoser.calls[asked:],
        )

    def dispatch(self, body: str, content_type: str = FORM) -> Outcome:
        """A signed request straight into the app, as the WSGI adapter hands it over."""

        def send() -> tuple[int, str]:
            headers: dict[str, str | Sequence[str]] = {**sign(body), "Content-Type": content_type}
            response = self.app.dispatch(BoltRequest(body=body, headers=headers))
            return response.status, response.body

        return self.exchange(send)

    def post(self, body: bytes, content_type: str) -> Outcome:
        """Raw bytes, signed as Slack signs them, over HTTP to the real server."""

        def send() -> tuple[int, str]:
            stamp = str(int(time.time()))
            base = f"v0:{stamp}:".encode() + body
            digest = hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
            request = urllib.request.Request(  # noqa: S310 - our local server
                self.http.url + EVENTS_PATH,
                data=body,
                method="POST",
                headers={
                    "Content-Type": content_type,
                    "X-Slack-Request-Timestamp": stamp,
                    "X-Slack-Signature": f"v0={digest}",
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    return response.status, response.read().decode(errors="replace")
            except urllib.error.HTTPError as error:
                return error.code, error.read().decode(errors="replace")

        return self.exchange(send)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with pytest.MonkeyPatch.context() as env, FakeSlack() as slack:
        env.delenv("AWS_PROFILE", raising=False)
        for name, value in FAKE_AWS_ENV.items():
            env.setenv(name, value)
        env.setenv("AWS_CONFIG_FILE", os.devnull)
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        env.setenv("AWS_ENDPOINT_URL", AWS_DOWN)
        settings = bot_settings(slack).model_copy(
            update={
                "aws_max_attempts": 1,
                "aws_connect_timeout": 1.0,
                "diagnosis_workers": 8,
                # One user sends every example: what is checked here is not the rate limit.
                "rate_limit_user": 1000,
                "rate_limit_channel": 1000,
            }
        )
        store = MemoryStore()
        diagnoser = Diagnoser(settings, store)
        recording = Recording(diagnoser)
        logs = Captured()
        logging.getLogger().addHandler(logs)
        with Settling(16, "payload-properties") as pool:
            app = build_app(settings, recording, store, executor=pool)
            app.listener_runner.listener_executor = pool  # Bolt's listeners: settled too
            with BotServer(app, settings) as http:
                yield World(app, slack, pool, recording, logs, http)
            pool.settle()
        logging.getLogger().removeHandler(logs)
        diagnoser.close()


# --------------------------------------------------------------------------- what to check


def crashes(records: Sequence[logging.LogRecord]) -> list[str]:
    """The logged exceptions whose traceback passes through our code (not only the edge)."""
    found = []
    for record in records:
        if record.exc_info is None or record.exc_info[1] is None:
            continue
        error: BaseException | None = record.exc_info[1]
        while error is not None:
            frames = traceback.extract_tb(error.__traceback__)
            if any(ours(frame.filename) for frame in frames):
                found.append(
                    record.getMessage() + "\n" + "".join(traceback.format_tb(frames_of(record)))
                )
                break
            error = error.__cause__ or error.__context__
    return found


def frames_of(record: logging.LogRecord) -> TracebackType | None:
    return record.exc_info[2] if record.exc_info else None


def ours(filename: str) -> bool:
    path = Path(filename).resolve()
    return path != EDGE and any(path.is_relative_to(root) for root in OUR_CODE)


def assert_no_markup(text: str) -> None:
    """Nothing the user typed can mention, link or format: no `<` reaches Slack unescaped
    (none of the bot's own messages uses one)."""
    assert "<" not in text, text
    assert ">" not in text, text


def assert_quiet(outcome: Outcome, *, undeliverable: bool = False) -> None:
    """No exception logged; no ERROR but, when there is nowhere to answer, saying so."""
    assert crashes(outcome.logs) == []
    errors = [r.getMessage() for r in outcome.errors()]
    allowed = [e for e in errors if undeliverable and UNDELIVERABLE in e]
    assert errors == allowed, errors


def is_problem(text: str) -> bool:
    """A diagnosis that could not be made, said so the user can act (bot/handlers/messages.py)."""
    return text.startswith((":cloud: I could not reach AWS to diagnose `", ":mag: "))


# --------------------------------------------------------------------------- what users type

NAMES = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,30}", fullmatch=True)
REGIONS = st.sampled_from(["us-east-1", "eu-west-1", "ap-southeast-2"])  # few: clients are cached
TASK_IDS = st.from_regex(r"[0-9a-f]{32}", fullmatch=True) | st.uuids().map(str)
TASK_ARNS = st.builds(
    "arn:aws:ecs:{}:123456789012:task/{}/{}".format, REGIONS, NAMES, TASK_IDS
) | st.builds("arn:aws:ecs:{}:123456789012:task/{}".format, REGIONS, TASK_IDS)
SERVICE_ARNS = st.builds("arn:aws:ecs:{}:123456789012:service/{}/{}".format, REGIONS, NAMES, NAMES)
MARKUP = st.sampled_from(
    [
        "<!channel>",
        "<!here>",
        "<!everyone>",
        "<!subteam^S0ONCALL>",
        f"<@{BOT_USER}>",
        f"<@{USER}|alex>",
        f"<#{CHANNEL}|oncall>",
        "<https://example.com|click>",
        "&lt;!channel&gt;",
        "`",
        "```",
        "*",
        "_",
        "~",
        ">",
        "&",
    ]
)
WORDS = st.sampled_from(
    [
        "",
        " ",
        "\n",
        "\t",
        "/",
        ":",
        "prod:",
        "help",
        "--cluster",
        "payload",
        "why did",
        "api-service",
        "production/api-service",
        "arn:aws:s3:::bucket",
        "arn:aws:ecs:us-east-1:123456789012:task/",
        "\x00",
        "\u2028",
        "\U000e0001",
        "é",
        "…",
    ]
)
PIECES = NAMES | TASK_ARNS | SERVICE_ARNS | MARKUP | WORDS | st.text(max_size=8)
TYPED = st.builds(
    lambda parts, glue: glue.join(parts),
    st.lists(PIECES, max_size=12),
    st.sampled_from(["", " ", "\n", "`"]),
)
HUGE = st.builds(lambda piece, times: piece * times, PIECES.filter(bool), st.integers(100, 2000))
TEXTS = st.text() | PIECES | TYPED | HUGE


# --------------------------------------------------------------------------- /ecs-why


@PROPERTY
@given(text=TEXTS)
@example(text="")
@example(text="help")
@example(text="payload-api")  # slack_bolt 1.30 took a form with "payload" in it for {}
@example(text="<!channel>")
@example(text="`<!here>` api")
@example(text="prod:api-service")  # an account nobody configured
@example(text="x" * 40_000)
@example(text="arn:aws:ecs:us-east-1:123456789012:task/production/0123456789abcdef0123456789abcdef")
def test_any_slash_command_gets_a_private_answer_the_user_can_act_on(
    world: World, text: str
) -> None:
    url = world.slack.new_response_url()
    outcome = world.dispatch(form(slash_command(text, url)))

    assert outcome.status == 200, outcome.body
    ack = outcome.json()
    assert ack["response_type"] == "ephemeral"
    answer: str = ack["text"]
    assert answer.strip()
    assert_no_markup(answer)
    followups = [c.body for c in outcome.calls if c.method == "response_url" and c.path in url]
    event("diagnosing" if answer.startswith(":mag: Diagnosing") else "rejected")
    if answer.startswith(":mag: Diagnosing `"):
        assert len(answer) < 450
        # AWS is down: the user is told so, privately, once.
        (followup,) = followups
        assert followup["response_type"] == "ephemeral"
        assert is_problem(followup["text"]), followup["text"]
        assert_no_markup(followup["text"])
        assert len(outcome.diagnosed) == 1
    else:
        # A rejection: what was wrong (if anything), then the usage with its examples.
        assert answer.endswith(COMMAND_USAGE)
        rejection = answer.removesuffix(COMMAND_USAGE).strip()
        assert len(rejection) <= REJECTION_LIMIT
        assert "`" not in rejection  # the user's text cannot open a code span
        if len(text.strip()) > ECHO_LIMIT:
            assert text.strip() not in rejection  # at most a short cut of it
        if rejection:
            assert rejection.startswith(":warning: ")
            assert "expected" in rejection or "like " in rejection, rejection
        assert followups == []
        assert outcome.diagnosed == []
    assert_quiet(outcome)


# --------------------------------------------------------------------------- mentions

TS = itertools.count(1)


def next_ts() -> str:
    return f"1800000000.{next(TS):06d}"


def expected_answers(text: str) -> tuple[int, int, int]:
    """How many usage, too-many and per-target answers a mention should get."""
    named = targets_in(text)
    parsed = 0
    for target in named[:MAX_TARGETS]:
        try:
            parse_target(target)
        except TargetError:
            continue
        parsed += 1
    usage = int(parsed < len(named[:MAX_TARGETS]) or not parsed)
    return usage, int(len(named) > MAX_TARGETS), parsed


@PROPERTY
@given(text=TEXTS, addressed=st.booleans(), in_thread=st.booleans())
@example(text="", addressed=True, in_thread=False)
@example(text="why is <!channel> on fire", addressed=True, in_thread=True)
@example(
    text=" ".join(
        f"arn:aws:ecs:us-east-1:123456789012:task/prod/{n:032x}" for n in range(MAX_TARGETS + 2)
    ),
    addressed=True,
    in_thread=False,
)
def test_any_mention_gets_answers_in_its_thread(
    world: World, text: str, addressed: bool, in_thread: bool
) -> None:
    text = f"<@{BOT_USER}> {text}" if addressed else text
    thread = next_ts() if in_thread else None
    ts = next_ts()
    outcome = world.dispatch(json.dumps(mention_event(text, ts=ts, thread_ts=thread)), JSON)

    assert outcome.status == 200
    posts = [c.body for c in outcome.calls if c.method == "chat.postMessage"]
    assert posts, "the mention got no answer"
    assert {(p["channel"], p.get("thread_ts")) for p in posts} == {(CHANNEL, thread or ts)}
    usage = [p["text"] for p in posts if p["text"].endswith(MENTION_USAGE)]
    too_many = [p["text"] for p in posts if p["text"].startswith(":information_source: You named")]
    problems = [p["text"] for p in posts if is_problem(p["text"])]
    assert len(usage) + len(too_many) + len(problems) == len(posts), posts
    assert (len(usage), len(too_many), len(problems)) == expected_answers(text)
    event(f"usage={len(usage)} too-many={len(too_many)} per-target={len(problems)}")
    for post in posts:
        assert_no_markup(post["text"])
    for answer in usage:
        for line in answer.removesuffix(MENTION_USAGE).split("\n"):
            assert line == "" or (line.startswith(":warning: ") and "`" not in line), line
    assert_quiet(outcome)


# --------------------------------------------------------------------------- buttons

ACTIONS = st.sampled_from([ACTION_LOGS, ACTION_RERUN, ACTION_DETAILS] * 2 + [ACTION_CONSOLE])
GOOD_TARGETS = st.builds(
    Target, cluster=st.none() | NAMES, service=NAMES, region=st.none() | REGIONS
) | st.builds(Target, cluster=NAMES, task_id=TASK_IDS, region=REGIONS)
JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
NOT_TEXT = st.none() | st.booleans() | st.integers() | st.lists(st.integers(), max_size=2)
ODD_TARGETS = st.dictionaries(
    st.sampled_from(["cluster", "service", "task_id", "region", "account", "extra"]),
    st.none() | NAMES | REGIONS | TASK_IDS | st.text(max_size=30) | NOT_TEXT,
    max_size=4,
).map(json.dumps)
MISSING = object()  # the key is not in the payload at all
VALUES = (
    GOOD_TARGETS.map(target_value)
    | GOOD_TARGETS.map(target_value)
    | ODD_TARGETS
    | st.text()
    | JUNK.map(json.dumps)
    | NOT_TEXT
    | st.just(MISSING)
)
KEEP = "keep"  # the field as Slack sends it
WRONG_FIELDS = st.dictionaries(
    st.sampled_from(["id", "channel_id", "message_ts", "thread_ts", "blocks", "text", "ts"]),
    NOT_TEXT,
    max_size=3,
)
# Garbled: absent, or there with the wrong type, or an object whose fields have the wrong type.
GARBLED = st.sampled_from([KEEP, MISSING]) | NOT_TEXT | st.text(max_size=10) | WRONG_FIELDS
# A `user` or `channel` that is a number or a boolean is refused at the HTTP edge (see the
# garbage test at the end), before Bolt: dispatching it directly is not a Slack request.
GARBLED_FOR_BOLT = st.sampled_from([KEEP, MISSING, None]) | st.text(max_size=10) | WRONG_FIELDS


def kept_or(garbled: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    """The field as Slack sends it half of the time, else garbled."""
    return st.booleans().flatmap(lambda keep: st.just(KEEP) if keep else garbled)


GARBLES = st.fixed_dictionaries(
    {
        "container": kept_or(GARBLED),
        "message": kept_or(GARBLED),
        "channel": kept_or(GARBLED_FOR_BOLT),
        "user": kept_or(GARBLED_FOR_BOLT),
        "response_url": kept_or(GARBLED),
    }
)
ALL_KEPT = dict.fromkeys(("container", "message", "channel", "user", "response_url"), KEEP)


def made_by_a_card(value: object) -> bool:
    """Whether `value` is what a card's button carries (bot/render/blocks.py target_value)."""
    if not isinstance(value, str):
        return False
    try:
        target = Target.model_validate_json(value)
    except ValueError:
        return False
    names = (target.cluster, target.service)
    return (
        value == target_value(target)
        and target.account is None
        and bool(target.service or target.task_id)
        and all(name is None or NAME.fullmatch(name) for name in names)
        and (target.task_id is None or TASK_ID.fullmatch(target.task_id) is not None)
        and (target.region is None or REGION.fullmatch(target.region) is not None)
    )


def card_message(ts: str, value: str) -> dict[str, Any]:
    button = {"type": "button", "text": {"type": "plain_text", "text": "Re-run"}, "value": value}
    return {
        "type": "message",
        "ts": ts,
        "text": "production/api-service is failing: out-of-memory",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "*out of memory*"}},
            {
                "type": "actions",
                "block_id": ACTIONS_BLOCK,
                "elements": [{**button, "action_id": ACTION_RERUN}],
            },
        ],
    }


@dataclass(frozen=True)
class Click:
    body: dict[str, Any]
    routed: bool  # whether the bot has a way to answer privately (response_url or user)
    card: list[dict[str, Any]] | None  # the card's blocks, when the click carries them intact


def click(
    action_id: str,
    value: object,
    garbles: Mapping[str, object],
    response_url: str,
) -> Click:
    ts = next_ts()
    action: dict[str, Any] = {
        "action_id": action_id,
        "block_id": ACTIONS_BLOCK,
        "type": "button",
        "text": {"type": "plain_text", "text": "Button"},
        "action_ts": f"{time.time():.6f}{next(TS)}",
    }
    if value is not MISSING:
        action["value"] = value
    message = card_message(ts, value if isinstance(value, str) else "")
    real: dict[str, Any] = {
        "container": {"type": "message", "message_ts": ts, "channel_id": CHANNEL},
        "message": message,
        "channel": {"id": CHANNEL, "name": "oncall"},
        "user": {"id": USER, "username": "alex", "team_id": TEAM},
        "response_url": response_url,
    }
    body: dict[str, Any] = {"type": "block_actions", "api_app_id": "A0FAKE", "actions": [action]}
    body["team"] = {"id": TEAM, "domain": "fake"}
    for field, real_value in real.items():
        garble = garbles[field]
        if garble == KEEP:
            body[field] = real_value
        elif garble is not MISSING:
            body[field] = garble
    routed = garbles["response_url"] == KEEP or garbles["user"] == KEEP
    card = message["blocks"] if garbles["message"] == KEEP else None
    return Click(body, routed, card)


@PROPERTY
@given(action_id=ACTIONS, value=VALUES, garbles=GARBLES)
@example(action_id=ACTION_LOGS, value=MISSING, garbles=ALL_KEPT)
@example(action_id=ACTION_DETAILS, value="{}", garbles=ALL_KEPT)
@example(
    action_id=ACTION_RERUN, value='{"service":"api","region":"not a region"}', garbles=ALL_KEPT
)
@example(
    action_id=ACTION_LOGS,
    value=target_value(Target(service="api")),
    garbles={"container": "x", "message": [], "channel": [1], "user": KEEP, "response_url": 1},
)
def test_any_click_proceeds_or_says_the_button_is_stale(
    world: World, action_id: str, value: object, garbles: dict[str, object]
) -> None:
    url = world.slack.new_response_url()
    sent = click(action_id, value, garbles, url)
    outcome = world.dispatch(interaction(sent.body))

    assert outcome.status == 200, outcome.body
    said = outcome.said()
    for text in said:
        assert_no_markup(text)
    event(
        "console"
        if action_id == ACTION_CONSOLE
        else ("proceeded" if outcome.diagnosed else "stale")
        + (" (answered)" if sent.routed else " (nowhere to answer)")
    )
    if action_id == ACTION_CONSOLE:  # a link: Slack opens it, the bot only acknowledges
        assert (outcome.calls, outcome.diagnosed) == ([], [])
    elif outcome.diagnosed:  # the action proceeded, with the button's target
        (asked, fresh) = outcome.diagnosed[0]
        assert len(outcome.diagnosed) == 1
        assert fresh == (action_id == ACTION_RERUN)
        assert isinstance(value, str)
        assert Target.model_validate_json(value) == asked
        assert said == ([said[-1]] if sent.routed else [])
        assert all(is_problem(text) for text in said), said
        if action_id == ACTION_RERUN and sent.card is not None and garbles["response_url"] == KEEP:
            # The card gets its buttons back once the re-run failed, whatever came first.
            replaced = [
                c.body
                for c in outcome.calls
                if c.method == "response_url" and c.body.get("replace_original")
            ]
            assert replaced[-1]["blocks"] == sent.card
            event("re-run failed: card restored")
    else:  # stale: the user is told to ask again
        assert said == ([STALE_BUTTON] if sent.routed else [])
    if action_id != ACTION_CONSOLE and made_by_a_card(value):
        assert outcome.diagnosed, "a button the bot made must still work"
    if not isinstance(value, str) or not value.lstrip().startswith("{"):
        assert outcome.diagnosed == []
    # Without its response_url or message ts, a card cannot be updated: logged, as it must be.
    assert_quiet(outcome, undeliverable=garbles != ALL_KEPT)


def test_a_rerun_that_fails_at_once_always_gives_the_buttons_back(world: World) -> None:
    """The busy note and the failure used to race: about one re-run in seven that failed at
    once (AWS down, an unknown account, a refused channel) left the card busy, buttonless."""
    for n in range(25):
        url = world.slack.new_response_url()
        sent = click(ACTION_RERUN, target_value(Target(service=f"api-{n}")), ALL_KEPT, url)
        outcome = world.dispatch(interaction(sent.body))
        busy, restored = [
            c.body["blocks"]
            for c in outcome.calls
            if c.method == "response_url" and c.body.get("replace_original")
        ]
        assert busy != sent.card
        assert restored == sent.card
        (told,) = outcome.said()
        assert told.startswith(":cloud: I could not reach AWS to diagnose `api-")


# --------------------------------------------------------------------------- not Slack at all

FIELDS = st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=5)
JUNK_BODIES = st.one_of(
    st.binary(max_size=300).map(lambda raw: (raw, FORM)),
    st.text(max_size=300).map(lambda text: (text.encode(), FORM)),
    JUNK.map(lambda junk: (json.dumps(junk).encode(), JSON)),
    FIELDS.filter(lambda fields: "payload" not in fields).map(
        lambda fields: (urlencode(fields).encode(), FORM)
    ),
    (st.text(max_size=100) | JUNK.map(json.dumps)).map(
        lambda payload: (f"payload={quote(payload)}".encode(), FORM)
    ),
)


@st.composite
def mangled(draw: st.DrawFn) -> tuple[bytes, str]:
    """A real Slack payload with some fields dropped or of the wrong type."""
    kind = draw(st.sampled_from(["command", "mention", "click"]))
    url = RESPONSE_URL  # the test puts one of the fake Slack's in its place
    if kind == "command":
        fields = slash_command(draw(TEXTS), url)
        for key in draw(st.lists(st.sampled_from(sorted(fields)), min_size=1, max_size=3)):
            if draw(st.booleans()):
                fields.pop(key, None)
            else:
                fields[key] = draw(st.text(max_size=20))
        return form(fields).encode(), FORM
    if kind == "mention":
        body = mention_event(draw(TEXTS), ts=next_ts())
        inner = body["event"]
    else:
        body = click(draw(ACTIONS), draw(VALUES), ALL_KEPT, url).body
        inner = body["actions"][0]
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from([body, inner]))
        key = draw(st.sampled_from(sorted(where)))
        if draw(st.booleans()):
            where.pop(key, None)
        else:
            where[key] = draw(JUNK)
    encoded = json.dumps(body)
    if kind == "click":
        return interaction(json.loads(encoded)).encode(), FORM
    return encoded.encode(), JSON


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(request=st.one_of(mangled(), mangled(), JUNK_BODIES))
@example(request=(b"", FORM))
@example(request=(b"payload=", FORM))
@example(request=(b'{"type":"url_verification"}', JSON))
@example(request=(form({"command": "/ecs-why", "text": "api"}).encode(), FORM))
@example(
    request=(
        json.dumps({"type": "event_callback", "event": {"type": "app_mention"}}).encode(),
        JSON,
    )
)
@example(  # Bolt reads the event's channel as a dict or a string, unchecked
    request=(
        json.dumps(
            {"type": "event_callback", "event": {"type": "app_mention", "channel": True}}
        ).encode(),
        JSON,
    )
)
def test_signed_bodies_that_are_not_slack_payloads_never_crash_our_code(
    world: World, request: tuple[bytes, str]
) -> None:
    body, content_type = request
    url = world.slack.new_response_url()
    body = body.replace(
        RESPONSE_URL.encode(), (quote(url, safe="") if content_type == FORM else url).encode()
    )
    outcome = world.post(body, content_type)

    assert crashes(outcome.logs) == []
    event(f"HTTP {outcome.status}")
    # Where Bolt's own parsing or listener matching gives up on a signed body no Slack sends
    # (it indexes fields like actions[0].action_id unchecked), a 400 and one line, no traceback.
    assert outcome.status < 500, (outcome.status, outcome.body)
    assert not any(r.exc_info for r in outcome.logs)
    health = urllib.request.urlopen(world.http.url + "/healthz", timeout=10)  # noqa: S310
    with health:
        assert health.status == 200


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(b"{not json", JSON, id="json-that-is-not"),
        pytest.param(b"[1, 2]", JSON, id="json-array"),
        pytest.param(b"payload=not-json", FORM, id="payload-not-json"),
        pytest.param(b"payload=%5B%5D", FORM, id="payload-array"),
        pytest.param(b"\xff\xfe", FORM, id="not-utf8"),
        pytest.param(b'{"user": 5}', JSON, id="user-a-number"),
        pytest.param(
            b'{"type": "block_actions", "channel": true}',
            JSON,
            id="channel-a-boolean",
        ),
        pytest.param(b'{"type": "event_callback", "event": "x"}', JSON, id="event-a-string"),
        pytest.param(b'{"type": "block_actions", "actions": []}', JSON, id="no-actions"),
    ],
)
def test_signed_garbage_that_slack_bolt_cannot_parse_gets_a_4xx(
    world: World, body: bytes, content_type: str
) -> None:
    outcome = world.post(body, content_type)
    assert outcome.status < 500
    assert crashes(outcome.logs) == []
