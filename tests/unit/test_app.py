"""Building the app: missing tokens are one clear error, and building talks to no network."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.cache import MemoryStore
from bot.errors import EcsWhyError
from bot.model import Diagnosis, Target
from bot.settings import Settings
from bot.slack.app import build_app, malformed, signed

UNREACHABLE = "http://127.0.0.1:9/api/"  # the discard port: any call would fail


class NoDiagnoses:
    def diagnose(
        self, target: Target, *, fresh: bool = False, since: timedelta | None = None
    ) -> Diagnosis:
        raise AssertionError("building the app must not diagnose anything")

    def answered(self, target: Target, *, since: timedelta | None = None) -> bool:
        raise AssertionError("building the app must not look into the cache")


def settings(**values: str | None) -> Settings:
    return Settings.model_validate(
        {
            "slack_bot_token": "xoxb-1",
            "slack_signing_secret": "secret",
            "slack_app_token": None,
            "slack_api_url": UNREACHABLE,
        }
        | values
    )


@pytest.mark.parametrize(
    ("values", "variable"),
    [
        ({"slack_bot_token": None}, "SLACK_BOT_TOKEN"),
        ({"slack_bot_token": ""}, "SLACK_BOT_TOKEN"),
        ({"slack_signing_secret": None}, "SLACK_SIGNING_SECRET"),
    ],
)
def test_a_missing_token_names_the_variable_to_set(
    values: dict[str, str | None], variable: str
) -> None:
    with pytest.raises(EcsWhyError, match=f"^{variable} is not set: set it to "):
        build_app(settings(**values), NoDiagnoses(), MemoryStore())


def test_socket_mode_needs_no_signing_secret_and_building_calls_nothing() -> None:
    app = build_app(
        settings(slack_signing_secret=None, slack_app_token="xapp-1"), NoDiagnoses(), MemoryStore()
    )
    assert app.client.base_url == UNREACHABLE


SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
NOW = 1_700_000_000


def signature(raw: bytes, stamp: str) -> str:
    return (
        "v0="
        + hmac.new(SECRET.encode(), b"v0:" + stamp.encode() + b":" + raw, "sha256").hexdigest()
    )


@pytest.mark.parametrize("raw", [b"", b"text=hi", b"\xff\xfe not utf-8", b"&" * 10_000])
def test_a_signature_over_the_exact_bytes_passes(raw: bytes) -> None:
    assert signed(raw, str(NOW), signature(raw, str(NOW)), SECRET, now=NOW + 299)


@pytest.mark.parametrize(
    "stamp",
    [str(NOW - 301), str(NOW + 301), "1700²", "+1700000000", " 1700000000", "1e9", "", "0x10"],
)
def test_a_stale_or_odd_timestamp_fails_without_raising(stamp: str) -> None:
    assert not signed(b"text=hi", stamp, signature(b"text=hi", stamp), SECRET, now=NOW)


@pytest.mark.parametrize("mangle", [str.upper, lambda s: s + "0", lambda s: s[3:], lambda s: ""])
def test_a_wrong_or_odd_signature_fails(mangle: Callable[[str], str]) -> None:
    good = signature(b"text=hi", str(NOW))
    assert not signed(b"text=hi", str(NOW), mangle(good), SECRET, now=NOW)


def test_a_deep_json_body_is_malformed_not_a_crash() -> None:
    assert malformed(b"[" * 100_000 + b"]" * 100_000, "application/json")
    assert malformed(b"payload=" + b"%7B%22a%22%3A" * 5000, "application/x-www-form-urlencoded")
