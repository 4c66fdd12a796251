"""Posting back to Slack within its limits; a failed post is logged and never crashes a listener.

Each kind of reply has a first way and a fallback:

- a `response_url` works without the bot being in the channel, but takes at most 5 posts in
  30 minutes (https://docs.slack.dev/interactivity/handling-user-interaction#message_responses);
  the count is kept in the shared store, so replicas count together;
- `chat.*` calls need the bot in the conversation (`not_in_channel` otherwise).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient

from bot.cache import Deduplicator, Store
from bot.model import Diagnosis
from bot.render.blocks import fallback_text, render_card
from bot.render.chart import without_chart

log = logging.getLogger(__name__)

# Where Slack's response_urls point; the host of SLACK_API_URL is allowed too (a local fake).
SLACK_HOOKS = "https://hooks.slack.com"
RESPONSE_URL_POSTS = 5
RESPONSE_URL_WINDOW = 30 * 60
TIMEOUT = 10
# What a post can fail with once slack_sdk's retry handlers gave up: an API error, or the network.
SLACK_FAILURES = (SlackClientError, OSError)
# What Slack answers to blocks it does not take, such as a chart it cannot draw there.
INVALID_BLOCKS = "invalid_blocks"


@dataclass(frozen=True)
class Reply:
    text: str  # the notification and accessibility fallback; the whole message without blocks
    blocks: list[dict[str, Any]] | None = None

    @classmethod
    def card(cls, diagnosis: Diagnosis) -> Reply:
        return cls(text=fallback_text(diagnosis), blocks=render_card(diagnosis))

    def payload(self, **extra: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"text": self.text, **extra}
        if self.blocks is not None:
            body["blocks"] = self.blocks
        return body


@dataclass(frozen=True)
class Conversation:
    """Where a request came from, so replies go back there."""

    channel: str
    user: str | None = None
    thread_ts: str | None = None  # the thread replies go into
    message_ts: str | None = None  # the card a button was clicked on
    response_url: str | None = None


class ResponseUrls:
    """Posting to a request's response_url: only to Slack, and within its budget of posts."""

    def __init__(self, client: WebClient, store: Store, *, slack_api_url: str) -> None:
        self._client = client
        self._budget = Deduplicator(store, ttl=RESPONSE_URL_WINDOW)
        self._slack_origins = {_origin(SLACK_HOOKS), _origin(slack_api_url)}

    def __call__(self, url: str | None, payload: dict[str, Any]) -> bool:
        """Posts to a response_url while it has posts left; False when it has none or fails."""
        if url is None:
            return False
        if _origin(url) not in self._slack_origins:
            # A signed request can still carry any URL: the card must not go to someone else.
            log.warning("not posting to a response_url outside Slack: %s", _origin(url)[:80])
            return False
        digest = hashlib.sha256(url.encode()).hexdigest()[:32]
        slots = (f"response-url:{digest}:{n}" for n in range(RESPONSE_URL_POSTS))
        if not any(self._budget.first_time(slot) for slot in slots):
            log.info("response_url has had its %d posts; using the Web API", RESPONSE_URL_POSTS)
            return False
        webhook = WebhookClient(url, timeout=TIMEOUT, retry_handlers=self._client.retry_handlers)
        try:
            response = webhook.send_dict(payload)
        except (*SLACK_FAILURES, ValueError) as error:  # ValueError: a URL urllib cannot open
            log.warning("posting to a response_url failed: %s", error)
            return False
        if response.status_code != 200:
            log.warning("a response_url refused a post: %s %s", response.status_code, response.body)
            chartless = without_chart(payload.get("blocks"))
            if chartless is not None and INVALID_BLOCKS in str(response.body):
                return self(url, {**payload, "blocks": chartless})
            return False
        return True


class Replies:
    """Every way the bot talks back; each returns whether the message got through."""

    def __init__(self, client: WebClient, store: Store, *, slack_api_url: str) -> None:
        self._client = client
        self.respond = ResponseUrls(client, store, slack_api_url=slack_api_url)

    def publish(self, where: Conversation, reply: Reply) -> bool:
        """A card for the whole channel: via response_url, else as a new message."""
        payload = reply.payload(response_type="in_channel", replace_original=False)
        return _first(
            "card",
            where,
            lambda: self.respond(where.response_url, payload),
            lambda: self._call("chat.postMessage", where, channel=where.channel, **reply.payload()),
        )

    def post(self, where: Conversation, reply: Reply) -> bool:
        """A message in the conversation's thread; via response_url when the bot is not there."""
        thread = {"thread_ts": where.thread_ts} if where.thread_ts else {}
        payload = reply.payload(response_type="in_channel", replace_original=False, **thread)
        return _first(
            "reply",
            where,
            lambda: self._call(
                "chat.postMessage", where, channel=where.channel, **thread, **reply.payload()
            ),
            lambda: self.respond(where.response_url, payload),
        )

    def replace(self, where: Conversation, reply: Reply) -> bool:
        """Replaces the card a button was clicked on."""
        return _first(
            "updated card",
            where,
            lambda: self.respond(where.response_url, reply.payload(replace_original=True)),
            lambda: (
                where.message_ts is not None
                and self._call(
                    "chat.update",
                    where,
                    channel=where.channel,
                    ts=where.message_ts,
                    **reply.payload(),
                )
            ),
        )

    def ephemeral(self, where: Conversation, reply: Reply) -> bool:
        """A message only the person who asked can see."""
        payload = reply.payload(response_type="ephemeral", replace_original=False)
        return _first(
            "private note",
            where,
            lambda: self.respond(where.response_url, payload),
            lambda: (
                where.user is not None
                and self._call(
                    "chat.postEphemeral",
                    where,
                    channel=where.channel,
                    user=where.user,
                    **reply.payload(),
                )
            ),
        )

    def upload(self, where: Conversation, *, filename: str, content: str, comment: str) -> bool:
        """A text file in the conversation's thread (long logs)."""
        try:
            self._client.files_upload_v2(
                channel=where.channel,
                thread_ts=where.thread_ts,
                filename=filename,
                title=filename,
                content=content,
                initial_comment=comment,
            )
        except SLACK_FAILURES as error:
            log.warning("uploading %s to %s failed: %s", filename, where.channel, error)
            return False
        return True

    def home(self, user: str, view: dict[str, Any]) -> bool:
        """The user's Home tab, replaced whole."""
        return self._call(
            "views.publish", Conversation(channel="home", user=user), user_id=user, view=view
        )

    def unfurl(self, channel: str, ts: str, unfurls: dict[str, dict[str, Any]]) -> bool:
        """Compact cards under the links of a message (`chat.unfurl`)."""
        return self._call(
            "chat.unfurl", Conversation(channel=channel), channel=channel, ts=ts, unfurls=unfurls
        )

    def channels_of(self, user: str) -> set[str]:
        """The channels `user` is in that the bot can see; empty when Slack will not say."""
        return member_channels(self._client, user)

    def _call(self, method: str, where: Conversation, **arguments: Any) -> bool:
        try:
            self._client.api_call(method, json=arguments)
        except SlackApiError as error:
            log.warning("%s in %s failed: %s", method, where.channel, error)
            chartless = without_chart(arguments.get("blocks"))
            if chartless is None or error.response.get("error") != INVALID_BLOCKS:
                return False
            # A workspace or client without the chart block: the card again, without it.
            return self._call(method, where, **{**arguments, "blocks": chartless})
        except SLACK_FAILURES as error:
            log.warning("%s in %s failed: %s", method, where.channel, error)
            return False
        return True


def _first(what: str, where: Conversation, *ways: Callable[[], bool]) -> bool:
    """Tries each way in turn; says so in the log, with where, when none worked."""
    if any(way() for way in ways):
        return True
    log.error(
        "could not deliver a %s to %s for %s: every way failed", what, where.channel, where.user
    )
    return False


def _origin(url: str) -> str:
    """`scheme://host:port` of a URL, lower-cased; "" when it is not an http(s) URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return ""
    port = port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{parts.hostname}:{port}"


def member_channels(client: WebClient, user: str) -> set[str]:
    """The channels `user` is in that the bot can see; empty when Slack will not say."""
    found: set[str] = set()
    cursor = None
    try:
        while True:
            form = {"user": user, "types": "public_channel,private_channel", "limit": 200}
            page = client.api_call(
                "users.conversations",
                data={
                    **form,
                    "exclude_archived": "true",
                    **({"cursor": cursor} if cursor else {}),
                },
            )
            found.update(str(c["id"]) for c in page.get("channels") or [] if "id" in c)
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return found
    except SLACK_FAILURES as error:
        log.warning("users.conversations for %s failed: %s", user, error)
        return found
