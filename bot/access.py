"""Who may see what: Slack channels mapped to the accounts and clusters they may query.

A rule is `ACCOUNT:CLUSTER` (a short name from ECS_WHY_ACCOUNTS, or `default` for the bot's
own account) or just `CLUSTER` in the bot's own account; `*` matches anything. The channel
`*` holds the rules for every channel not named. No rules at all means everyone may ask.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase

from bot.model import Target

OWN_ACCOUNT = "default"


def _split(rule: str) -> tuple[str, str]:
    account, _, cluster = rule.rpartition(":")
    return account or OWN_ACCOUNT, cluster


class Access:
    def __init__(self, channels: Mapping[str, Sequence[str]], contact: str) -> None:
        self._channels = channels
        self._contact = contact

    def rules(self, channel: str) -> Sequence[str]:
        return self._channels.get(channel, self._channels.get("*", ()))

    def refusal(self, channel: str, target: Target) -> str | None:
        """None when `channel` may query `target`; else a polite refusal saying whom to ask."""
        if not self._channels:
            return None
        account = target.account or OWN_ACCOUNT
        clusters = [c for a, c in map(_split, self.rules(channel)) if fnmatchcase(account, a)]
        if target.cluster is None and "*" in clusters:
            return None
        if target.cluster is not None and any(fnmatchcase(target.cluster, c) for c in clusters):
            return None
        allowed = ", ".join(f"`{rule}`" for rule in self.rules(channel)) or "nothing"
        if target.cluster is None and clusters:
            return (
                f"In this channel, name the cluster too (like `{clusters[0]}/{target.service}`): "
                f"it may query {allowed}."
            )
        return (
            f"Sorry, this channel may not query `{target.label}` (it may query {allowed}). "
            f"Ask {self._contact} to allow it, or ask in a channel that may."
        )
