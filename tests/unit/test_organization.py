"""Account names found in the organisation: what a user types, and names two accounts share."""

from __future__ import annotations

import pytest

from bot.aws.organization import named, refuse_shared_names, short_name
from bot.errors import EcsWhyError


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("Payments (Prod)", "payments-prod"),
        ("search", "search"),
        ("  Data__Lake 2 ", "data-lake-2"),
        ("日本", "account"),
    ],
)
def test_short_names(name: str, short: str) -> None:
    assert short_name(name) == short


def test_a_name_two_accounts_share_becomes_name_and_id_for_each() -> None:
    names, shared = named(
        {"111111111111": "Payments", "222222222222": "payments", "333333333333": "Search"}
    )
    assert names == {
        "payments-111111111111": "111111111111",
        "payments-222222222222": "222222222222",
        "search": "333333333333",
    }
    assert shared == {"payments": ["111111111111", "222222222222"]}


def test_a_channel_rule_naming_a_shared_name_is_refused() -> None:
    shared = {"payments": ["111111111111", "222222222222"]}
    refuse_shared_names({"C1": ["payments-111111111111:*", "search:*@eu-west-1"]}, shared)
    with pytest.raises(EcsWhyError, match=r"C2.*'payments'.*111111111111, 222222222222"):
        refuse_shared_names({"C2": ["payments:prod@eu-west-1"]}, shared)
