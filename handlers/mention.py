"""A mention of the bot naming tasks or a service: one card per target, in the mention's thread."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import App

from bot.errors import TargetError
from bot.parse.target import CLUSTER_SERVICE, NAME, find_targets
from handlers.deps import Deps
from handlers.messages import MENTION_USAGE, bad_targets, too_many
from handlers.payload import as_text
from handlers.replies import Conversation, Reply

log = logging.getLogger(__name__)

USER_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
MAX_TARGETS = 5  # cards per mention: enough for an incident, not a flood


def targets_in(text: str) -> list[str]:
    """What a mention asks about: its task and service ARNs; else its `cluster/service` words;
    else a `quoted` name; else its only word when that is all it says."""
    text = USER_MENTION.sub(" ", text)
    if arns := find_targets(text):
        return arns
    words = [word.strip(".,;:!?()\"'") for word in text.split()]
    for pattern, quoted in ((CLUSTER_SERVICE, False), (NAME, True)):
        found = [
            word.strip("`")
            for word in words
            if (not quoted or word.startswith("`")) and pattern.fullmatch(word.strip("`"))
        ]
        if found:
            return list(dict.fromkeys(found))
    return words if len(words) == 1 else []


def register(app: App, deps: Deps) -> None:
    # Events are acknowledged by Bolt before this runs; Slack redelivers one that was not
    # acknowledged in time (X-Slack-Retry-Num), and any replica may get it: the event id,
    # the same on every delivery, is claimed in the shared store so it is answered once.
    @app.event("app_mention")
    def on_mention(event: dict[str, Any], body: dict[str, Any]) -> None:
        event_id = body.get("event_id") or f"{event.get('channel')}:{event.get('ts')}"
        if not deps.dedup.first_time(f"event:{event_id}"):
            log.info("event %s was already handled: ignoring this delivery", event_id)
            return
        channel, ts = event.get("channel"), event.get("ts")
        if not (isinstance(channel, str) and isinstance(ts, str)):
            log.info("event %s names no channel and message to answer in: ignoring it", event_id)
            return
        thread = event.get("thread_ts")
        where = Conversation(
            channel=channel,
            user=as_text(event.get("user")),
            thread_ts=thread if isinstance(thread, str) and thread else ts,
        )
        named = targets_in(str(event.get("text") or ""))
        targets, errors = [], []
        for text in named[:MAX_TARGETS]:
            try:
                targets.append(deps.parse(text))
            except TargetError as error:
                errors.append(error)
        if errors or not targets:
            say(where, bad_targets(errors, MENTION_USAGE))
        if len(named) > MAX_TARGETS:
            say(where, too_many(len(named), MAX_TARGETS))
        answers, slow = deps.charge_each(channel, targets, where.user)
        if slow is not None:
            whisper(where, slow)
        for charged in answers:
            deps.diagnose_then(
                charged,
                deliver=lambda diagnosis: deps.replies.post(where, Reply.card(diagnosis)),
                tell=lambda message: deps.replies.post(where, Reply(message)),
                user=where.user,
            )

    def say(where: Conversation, message: str) -> None:
        reply = Reply(message)
        deps.background("answering a mention", lambda: deps.replies.post(where, reply))

    def whisper(where: Conversation, message: str) -> None:
        reply = Reply(message)
        deps.background("slowing a mention down", lambda: deps.replies.ephemeral(where, reply))
