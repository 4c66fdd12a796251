"""Who may see what: Slack channels mapped to the accounts, regions and clusters they may query.

A rule is `[ACCOUNT:]CLUSTER[@REGION]`: ACCOUNT is a short name from ECS_WHY_ACCOUNTS (or
`default`, the bot's own account, which is also what a rule without one means), and a rule
without `@REGION` holds in every region; `*` matches anything in each part. The channel `*`
holds the rules for every channel not named. No rules at all means everyone may ask.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from bot.model import Target

OWN_ACCOUNT = "default"


@dataclass(frozen=True)
class Rule:
    account: str
    cluster: str
    region: str

    @classmethod
    def parse(cls, rule: str) -> Rule:
        where, _, region = rule.partition("@")
        account, _, cluster = where.rpartition(":")
        return cls(account or OWN_ACCOUNT, cluster, region or "*")


class Access:
    def __init__(
        self,
        channels: Mapping[str, Sequence[str]],
        contact: str,
        default_regions: Mapping[str, str] | None = None,
    ) -> None:
        """`default_regions`: the region of each account (by short name) when a target names
        none; a target in an unknown default region matches only rules for any region."""
        self._channels = channels
        self._contact = contact
        self._regions = default_regions or {}

    def rules(self, channel: str) -> Sequence[str]:
        return self._channels.get(channel, self._channels.get("*", ()))

    def _clusters(self, channel: str, target: Target) -> list[str]:
        """The cluster patterns the channel may query in the target's account and region."""
        account = target.account or OWN_ACCOUNT
        region = target.region or self._regions.get(account, "")
        return [
            rule.cluster
            for rule in map(Rule.parse, self.rules(channel))
            if fnmatchcase(account, rule.account) and fnmatchcase(region, rule.region)
        ]

    def may_see(self, channel: str, target: Target, cluster: str) -> bool:
        """Whether the channel may learn that `cluster` exists where `target` is."""
        if not self._channels:
            return True
        return any(fnmatchcase(cluster, c) for c in self._clusters(channel, target))

    def refusal(self, channel: str, target: Target) -> str | None:
        """None when `channel` may query `target`; else a polite refusal saying whom to ask.

        It names only the channel's own rules: never a cluster the channel may not query."""
        if not self._channels:
            return None
        clusters = self._clusters(channel, target)
        if target.cluster is None and "*" in clusters:
            return None
        if target.cluster is not None and self.may_see(channel, target, target.cluster):
            return None
        allowed = ", ".join(f"`{rule}`" for rule in self.rules(channel)) or "nothing"
        asked = f"`{target.label}`" + (f" in {target.region}" if target.region else "")
        if target.cluster is None and clusters:
            return (
                f"In this channel, name the cluster too (like `{clusters[0]}/{target.service}`): "
                f"it may query {allowed}."
            )
        return (
            f"Sorry, this channel may not query {asked} (it may query {allowed}). "
            f"Ask {self._contact} to allow it, or ask in a channel that may."
        )
