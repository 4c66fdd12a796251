"""Incident cards: posted once with chat.postMessage, then edited in place with chat.update,
and their Snooze 1 h, Mute this cause and (in `/ecs-why watching`) Undo buttons.

The follower (bot/watch/follow.py) decides what to deliver and retries what did not get through;
handlers/incident_cards.py posts and updates the cards.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App

from bot.render.blocks import code
from bot.render.incident import (
    ACTION_MUTE,
    ACTION_SNOOZE,
    ACTION_UNSILENCE,
    SNOOZE,
    with_silence,
)
from bot.watch.incidents import ServiceRef
from handlers.deps import Deps
from handlers.payload import as_object, as_text
from handlers.replies import Conversation, Reply

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    def where(body: dict[str, Any]) -> Conversation:
        container, user = as_object(body.get("container")), as_object(body.get("user"))
        return Conversation(
            channel=as_text(container.get("channel_id")) or "",
            user=as_text(user.get("id")),
            message_ts=as_text(container.get("message_ts")),
            response_url=as_text(body.get("response_url")),
        )

    def clicked(body: dict[str, Any]) -> tuple[Conversation, ServiceRef, str] | None:
        try:
            value = json.loads(body["actions"][0]["value"])
            cause = str(value.pop("cause"))
            return where(body), ServiceRef.model_validate(value), cause
        except (KeyError, IndexError, TypeError, ValueError, ValidationError):
            return None

    def show(conversation: Conversation, body: dict[str, Any], note: str) -> None:
        message = as_object(body.get("message"))
        blocks = message.get("blocks")
        if isinstance(blocks, list) and all(isinstance(b, dict) for b in blocks):
            reply = Reply(str(message.get("text") or note), with_silence(blocks, note))
            deps.replies.replace(conversation, reply)

    @app.action(ACTION_SNOOZE)
    def on_snooze(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        if (click := clicked(body)) is None:
            return
        conversation, service, _ = click
        until = datetime.now(UTC) + SNOOZE
        deps.watches.snooze(conversation.channel, service, until)
        note = (
            f":zzz: Snoozed until {until:%H:%M} UTC in this channel: `/ecs-why watching` undoes it."
        )
        deps.background("snoozing an incident", lambda: show(conversation, body, note))

    @app.action(ACTION_MUTE)
    def on_mute(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        if (click := clicked(body)) is None:
            return
        conversation, service, cause = click
        deps.watches.mute(conversation.channel, service, cause)
        note = (
            f":mute: {code(cause)} of {code(service.label)} is muted in this channel: "
            "`/ecs-why watching` undoes it."
        )
        deps.background("muting an incident", lambda: show(conversation, body, note))

    @app.action(ACTION_UNSILENCE)
    def on_undo(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        conversation = where(body)
        try:
            key = str(body["actions"][0]["value"])
        except (KeyError, IndexError, TypeError):
            return
        done = deps.watches.undo(conversation.channel, key)
        text = f":bell: {code(key)} is no longer silenced." if done else "Nothing to undo."
        deps.background(
            "lifting a silence", lambda: deps.replies.ephemeral(conversation, Reply(text))
        )
