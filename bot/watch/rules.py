"""Watches within their channel's rules, at every poll and every post, not only when typed.

Channel rules (bot/slack/access.py) change when the bot restarts with new settings; a watch
made under wider rules must not keep posting what the channel may no longer see. So the
follower asks again: each watch at each poll (one the channel may no longer query is removed,
and the channel is told once), and each card, with the account and region of the events it is
about, before it is posted. Nothing here knows Slack: refusing and telling are injected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.model import Target
from bot.watch.watches import Watch, WatchBook, watch_label

# The channel's refusal to query a target, or None when it may (bot.slack.access.Access.refusal).
Refusal = Callable[[str, Target], str | None]
# Posts a short message in a channel.
Tell = Callable[[str, str], object]


def narrowed_text(watch: Watch, refusal: str) -> str:
    return (
        f":no_bell: This channel no longer watches `{watch_label(watch.target)}`: its rules "
        f"changed. {refusal}"
    )


@dataclass(frozen=True)
class ChannelRules:
    refusal: Refusal
    tell: Tell

    def drop_narrowed(self, book: WatchBook) -> list[Watch]:
        """Removes each watch its channel may no longer query and says so in that channel,
        once (of replicas racing, only the one whose removal took says it); the removed."""
        dropped = []
        for watch in book.all():
            refusal = self.refusal(watch.channel, watch.target)
            if refusal is not None and book.remove(watch.channel, watch.target):
                self.tell(watch.channel, narrowed_text(watch, refusal))
                dropped.append(watch)
        return dropped

    def may_post(self, channel: str, target: Target) -> bool:
        """Whether a card about `target` (the event's own account and region) may go to
        `channel`."""
        return self.refusal(channel, target) is None


# No rules at all: every channel may see everything, so nothing is ever dropped or told.
OPEN = ChannelRules(lambda channel, target: None, lambda channel, text: None)
