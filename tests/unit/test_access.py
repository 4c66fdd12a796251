"""The channel rules on their own: what each kind of rule lets through."""

from __future__ import annotations

import pytest

from bot.model import Target
from bot.slack.access import Access

RULES = {
    "C1": ["production", "prod:*"],
    "C2": ["*:staging-*"],
    "*": ["sandbox"],
}
access = Access(RULES, "#platform-help")


@pytest.mark.parametrize(
    ("channel", "target"),
    [
        ("C1", Target(cluster="production", service="api")),
        ("C1", Target(account="prod", cluster="anything", service="api")),
        ("C1", Target(account="prod", service="api")),  # any cluster of prod: may search
        ("C2", Target(account="dev", cluster="staging-eu", service="api")),
        ("C9", Target(cluster="sandbox", task_id="0" * 32)),
    ],
)
def test_allowed(channel: str, target: Target) -> None:
    assert access.refusal(channel, target) is None


@pytest.mark.parametrize(
    ("channel", "target", "words"),
    [
        ("C1", Target(cluster="legacy", service="api"), "may not query `legacy/api`"),
        ("C1", Target(account="dev", cluster="production", service="api"), "#platform-help"),
        ("C2", Target(cluster="production", service="api"), "`*:staging-*`"),
        ("C1", Target(service="api"), "name the cluster too (like `production/api`)"),
        ("C9", Target(cluster="production", service="api"), "`sandbox`"),
    ],
)
def test_refused_with_what_is_allowed_and_whom_to_ask(
    channel: str, target: Target, words: str
) -> None:
    refusal = access.refusal(channel, target)
    assert refusal is not None
    assert words in refusal


def test_no_rules_allow_everything() -> None:
    assert Access({}, "anyone").refusal("C1", Target(service="api")) is None


REGIONAL = Access(
    {"C1": ["production@eu-west-1", "prod:ledger-*@us-*"], "C2": ["*"]},
    "#platform-help",
    {"default": "eu-west-1", "prod": "us-east-1"},
)


@pytest.mark.parametrize(
    ("channel", "target"),
    [
        ("C1", Target(cluster="production", service="api", region="eu-west-1")),
        ("C1", Target(cluster="production", service="api")),  # the bot's default region
        ("C1", Target(account="prod", cluster="ledger-eu", service="api", region="us-west-2")),
        ("C1", Target(account="prod", cluster="ledger-eu", service="api")),  # prod's default
        ("C2", Target(cluster="anything", service="api", region="ap-south-1")),  # no @: all
    ],
)
def test_a_rule_may_name_regions(channel: str, target: Target) -> None:
    assert REGIONAL.refusal(channel, target) is None


@pytest.mark.parametrize(
    "target",
    [
        Target(cluster="production", service="api", region="us-east-1"),
        Target(account="prod", cluster="ledger-eu", service="api", region="eu-west-1"),
    ],
)
def test_another_region_is_refused_and_named(target: Target) -> None:
    refusal = REGIONAL.refusal("C1", target)
    assert refusal is not None
    assert f"in {target.region} (it may query `production@eu-west-1`" in refusal


def test_an_unknown_default_region_matches_only_rules_for_every_region() -> None:
    access = Access({"C1": ["production@eu-west-1"], "C2": ["production"]}, "x")
    assert access.refusal("C1", Target(cluster="production", service="api")) is not None
    assert access.refusal("C2", Target(cluster="production", service="api")) is None


def test_only_clusters_the_channel_may_query_are_visible() -> None:
    target = Target(cluster="ledger-nope", service="api")
    visible = [c for c in ("ledger-a", "production", "secret") if access.may_see("C2", target, c)]
    assert visible == []
    assert access.may_see("C1", target, "production")
    assert not access.may_see("C1", target, "legacy")
    assert Access({}, "x").may_see("C1", target, "anything")
