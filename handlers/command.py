"""`/ecs-why TARGET`: acknowledged at once with a private progress note; the card follows."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.errors import TargetError
from bot.target import parse_target
from handlers.deps import Deps
from handlers.messages import COMMAND_USAGE, bad_targets, diagnosing
from handlers.replies import Conversation, Reply

COMMAND = "/ecs-why"
HELP = frozenset({"", "help", "-h", "--help", "?"})


def register(app: App, deps: Deps) -> None:
    @app.command(COMMAND)
    def on_command(ack: Ack, command: dict[str, Any]) -> None:
        text = str(command.get("text") or "").strip()
        if text.lower() in HELP:
            ack(response_type="ephemeral", text=COMMAND_USAGE)
            return
        try:
            target = parse_target(text)
        except TargetError as error:
            ack(response_type="ephemeral", text=bad_targets([error], COMMAND_USAGE))
            return
        if refusal := deps.access.refusal(command["channel_id"], target):
            ack(response_type="ephemeral", text=refusal)
            return
        ack(response_type="ephemeral", text=diagnosing(target))
        where = Conversation(
            channel=command["channel_id"],
            user=command.get("user_id"),
            response_url=command.get("response_url"),
        )
        deps.diagnose_then(
            target,
            deliver=lambda diagnosis: deps.replies.publish(where, Reply.card(diagnosis)),
            tell=lambda message: deps.replies.ephemeral(where, Reply(message)),
            channel=where.channel,
        )
