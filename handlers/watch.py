"""`/ecs-why watch TARGET`, `/ecs-why unwatch TARGET` and `/ecs-why watching`: a channel's
subscriptions to incidents (CONTRACT §3), within its channel permissions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack
from slack_sdk.models.blocks import ButtonElement, MarkdownTextObject, SectionBlock

from bot.errors import TargetError
from bot.model import Target
from bot.render.blocks import code, escape
from bot.render.incident import ACTION_UNSILENCE
from bot.watch.watches import WATCH_USAGE, parse_watch_target, watch_label
from handlers.deps import Deps
from handlers.messages import bad_targets

SUBCOMMANDS = frozenset({"watch", "unwatch", "watching"})
MEMORY_NOTE = (
    "\n:information_source: Watches are kept in this bot's memory (no `REDIS_URL`): they last "
    "until it restarts."
)


def subcommand(text: str) -> tuple[str, str] | None:
    """(`watch` | `unwatch` | `watching`, the rest) when the command text starts with one."""
    word, _, rest = text.strip().partition(" ")
    return (word.lower(), rest.strip()) if word.lower() in SUBCOMMANDS else None


class WatchCommands:
    """The three sub-commands; knows whether it has said once that watches live in memory."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps
        self._told_memory = deps.watches.shared

    def run(self, ack: Ack, name: str, rest: str, command: dict[str, Any]) -> None:
        channel = str(command.get("channel_id") or "")
        if slow := self._deps.spare(command.get("user_id")):
            ack(response_type="ephemeral", text=slow)
            return
        if name == "watching":
            ack(response_type="ephemeral", **self.listing(channel))
            return
        usage = f"Use `/ecs-why {name} …` to {WATCH_USAGE}."
        try:
            target = parse_watch_target(rest)
        except TargetError as error:
            ack(response_type="ephemeral", text=bad_targets([error], usage))
            return
        label = code(watch_label(target))
        book = self._deps.watches
        # The channel's own watch is always taken back, whatever its rules have become.
        if name == "unwatch" and book.remove(channel, target):
            ack(
                response_type="in_channel",
                text=f":no_bell: This channel no longer watches {label}.",
            )
            return
        if (refusal := self._refusal(channel, target, usage)) is not None:
            ack(response_type="ephemeral", text=refusal)
            return
        if name == "unwatch":
            text = f"This channel does not watch {label}: `/ecs-why watching` lists what it does."
            ack(response_type="ephemeral", text=text)
            return
        if not book.add(channel, target):
            ack(response_type="ephemeral", text=f"This channel already watches {label}.")
            return
        text = (
            f":eyes: This channel now watches {label}: each incident (stopped tasks with one "
            "cause, failed placements or deployments) gets one card here, updated in place "
            "until it recovers (with me in the channel: `/invite @ecs-why`)."
        )
        if not self._told_memory:
            self._told_memory = True
            text += MEMORY_NOTE
        ack(response_type="in_channel", text=text)

    def _refusal(self, channel: str, target: Target, usage: str) -> str | None:
        """Why the channel may not name `target` (an unknown account, its rules), or None."""
        try:
            self._deps.watches.check_account(target)
        except TargetError as error:
            return bad_targets([error], usage)
        asked = self._deps.admit(channel, target)
        return asked if isinstance(asked, str) else None

    def listing(self, channel: str) -> dict[str, Any]:
        """What the channel watches, and its snoozes and mutes, each with an Undo button."""
        watches = self._deps.watches.of(channel)
        lines = [f"• {code(watch_label(t))}" for t in watches]
        text = (
            "*This channel watches:*\n" + "\n".join(lines)
            if lines
            else "This channel watches nothing yet: `/ecs-why watch production/api-service`."
        )
        blocks = [SectionBlock(text=MarkdownTextObject(text=text))]
        now = datetime.now(UTC)
        for key, until in self._deps.watches.silences(channel, now).items():
            what = f"snoozed until {until:%H:%M} UTC" if until else "muted"
            blocks.append(
                SectionBlock(
                    text=MarkdownTextObject(text=f":zzz: `{escape(key)}` {what}"),
                    accessory=ButtonElement(text="Undo", action_id=ACTION_UNSILENCE, value=key),
                )
            )
        return {"text": text, "blocks": [b.to_dict() for b in blocks]}
