"""The follower's lease: one holder at a time, renewed by its holder, free once it lapses."""

from __future__ import annotations

from bot.cache import MemoryStore
from bot.watch.follow import Lease


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_one_holder_renews_and_the_other_takes_over_only_once_it_lapses() -> None:
    clock = Clock()
    store = MemoryStore(clock)
    first, second = Lease(store, "follower", ttl=10), Lease(store, "follower", ttl=10)
    assert first.hold()
    assert not second.hold()
    clock.now = 8
    assert first.hold()  # renewed: ten more seconds from now
    clock.now = 15
    assert not second.hold()
    clock.now = 18.5  # the first stopped renewing at 8
    assert second.hold()
    assert not first.hold()


def test_a_released_lease_is_free_at_once() -> None:
    store = MemoryStore(Clock())
    first, second = Lease(store, "follower"), Lease(store, "follower")
    assert first.hold()
    first.release()
    assert second.hold()
