"""Building the app: missing tokens are one clear error, and building talks to no network."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import build_app
from bot.cache import MemoryStore
from bot.errors import EcsWhyError
from bot.model import Diagnosis, Target
from bot.settings import Settings

UNREACHABLE = "http://127.0.0.1:9/api/"  # the discard port: any call would fail


class NoDiagnoses:
    def diagnose(
        self, target: Target, *, fresh: bool = False, since: timedelta | None = None
    ) -> Diagnosis:
        raise AssertionError("building the app must not diagnose anything")


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
