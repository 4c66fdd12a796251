"""The channel rules on their own: what each kind of rule lets through."""

from __future__ import annotations

import pytest

from bot.access import Access
from bot.model import Target

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
