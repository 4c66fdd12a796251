"""The follower's lease: one holder at a time, renewed by its holder, free once it lapses; each
taking has a larger fencing token, and a holder that lost it can write nothing."""

from __future__ import annotations

import threading
import time

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
    first, second = Lease(store, "follower", 10, clock), Lease(store, "follower", 10, clock)
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


def token(lease: Lease) -> int:
    assert lease.fence is not None
    return int(lease.fence.split()[0])


def test_a_holder_that_lost_the_lease_writes_nothing_and_has_no_time_left() -> None:
    clock = Clock()
    store = MemoryStore(clock)
    first, second = Lease(store, "follower", 10, clock), Lease(store, "follower", 10, clock)
    assert first.hold()
    stale = first.fence
    assert stale is not None
    assert first.write(stale, "state", b"1")
    clock.now = 4
    assert first.left(stale) == 10  # renewed, ten seconds from when it asked
    clock.now = 20  # paused past its lease
    assert second.hold()
    assert token(second) == int(stale.split()[0]) + 1
    assert not first.write(stale, "state", b"stale")
    assert first.left(stale) == 0
    assert store.get("state") == b"1"


def test_a_lease_retaken_after_it_lapsed_is_a_new_fence() -> None:
    clock = Clock()
    store = MemoryStore(clock)
    lease = Lease(store, "follower", 10, clock)
    assert lease.hold()
    before = lease.fence
    assert before is not None
    clock.now = 30  # lapsed, and nobody took it
    assert lease.hold()
    assert lease.fence != before
    assert lease.left(before) == 0  # what was read under the old fence is never written back
    assert not lease.write(before, "state", b"stale")


def test_a_busy_holder_keeps_the_lease_in_the_background_until_it_stops() -> None:
    store = MemoryStore()
    holder, other = Lease(store, "follower", 0.3), Lease(store, "follower", 0.3)
    assert holder.hold()
    stop = threading.Event()
    keeping = threading.Thread(target=holder.keep, args=(stop,))
    keeping.start()
    try:
        time.sleep(1.0)  # three lease lengths without a poll renewing it
        assert not other.hold()
    finally:
        stop.set()
        keeping.join()
    time.sleep(0.4)
    assert other.hold()
