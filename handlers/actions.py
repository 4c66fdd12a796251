"""The card's buttons: Fetch logs, Diagnose again and Details; console links need only an ack."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from slack_bolt import Ack, App

from bot.model import Diagnosis, Target
from bot.parse.target import ACCOUNT, NAME, REGION, TASK_ID
from bot.render.blocks import (
    ACTION_CONSOLE,
    ACTION_DETAILS,
    ACTION_DETAILS_PAGE,
    ACTION_LOGS,
    ACTION_RERUN,
    ACTION_RESOURCE,
    busy_card,
    earlier_verdict,
    fallback_text,
    logs_file,
    render_card,
    render_details,
    render_logs,
)
from bot.render.pages import nav_actions
from handlers.deps import Charged, Deps
from handlers.messages import STALE_BUTTON, rerunning
from handlers.payload import as_object, as_text
from handlers.replies import Conversation, Reply

log = logging.getLogger(__name__)

MAX_PAGE = 1000  # a page number no list of ours reaches: anything above is not our button


@dataclass(frozen=True)
class Click:
    target: Target
    where: Conversation
    card: Reply | None  # the card as it was, when Slack sent it along
    page: int = 0  # the page a Previous or Next button leads to


def read_click(body: dict[str, Any]) -> Click | Conversation:
    """The button's target and where its card is; only the conversation when the value is bad.

    Fields of the wrong type count as missing: a signed request may still be malformed."""
    where, message = conversation_of(body), as_object(body.get("message"))
    try:
        target, page = button_value(body["actions"][0]["value"])
    except (KeyError, IndexError, TypeError, ValidationError):
        return where
    if not made_by_a_button(target):
        return where
    blocks = message.get("blocks")
    card = None
    if isinstance(blocks, list) and blocks and all(isinstance(b, dict) for b in blocks):
        card = Reply(as_text(message.get("text")) or "", blocks)
    return Click(target=target, where=where, card=card, page=page)


class Paged(BaseModel):
    """What a Previous or Next button of Details carries."""

    target: Target
    page: int = Field(ge=0, le=MAX_PAGE)


def button_value(value: object) -> tuple[Target, int]:
    """The target a button carries, and the page it leads to (0 for a card's buttons); parsed
    by pydantic, which bounds nesting and size (a signed value may still be hostile)."""
    if not isinstance(value, str):
        raise TypeError("a button's value is a string")
    try:
        paged = Paged.model_validate_json(value)
    except ValidationError:
        return Target.model_validate_json(value), 0
    return paged.target, paged.page


def conversation_of(body: dict[str, Any]) -> Conversation:
    """Where a click came from: its channel, who clicked, the message and its thread."""
    container, message = as_object(body.get("container")), as_object(body.get("message"))
    return Conversation(
        channel=as_text(container.get("channel_id"))
        or as_text(as_object(body.get("channel")).get("id"))
        or "",
        user=as_text(as_object(body.get("user")).get("id")),
        # The card's thread: its parent's when it is a reply (mentions), else the card itself.
        thread_ts=as_text(message.get("thread_ts")) or as_text(container.get("message_ts")),
        message_ts=as_text(container.get("message_ts")),
        response_url=as_text(body.get("response_url")),
    )


def made_by_a_button(target: Target) -> bool:
    """Whether `target` is one a card could carry: a service or task named as ECS names them,
    in a region named as AWS names them (boto3 raises on a malformed region name)."""
    names = (target.cluster, target.service)
    return (
        bool(target.service or target.task_id)
        and all(name is None or NAME.fullmatch(name) for name in names)
        and (target.task_id is None or TASK_ID.fullmatch(target.task_id) is not None)
        and (target.region is None or REGION.fullmatch(target.region) is not None)
        and (target.account is None or ACCOUNT.fullmatch(target.account) is not None)
    )


def register(app: App, deps: Deps) -> None:
    """Each button's action id to its callback (the ids the card renderer gives them)."""
    app.action(ACTION_LOGS)(lambda ack, body: on_logs(deps, ack, body))
    app.action(ACTION_RERUN)(lambda ack, body: on_rerun(deps, ack, body))
    app.action(ACTION_DETAILS)(lambda ack, body: on_details(deps, ack, body))
    for action_id in nav_actions(ACTION_DETAILS_PAGE):
        app.action(action_id)(lambda ack, body: on_details_page(deps, ack, body))
    app.action(ACTION_CONSOLE)(on_console)
    app.action(ACTION_RESOURCE)(on_console)


def clicked(deps: Deps, ack: Ack, body: dict[str, Any]) -> Click | None:
    """Acks, then the click to act on; None for a stale button or a double click."""
    ack()
    click = read_click(body)
    if isinstance(click, Conversation):
        deps.background("answering a stale button", lambda: tell(deps, click, STALE_BUTTON))
        return None
    action = body["actions"][0]
    # One click per button and card at a time, whoever clicks; the action's own timestamp
    # when Slack sent no card (an ephemeral message).
    card = f"{click.where.channel}:{click.where.message_ts or action.get('action_ts')}"
    button = f"{action['action_id']}:{click.page}"  # Next on page 1, then on page 2: two clicks
    if not deps.clicks.first_time(f"click:{card}:{button}"):
        log.info("ignoring a second %s click on %s", action["action_id"], card)
        return None
    return click


def charge(deps: Deps, click: Click, *, fresh: bool = False, costly: bool = False) -> Charged | str:
    """The click's target admitted for its channel and charged to whoever clicked."""
    asked = deps.admit(click.where.channel, click.target)
    return deps.charge(asked, click.where.user, fresh=fresh, costly=costly)


def tell(deps: Deps, where: Conversation, message: str) -> bool:
    """A private note to whoever clicked."""
    return deps.replies.ephemeral(where, Reply(message))


def on_logs(deps: Deps, ack: Ack, body: dict[str, Any]) -> None:
    """Fetch logs: the stopped container's last lines in the card's thread (charged as what
    asks AWS, whether or not the diagnosis is cached)."""
    if click := clicked(deps, ack, body):
        deps.diagnose_then(
            charge(deps, click, costly=True),
            deliver=lambda diagnosis: post_logs(deps, click.where, diagnosis),
            tell=lambda message: tell(deps, click.where, message),
        )


def on_rerun(deps: Deps, ack: Ack, body: dict[str, Any]) -> None:
    """Diagnose again: the card turns busy, then is replaced by a fresh diagnosis."""
    if click := clicked(deps, ack, body):
        charged = charge(deps, click, fresh=True)
        if isinstance(charged, str):  # refused: the card stays as it is
            deps.background("refusing a re-run", lambda: tell(deps, click.where, charged))
            return
        deps.background("marking a card as re-running", lambda: rerun(deps, click, charged))


def rerun(deps: Deps, click: Click, charged: Charged) -> None:
    """Marks the card busy, then diagnoses afresh.

    In this order: a re-run that fails at once must not give the buttons back before the busy
    note replaced them, or the card would stay busy for good."""
    try:
        if click.card is not None and click.card.blocks is not None:
            busy = busy_card(click.card.blocks, rerunning(click.target))
            deps.replies.replace(click.where, Reply(click.card.text, busy))
    finally:
        deps.diagnose_then(
            charged,
            deliver=lambda diagnosis: show_again(deps, click, diagnosis),
            tell=lambda message: give_back(deps, click, message),
        )


def show_again(deps: Deps, click: Click, diagnosis: Diagnosis) -> None:
    """The new card in place of the old one, saying what the old one had found."""
    card = click.card
    earlier = earlier_verdict(card.blocks) if card is not None and card.blocks else None
    blocks = render_card(diagnosis, earlier=earlier)
    deps.replies.replace(click.where, Reply(fallback_text(diagnosis), blocks))


def give_back(deps: Deps, click: Click, message: str) -> None:
    """A re-run that failed: the card as it was, buttons and all, and a private note why."""
    if click.card is not None:
        deps.replies.replace(click.where, click.card)
    tell(deps, click.where, message)


def on_details(deps: Deps, ack: Ack, body: dict[str, Any]) -> None:
    """Details: every checklist step and the task definition, in the card's thread; free
    while the card's diagnosis is cached."""
    if click := clicked(deps, ack, body):
        deps.diagnose_then(
            charge(deps, click),
            deliver=lambda diagnosis: deps.replies.post(click.where, details(diagnosis)),
            tell=lambda message: tell(deps, click.where, message),
        )


def on_details_page(deps: Deps, ack: Ack, body: dict[str, Any]) -> None:
    """Details' Previous and Next: that page in place of the one shown, free while cached."""
    if click := clicked(deps, ack, body):
        deps.diagnose_then(
            charge(deps, click),
            deliver=lambda diagnosis: deps.replies.replace(
                click.where, details(diagnosis, click.page)
            ),
            tell=lambda message: tell(deps, click.where, message),
        )


def details(diagnosis: Diagnosis, page: int = 0) -> Reply:
    return Reply(f"Details: {diagnosis.target.label}", render_details(diagnosis, page))


def on_console(ack: Ack) -> None:
    """A link button: Slack opens the URL, we only acknowledge."""
    ack()


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
