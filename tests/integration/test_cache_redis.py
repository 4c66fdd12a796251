"""The cache primitives against a real Redis server, and what happens when it goes away."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import redis

from bot.cache import Deduplicator, MemoryStore, RedisStore, SingleFlight, Store, cache_key
from tests.conftest import RedisServer


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest, redis_url: str) -> Store:
    return MemoryStore() if request.param == "memory" else RedisStore(redis_url)


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex}"


def test_get_set_and_expiry(store: Store) -> None:
    key = unique("k")
    assert store.get(key) is None
    store.set(key, b"value", ttl=0.3)
    assert store.get(key) == b"value"
    time.sleep(0.4)
    assert store.get(key) is None


def test_add_only_once(store: Store) -> None:
    key = unique("k")
    assert store.add(key, b"a", ttl=5)
    assert not store.add(key, b"b", ttl=5)
    assert store.get(key) == b"a"


def test_delete_if_only_deletes_our_own_value(store: Store) -> None:
    key = unique("lock")
    store.set(key, b"theirs", ttl=5)
    store.delete_if(key, b"mine")
    assert store.get(key) == b"theirs"
    store.delete_if(key, b"theirs")
    assert store.get(key) is None


def test_single_flight_computes_once_for_concurrent_callers(store: Store) -> None:
    flight = SingleFlight(store)
    calls = 0
    lock = threading.Lock()

    def compute() -> bytes:
        nonlocal calls
        with lock:
            calls += 1
        time.sleep(0.3)
        return b"diagnosis"

    key = unique("target")
    results: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: results.append(flight.run(key, compute, ttl=30)))
        for _ in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [b"diagnosis"] * 20
    assert calls == 1
    # Within the TTL the answer is reused; `fresh` computes again.
    assert flight.run(key, compute, ttl=30) == b"diagnosis"
    assert calls == 1
    flight.run(key, compute, ttl=30, fresh=True)
    assert calls == 2


def test_single_flight_across_replicas_shares_one_computation(redis_url: str) -> None:
    replicas = [SingleFlight(RedisStore(redis_url), poll=0.02) for _ in range(2)]
    calls = 0

    def compute() -> bytes:
        nonlocal calls
        calls += 1
        time.sleep(0.3)
        return b"one"

    key = unique("target")
    results: list[bytes] = []
    threads = [
        threading.Thread(target=lambda r=r: results.append(r.run(key, compute, ttl=30)))
        for r in replicas
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [b"one", b"one"]
    assert calls == 1


def test_a_crashed_replicas_lock_expires(redis_url: str) -> None:
    store = RedisStore(redis_url)
    key = unique("target")
    # A replica took the lock and died without releasing it.
    store.add(cache_key("lock", key), b"dead-replica", ttl=0.5)
    started = time.monotonic()
    value = SingleFlight(store, lock_ttl=0.5, poll=0.02).run(key, lambda: b"mine", ttl=30)
    assert value == b"mine"
    assert time.monotonic() - started < 5


def test_a_live_holder_keeps_its_lock_past_its_ttl_and_the_other_replica_waits(
    redis_url: str,
) -> None:
    """The lock lapses within 0.3 s unless renewed: a diagnosis taking four times that still
    runs once, and the other replica gets its answer instead of starting a second one."""
    replicas = [SingleFlight(RedisStore(redis_url), lock_ttl=0.3, poll=0.02) for _ in range(2)]
    key, started, calls = unique("target"), threading.Event(), []

    def slow() -> bytes:
        calls.append("first")
        started.set()
        time.sleep(1.2)
        return b"first"

    first = threading.Thread(target=lambda: replicas[0].run(key, slow, ttl=30))
    first.start()
    started.wait(5)

    def again() -> bytes:
        calls.append("second")
        return b"second"

    second = replicas[1].run(key, again, ttl=30)
    first.join()

    assert second == b"first"
    assert calls == ["first"]


def test_errors_reach_every_waiter_and_are_not_cached(store: Store) -> None:
    flight = SingleFlight(store)
    key = unique("target")

    def compute() -> bytes:
        raise ValueError("no such service")

    with pytest.raises(ValueError, match="no such service"):
        flight.run(key, compute, ttl=30)
    assert flight.run(key, lambda: b"later", ttl=30) == b"later"


def test_two_replicas_deduplicate_one_delivery(redis_url: str) -> None:
    first, second = Deduplicator(RedisStore(redis_url)), Deduplicator(RedisStore(redis_url))
    delivery = unique("Ev123")
    assert [first.first_time(delivery), second.first_time(delivery)] == [True, False]


def test_redis_outage_degrades_then_recovers(
    own_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisStore(own_redis.url, retry_after=0.2)
    store.set("before", b"1", ttl=60)
    assert store.get("before") == b"1"

    own_redis.stop()
    # Answers go on, from memory, with one warning.
    store.set("during", b"2", ttl=60)
    assert store.get("during") == b"2"
    assert store.add("dedup", b"x", ttl=60)
    assert not store.add("dedup", b"x", ttl=60)
    assert sum("Redis unavailable" in r.message for r in caplog.records) == 1

    own_redis.start()
    deadline = time.monotonic() + 5
    while not store.available and time.monotonic() < deadline:
        time.sleep(0.05)
    assert store.available
    assert any("Redis is back" in r.message for r in caplog.records)
    # The restarted server is empty; reads and writes go to it again.
    store.set("after", b"3", ttl=60)
    assert store.get("after") == b"3"
    assert store.get("during") is None


def test_a_lease_is_renewed_only_by_its_holder_and_retaken_with_a_larger_token(
    redis_url: str,
) -> None:
    store = RedisStore(redis_url)
    key = f"lease-test-{uuid.uuid4().hex}"
    client = redis.Redis.from_url(redis_url)
    mine = store.lease(key, None, b"a", 2)
    assert mine is not None
    assert store.lease(key, None, b"b", 60) is None  # held: nobody else takes it
    assert store.lease(key, b"1 b", b"b", 60) is None  # nor by guessing its value
    assert int(client.pttl(key)) <= 2000
    assert store.lease(key, mine, b"a", 60) == mine
    assert int(client.pttl(key)) > 2000
    client.delete(key)  # as if it lapsed
    theirs = store.lease(key, None, b"b", 60)
    assert theirs is not None
    assert int(theirs.split()[0]) == int(mine.split()[0]) + 1
    assert store.lease(key, mine, b"a", 60) is None


def test_a_fenced_write_lands_only_while_the_lease_is_held(redis_url: str) -> None:
    store = RedisStore(redis_url)
    lease, key = f"lease-{uuid.uuid4().hex}", f"state-{uuid.uuid4().hex}"
    mine = store.lease(lease, None, b"a", 60)
    assert mine is not None
    assert store.set_fenced(lease, mine, key, b"1", 60)
    redis.Redis.from_url(redis_url).delete(lease)
    theirs = store.lease(lease, None, b"b", 60)
    assert theirs is not None
    assert not store.set_fenced(lease, mine, key, b"stale", 60)
    assert store.set_fenced(lease, theirs, key, b"2", 60)
    assert store.get(key) == b"2"
