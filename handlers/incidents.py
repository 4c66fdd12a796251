"""Incident cards: posted once with chat.postMessage, then edited in place with chat.update,
and their Acknowledge, Snooze 1 h, Mute this cause, menu and (in `/ecs-why watching`) Undo
buttons.

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

from bot.model import Target
from bot.render.blocks import (
    ACTION_DETAILS,
    ACTION_LOGS,
    ACTION_RERUN,
    code,
    slack_date,
    target_value,
)
from bot.render.incident import (
    ACTION_ACK,
    ACTION_MORE,
    ACTION_MUTE,
    ACTION_SNOOZE,
    ACTION_UNSILENCE,
    SNOOZE,
    with_ack,
    with_silence,
)
from bot.watch.incidents import Acknowledged, ServiceRef
from handlers import actions
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
            f":zzz: Snoozed until {slack_date(until)} in this channel: "
            "`/ecs-why watching` undoes it."
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

    @app.action(ACTION_ACK)
    def on_ack(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        conversation = where(body)
        try:
            key = str(body["actions"][0]["value"])
        except (KeyError, IndexError, TypeError):
            return
        acked = Acknowledged(user=conversation.user or "someone", at=datetime.now(UTC))
        if deps.acks is not None and not deps.acks.add(conversation.channel, key, acked):
            acked = deps.acks.of(conversation.channel, key) or acked  # the first one stands
        message = as_object(body.get("message"))
        blocks = message.get("blocks")
        if isinstance(blocks, list) and all(isinstance(b, dict) for b in blocks):
            reply = Reply(str(message.get("text") or "Acknowledged"), with_ack(blocks, acked))
            deps.background(
                "acknowledging an incident", lambda: deps.replies.replace(conversation, reply)
            )

    @app.action(ACTION_MORE)
    def on_more(ack: Ack, body: dict[str, Any]) -> None:
        """The menu's Diagnose again, Details and Fetch logs: the card's own buttons, for the
        service the incident's buttons name; a link option only needs the ack."""
        chosen = as_text(
            as_object(as_object(body.get("actions", [{}])[0]).get("selected_option")).get("value")
        )
        handle = _MENU.get(chosen or "")
        service = _service_of(body)
        if handle is None or service is None:
            ack()
            return
        # The archive names the account by its id; the card's buttons by its configured name.
        names = {number: name for name, number in deps.account_ids.items()}
        target = Target(
            account=names.get(service.account),
            region=service.region,
            cluster=service.cluster,
            service=service.service,
        )
        action = {**body["actions"][0], "action_id": chosen, "value": target_value(target)}
        handle(deps, ack, {**body, "actions": [action]})

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


_MENU = {
    ACTION_RERUN: actions.on_rerun,
    ACTION_DETAILS: actions.on_details,
    ACTION_LOGS: actions.on_logs,
}


def _service_of(body: dict[str, Any]) -> ServiceRef | None:
    """The service an incident card is about, from its Snooze button's value."""
    blocks = as_object(body.get("message")).get("blocks")
    for block in blocks if isinstance(blocks, list) else []:
        for element in as_object(block).get("elements") or []:
            if as_object(element).get("action_id") == ACTION_SNOOZE:
                try:
                    value = json.loads(str(element.get("value")))
                    value.pop("cause", None)
                    return ServiceRef.model_validate(value)
                except (ValueError, AttributeError, ValidationError):
                    return None
    return None
