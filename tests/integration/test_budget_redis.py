"""The request budget's buckets in a real Redis: one bucket for every replica, and memory when
Redis goes away."""

from __future__ import annotations

import uuid

import pytest

from bot.budget import Budget, BudgetExhausted, Rate, RedisBuckets, buckets_for
from bot.cache import MemoryStore, RedisStore
from tests.conftest import RedisServer

SLOW = Rate(burst=3, refill=0.001)  # refills one token in 1,000 s: none during a test


def test_replicas_draw_on_one_bucket(redis_url: str) -> None:
    key = f"bucket-{uuid.uuid4().hex}"
    one, two = RedisBuckets(RedisStore(redis_url)), RedisBuckets(RedisStore(redis_url))
    assert [one.take(key, SLOW), two.take(key, SLOW), one.take(key, SLOW)] == [0, 0, 0]
    # The fourth token is 1,000 s away, whichever replica asks.
    assert 990 < two.take(key, SLOW) <= 1000
    assert 990 < one.take(key, SLOW) <= 1000
    assert one.take(f"{key}-other", SLOW) == 0


def test_a_refilling_bucket_expires_once_full(redis_url: str) -> None:
    import redis

    key = f"bucket-{uuid.uuid4().hex}"
    RedisBuckets(RedisStore(redis_url)).take(key, Rate(burst=2, refill=4))
    ttl = redis.Redis.from_url(redis_url).pttl(key)
    assert 0 < ttl <= 1500  # full again after half a second: kept no longer than that and 1 s


def test_replicas_queue_for_one_bucket_in_turn(redis_url: str) -> None:
    key = f"bucket-{uuid.uuid4().hex}"
    one, two = RedisBuckets(RedisStore(redis_url)), RedisBuckets(RedisStore(redis_url))
    rate = Rate(burst=1, refill=1)
    assert one.take(key, rate, limit=5) == 0
    waits = [two.take(key, rate, limit=5), one.take(key, rate, limit=5)]
    assert 0.9 < waits[0] <= 1  # reserved in turn, across replicas
    assert 1.9 < waits[1] <= 2
    assert 2.9 < two.take(key, rate, limit=1) <= 3  # past its limit: nothing reserved
    assert 2.9 < one.take(key, rate, limit=5) <= 3


def test_a_budget_on_redis_gives_up_past_its_wait(redis_url: str) -> None:
    account = str(uuid.uuid4().int)[:12]
    budget = Budget(buckets_for(RedisStore(redis_url)), share=0.01, wait=0.2)
    budget.draw(account, "eu-west-1", "DescribeServices")  # 1 token, then 0.2 per second
    with pytest.raises(BudgetExhausted) as raised:
        budget.draw(account, "eu-west-1", "DescribeServices")
    assert str(raised.value) == f"request budget for account {account} in eu-west-1 exhausted"


def test_without_redis_the_buckets_are_this_processs(own_redis: RedisServer) -> None:
    assert not isinstance(buckets_for(MemoryStore()), RedisBuckets)
    key = f"bucket-{uuid.uuid4().hex}"
    buckets = RedisBuckets(RedisStore(own_redis.url, retry_after=60))
    assert buckets.take(key, SLOW) == 0
    own_redis.stop()
    # Redis gone: the process's own bucket answers (a fresh one), and keeps count.
    assert [buckets.take(key, SLOW) for _ in range(3)] == [0, 0, 0]
    assert buckets.take(key, SLOW) > 990
