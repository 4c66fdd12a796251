"""`--since DURATION` and the slash command's `since 3d`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.errors import TargetError
from bot.parse.duration import parse_duration, split_since


@pytest.mark.parametrize(
    ("text", "window"),
    [("90m", timedelta(minutes=90)), ("12h", timedelta(hours=12)), ("3d", timedelta(days=3))],
)
def test_durations(text: str, window: timedelta) -> None:
    assert parse_duration(text) == window


@pytest.mark.parametrize("text", ["", "12", "h", "0h", "1w", "-3d", "1.5h", "9999d"])
def test_bad_durations_say_what_a_duration_looks_like(text: str) -> None:
    with pytest.raises(TargetError, match="duration"):
        parse_duration(text)


def test_the_slash_command_window() -> None:
    assert split_since("api-service since 3d") == ("api-service", timedelta(days=3))
    assert split_since("prod:production/api-service") == ("prod:production/api-service", None)
    with pytest.raises(TargetError):
        split_since("api-service since yesterday")
