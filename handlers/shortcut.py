"""The message shortcut "Why did this stop?" (callback id `diagnose_message`): on a message that
holds task or service ARNs or ECS console URLs (an AWS Chatbot / Amazon Q alert, a pasted
error), a card per target in that message's thread; on any other message, a private note."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from slack_bolt import Ack, App

from bot.errors import TargetError
from bot.parse.target import find_targets
from handlers.deps import Deps
from handlers.messages import bad_targets, too_many
from handlers.payload import as_object, as_text
from handlers.replies import Conversation, Reply

log = logging.getLogger(__name__)

CALLBACK_ID = "diagnose_message"
MAX_TARGETS = 5
NOTHING_FOUND = (
    ":mag: I found nothing to diagnose in that message: use *Why did this stop?* on a message "
    "that holds a task ARN (`arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID`), a service ARN or an "
    "ECS console URL, or ask `/ecs-why cluster/service`."
)


def message_text(value: object) -> Iterator[str]:
    """Every string of a message: its text, its blocks' and its attachments' (alerts put the
    task ARN or the console link in attachments or blocks, not in `text`)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from message_text(item)
    elif isinstance(value, list):
        for item in value:
            yield from message_text(item)


def register(app: App, deps: Deps) -> None:
    @app.shortcut(CALLBACK_ID)
    def on_shortcut(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        message = as_object(body.get("message"))
        where = Conversation(
            channel=as_text(as_object(body.get("channel")).get("id")) or "",
            user=as_text(as_object(body.get("user")).get("id")),
            # The message's thread: its parent's when it is a reply, else the message itself.
            thread_ts=as_text(message.get("thread_ts")) or as_text(message.get("ts")),
            response_url=as_text(body.get("response_url")),
        )
        named = find_targets("\n".join(message_text(message)))
        targets, errors = [], []
        for text in named[:MAX_TARGETS]:
            try:
                targets.append(deps.parse(text))
            except TargetError as error:
                errors.append(error)

        def tell(text: str) -> None:
            reply = Reply(text)
            deps.background("answering a shortcut", lambda: deps.replies.ephemeral(where, reply))

        if not named:
            tell(NOTHING_FOUND)
        elif errors:
            tell(bad_targets(errors, NOTHING_FOUND))
        if len(named) > MAX_TARGETS:
            tell(too_many(len(named), MAX_TARGETS))
        answers, slow = deps.charge_each(where.channel, targets, where.user)
        if slow is not None:
            tell(slow)
        for charged in answers:
            deps.diagnose_then(
                charged,
                deliver=lambda diagnosis: deps.replies.post(where, Reply.card(diagnosis)),
                tell=lambda text: deps.replies.ephemeral(where, Reply(text)),
                user=where.user,
            )
