"""`/ecs-why TARGET`: acknowledged at once with a private progress note; the card follows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import Ack, App, BoltRequest, BoltResponse

from bot.errors import TargetError
from bot.parse.duration import split_since
from bot.render.pages import nav_actions
from handlers.deps import Deps
from handlers.messages import COMMAND_USAGE, bad_targets, diagnosing
from handlers.replies import Conversation, Reply
from handlers.watch import ACTION_WATCHING_PAGE, WatchCommands, subcommand

COMMAND = "/ecs-why"
HELP = frozenset({"", "help", "-h", "--help", "?"})


def reparse_form(req: BoltRequest, next_: Callable[[], BoltResponse]) -> BoltResponse:
    """slack_bolt (1.30) reads a form that merely contains "payload" (`/ecs-why payload-api`)
    as an interaction without its `payload` field, that is as `{}`, and answers 404: such a
    form is read again as the fields it is. Runs after the signature check."""
    raw = req.raw_body
    if not req.body and raw and not raw.startswith("{") and "payload" in raw:
        fields = dict(parse_qsl(raw, keep_blank_values=True))
        if "payload" not in fields:
            req.body = fields
    return next_()


def register(app: App, deps: Deps) -> None:
    app.middleware(reparse_form)
    watches = WatchCommands(deps)
    for action_id in nav_actions(ACTION_WATCHING_PAGE):
        app.action(action_id)(watches.on_page)

    @app.command(COMMAND)
    def on_command(ack: Ack, command: dict[str, Any]) -> None:
        text = str(command.get("text") or "").strip()
        if text.lower() in HELP:
            ack(response_type="ephemeral", text=COMMAND_USAGE)
            return
        if sub := subcommand(text):
            watches.run(ack, *sub, command)
            return
        try:
            text, since = split_since(text)  # `/ecs-why api-service since 3d`
            target = deps.parse(text)
        except TargetError as error:
            ack(response_type="ephemeral", text=bad_targets([error], COMMAND_USAGE))
            return
        where = Conversation(
            channel=str(command.get("channel_id") or ""),
            user=command.get("user_id"),
            response_url=command.get("response_url"),
        )
        charged = deps.charge(deps.admit(where.channel, target), where.user, since=since)
        if isinstance(charged, str):  # refused: not this channel's, or past the rate limit
            ack(response_type="ephemeral", text=charged)
            return
        ack(response_type="ephemeral", text=diagnosing(target))
        deps.diagnose_then(
            charged,
            deliver=lambda diagnosis: deps.replies.publish(where, Reply.card(diagnosis)),
            tell=lambda message: deps.replies.ephemeral(where, Reply(message)),
            user=where.user,
        )
