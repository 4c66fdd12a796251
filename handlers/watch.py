"""`/ecs-why watch TARGET`, `/ecs-why unwatch TARGET` and `/ecs-why watching`: a channel's
subscriptions to incidents (CONTRACT §3), within its channel permissions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack
from slack_sdk.models.blocks import ButtonElement, MarkdownTextObject, SectionBlock

from bot.errors import TargetError
from bot.model import Target
from bot.render.blocks import CARD_BUDGET, MAX_BLOCKS, SECTION_LIMIT, code, slack_date
from bot.render.incident import ACTION_UNSILENCE
from bot.render.pages import NAV_BLOCKS, NAV_ROOM, nav, packed, paginate
from bot.watch.watches import WATCH_USAGE, parse_watch_target, watch_label
from handlers.actions import MAX_PAGE, conversation_of
from handlers.deps import Deps
from handlers.messages import bad_targets
from handlers.replies import Reply

SUBCOMMANDS = frozenset({"watch", "unwatch", "watching"})
ACTION_WATCHING_PAGE = "ecs_why_watching_page"  # its value: the page to show, from 0
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
        # Free answers, capped against floods; taking a watch back is never refused.
        if name != "unwatch" and (slow := self._deps.spare(command.get("user_id"))):
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

    def listing(self, channel: str, page: int = 0) -> dict[str, Any]:
        """What the channel watches, and its snoozes and mutes, each with an Undo button: a
        page at a time, with buttons to the others, however many there are."""
        watches = self._deps.watches.of(channel)
        lines = ["*This channel watches:*", *(f"• {code(watch_label(t))}" for t in watches)]
        if not watches:
            lines = ["This channel watches nothing yet: `/ecs-why watch production/api-service`."]
        items = [
            SectionBlock(text=MarkdownTextObject(text=text)).to_dict()
            for text in packed(lines, SECTION_LIMIT)
        ]
        silences = self._deps.watches.silences(channel, datetime.now(UTC))
        for key, until in silences.items():
            what = f"snoozed until {slack_date(until)}" if until else "muted"
            items.append(
                SectionBlock(
                    text=MarkdownTextObject(text=f":zzz: {code(key)} {what}"),
                    accessory=ButtonElement(text="Undo", action_id=ACTION_UNSILENCE, value=key),
                ).to_dict()
            )
        shown = paginate(items, page, blocks=MAX_BLOCKS - NAV_BLOCKS, size=CARD_BUDGET - NAV_ROOM)
        count = f"{len(watches)} target{'s' if len(watches) != 1 else ''}"
        text = f"This channel watches {count if watches else 'nothing yet'}"
        if silences:
            text += f"; {len(silences)} incident{'s' if len(silences) != 1 else ''} silenced"
        return {"text": text + ".", "blocks": shown.blocks + nav(shown, ACTION_WATCHING_PAGE, str)}

    def on_page(self, ack: Ack, body: dict[str, Any]) -> None:
        """Previous and Next of `/ecs-why watching`: that page in place of the one shown."""
        ack()
        where = conversation_of(body)
        try:
            page = int(body["actions"][0]["value"])
        except (KeyError, IndexError, TypeError, ValueError):
            return
        replies = self._deps.replies
        if slow := self._deps.spare(where.user):  # the page shown stays as it is
            self._deps.background("slowing a page", lambda: replies.ephemeral(where, Reply(slow)))
            return
        listing = self.listing(where.channel, min(max(page, 0), MAX_PAGE))
        reply = Reply(listing["text"], listing["blocks"])
        self._deps.background("paging the watches", lambda: replies.replace(where, reply))
