"""The card's buttons: Fetch logs, Re-run and Details; the AWS console link needs only an ack."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App

from bot.model import Diagnosis, Target
from bot.render.blocks import (
    ACTION_CONSOLE,
    ACTION_DETAILS,
    ACTION_LOGS,
    ACTION_RERUN,
    busy_card,
    logs_file,
    render_details,
    render_logs,
)
from handlers.deps import Deps
from handlers.messages import STALE_BUTTON, rerunning
from handlers.replies import Conversation, Reply

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Click:
    target: Target
    where: Conversation
    card: Reply | None  # the card as it was, when Slack sent it along


def read_click(body: dict[str, Any]) -> Click | Conversation:
    """The button's target and where its card is; only the conversation when the value is bad."""
    container = body.get("container") or {}
    message = body.get("message") or {}
    where = Conversation(
        channel=container.get("channel_id") or (body.get("channel") or {}).get("id", ""),
        user=(body.get("user") or {}).get("id"),
        # The card's thread: its parent's when it is a reply (mentions), else the card itself.
        thread_ts=message.get("thread_ts") or container.get("message_ts"),
        message_ts=container.get("message_ts"),
        response_url=body.get("response_url"),
    )
    try:
        target = Target.model_validate_json(body["actions"][0]["value"])
    except (KeyError, IndexError, ValidationError):
        return where
    card = Reply(message.get("text", ""), message["blocks"]) if message.get("blocks") else None
    return Click(target=target, where=where, card=card)


def register(app: App, deps: Deps) -> None:
    def clicked(ack: Ack, body: dict[str, Any]) -> Click | None:
        """Acks, then the click to act on; None for a stale button or a double click."""
        ack()
        click = read_click(body)
        if isinstance(click, Conversation):
            deps.background("answering a stale button", lambda: tell(click, STALE_BUTTON))
            return None
        action = body["actions"][0]
        # One click per button and card at a time, whoever clicks; the action's own timestamp
        # when Slack sent no card (an ephemeral message).
        card = f"{click.where.channel}:{click.where.message_ts or action.get('action_ts')}"
        if not deps.clicks.first_time(f"click:{card}:{action['action_id']}"):
            log.info("ignoring a second %s click on %s", action["action_id"], card)
            return None
        return click

    def tell(where: Conversation, message: str) -> bool:
        return deps.replies.ephemeral(where, Reply(message))

    @app.action(ACTION_LOGS)
    def on_logs(ack: Ack, body: dict[str, Any]) -> None:
        if click := clicked(ack, body):
            deps.diagnose_then(
                click.target,
                deliver=lambda diagnosis: post_logs(deps, click.where, diagnosis),
                tell=lambda message: tell(click.where, message),
                channel=click.where.channel,
            )

    @app.action(ACTION_RERUN)
    def on_rerun(ack: Ack, body: dict[str, Any]) -> None:
        if not (click := clicked(ack, body)):
            return
        card = click.card

        def show_busy() -> None:
            if card is not None and card.blocks is not None:
                note = rerunning(click.target)
                deps.replies.replace(click.where, Reply(card.text, busy_card(card.blocks, note)))

        def failed(message: str) -> None:
            if card is not None:
                deps.replies.replace(click.where, card)  # give the buttons back
            tell(click.where, message)

        deps.background("marking a card as re-running", show_busy)
        deps.diagnose_then(
            click.target,
            deliver=lambda diagnosis: deps.replies.replace(click.where, Reply.card(diagnosis)),
            tell=failed,
            channel=click.where.channel,
            fresh=True,
        )

    @app.action(ACTION_DETAILS)
    def on_details(ack: Ack, body: dict[str, Any]) -> None:
        if click := clicked(ack, body):
            deps.diagnose_then(
                click.target,
                deliver=lambda diagnosis: deps.replies.post(
                    click.where,
                    Reply(f"Details: {diagnosis.target.label}", render_details(diagnosis)),
                ),
                tell=lambda message: tell(click.where, message),
                channel=click.where.channel,
            )

    @app.action(ACTION_CONSOLE)
    def on_console(ack: Ack) -> None:
        ack()  # a link button: Slack opens the URL, we only acknowledge


def post_logs(deps: Deps, where: Conversation, diagnosis: Diagnosis) -> None:
    """The stopped container's last log lines in the card's thread; a file when they are long."""
    label = diagnosis.target.label
    blocks, complete = render_logs(diagnosis.log_streams)
    if not complete and deps.replies.upload(
        where,
        filename=f"{label.replace('/', '-')}-logs.txt",
        content=logs_file(diagnosis.log_streams),
        comment=f"The last log lines of {label} (secrets redacted).",
    ):
        return
    deps.replies.post(where, Reply(f"Last log lines of {label}", blocks))
