"""The rate limit on its own, on the in-memory store with a clock the test moves."""

from __future__ import annotations

import pytest

from bot.cache import MemoryStore
from bot.slack.ratelimit import RateLimit, Refused


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def limit(clock: Clock, *, per_user: int = 3, per_channel: int = 5, free: int = 4) -> RateLimit:
    store = MemoryStore(clock=clock)
    return RateLimit(
        store,
        per_user=per_user,
        per_channel=per_channel,
        free_per_user=free,
        window=60,
        clock=clock,
    )


def test_a_user_gets_their_share_then_is_told_when_a_token_is_back() -> None:
    clock = Clock()
    rate = limit(clock)
    assert [rate.refused("U1", "C1", costly=True) for _ in range(3)] == [None] * 3
    clock.now += 20
    assert rate.refused("U1", "C1", costly=True) == Refused("user", 3, 60, 40)
    clock.now += 40
    assert rate.refused("U1", "C1", costly=True) is None  # the first token came back


def test_a_channel_is_limited_whoever_asks() -> None:
    clock = Clock()
    rate = limit(clock)
    assert [rate.refused(f"U{n}", "C1", costly=True) for n in range(5)] == [None] * 5
    refused = rate.refused("U9", "C1", costly=True)
    assert refused is not None
    assert refused.whose == "channel"
    assert rate.refused("U9", "C2", costly=True) is None  # another channel has its own bucket


def test_every_refusal_is_a_line_but_the_warning_comes_once_a_window(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    rate = limit(clock, per_user=1)
    caplog.set_level("INFO", logger="bot.slack.ratelimit")
    for _ in range(4):
        rate.refused("U1", "C1", costly=True)
    assert [r.levelname for r in caplog.records] == ["WARNING", "INFO", "INFO", "INFO"]
    assert "(3 refused)" in caplog.records[-1].getMessage()


def test_free_answers_have_their_own_larger_bucket_and_never_use_up_the_costly_one() -> None:
    clock = Clock()
    rate = limit(clock, per_user=1, free=4)
    assert [rate.refused("U1", "C1", costly=False) for _ in range(4)] == [None] * 4
    refused = rate.refused("U1", "C1", costly=False)
    assert refused == Refused("free", 4, 60, 60)
    # What asks AWS is still there to be had, and once had, free answers do not take it.
    assert rate.refused("U1", "C1", costly=True) is None
    assert rate.refused("U1", "C1", costly=True) == Refused("user", 1, 60, 60)
    assert rate.refused("U2", "C1", costly=False) is None  # another user's flood cap
