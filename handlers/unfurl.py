"""ECS console links pasted where the bot is (`link_shared`, `chat.unfurl`): a compact card
under each (state, cause, a button to the full card), within the channel's rules, counted
against the rate limit (as a free answer when the cache has it) and answered from the cache.
Never in an externally shared channel."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App

from bot.errors import TargetError
from bot.model import Diagnosis
from bot.render.home import ACTION_FULL, compact_blocks, unfurl_text
from handlers.actions import charge, clicked
from handlers.deps import Deps
from handlers.payload import as_object, as_text
from handlers.replies import Reply

log = logging.getLogger(__name__)

MAX_LINKS = 5  # Slack unfurls at most five links of a message


def register(app: App, deps: Deps) -> None:
    @app.event("link_shared")
    def on_links(body: dict[str, Any], event: dict[str, Any]) -> None:
        if body.get("is_ext_shared_channel"):
            return  # people outside the organisation are in it
        channel, ts = as_text(event.get("channel")), as_text(event.get("message_ts"))
        user = as_text(event.get("user"))
        links = event.get("links")
        if not channel or not ts or not isinstance(links, list):
            return
        for link in links[:MAX_LINKS]:
            url = as_text(as_object(link).get("url"))
            if url:
                unfurl(deps, channel, ts, user, url)

    app.action(ACTION_FULL)(lambda ack, body: on_full(deps, ack, body))


def unfurl(deps: Deps, channel: str, ts: str, user: str | None, url: str) -> None:
    try:
        target = deps.parse(url)
    except TargetError:
        return  # a console page that is not a service or a task
    charged = deps.charge(deps.admit(channel, target), user)
    if isinstance(charged, str):
        log.info("not unfurling a link in %s: refused or over the limit", channel)
        return

    def deliver(diagnosis: Diagnosis) -> None:
        card = {"blocks": compact_blocks(diagnosis), "fallback": unfurl_text(diagnosis)}
        deps.replies.unfurl(channel, ts, {url: card})

    deps.diagnose_then(
        charged, deliver=deliver, tell=lambda message: log.info("no unfurl: %s", message), user=user
    )


def on_full(deps: Deps, ack: Ack, body: dict[str, Any]) -> None:
    """The unfurl's button: the full card in the thread of the message with the link."""
    if click := clicked(deps, ack, body):
        where = click.where
        deps.diagnose_then(
            charge(deps, click),
            deliver=lambda diagnosis: deps.replies.post(where, Reply.card(diagnosis)),
            tell=lambda message: deps.replies.ephemeral(where, Reply(message)),
        )
