"""The AWS request budget per account and region: ECS's own token buckets, at a share.

ECS throttles each account per region with one token bucket per category of actions (AWS's
"Request throttling for the Amazon ECS API"), and every caller in the account draws on the
same buckets: the console, the CLI, the customer's deploy tooling. The bot keeps to a share
of each, so a burst of diagnoses cannot throttle anyone else. Buckets live in Redis when there
is one, so every replica draws on the same bucket; else in this process's memory.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from botocore.exceptions import BotoCoreError

from bot.cache import RedisStore, Store, cache_key
from bot.settings import Settings


@dataclass(frozen=True)
class Rate:
    """A token bucket: `burst` tokens at most, `refill` tokens added per second."""

    burst: float
    refill: float


# ECS's read categories and their buckets, per account and region, as AWS documents them
# (developerguide/request-throttling.html). The bot makes no modifying call (clients.py).
CATEGORIES: dict[str, Rate] = {
    "cluster-read": Rate(50, 20),
    "task-definition-read": Rate(50, 20),
    "capacity-provider-read": Rate(50, 20),
    "tag-read": Rate(50, 20),
    "setting-read": Rate(50, 20),
    "cluster-resource-read": Rate(100, 20),
    "service-read": Rate(100, 20),
    "service-deployment": Rate(50, 20),
    "service-revision": Rate(50, 20),
    "task-protection": Rate(200, 80),
    "cluster-service-resource-read": Rate(10, 1),
}
ACTIONS: dict[str, str] = {
    "DescribeClusters": "cluster-read",
    "ListClusters": "cluster-read",
    "DescribeTaskDefinition": "task-definition-read",
    "ListTaskDefinitions": "task-definition-read",
    "ListTaskDefinitionFamilies": "task-definition-read",
    "DescribeCapacityProviders": "capacity-provider-read",
    "ListTagsForResource": "tag-read",
    "ListAccountSettings": "setting-read",
    "DescribeContainerInstances": "cluster-resource-read",
    "DescribeTasks": "cluster-resource-read",
    "ListAttributes": "cluster-resource-read",
    "ListContainerInstances": "cluster-resource-read",
    "ListTasks": "cluster-resource-read",
    "DescribeServices": "service-read",
    "ListServices": "service-read",
    "DescribeServiceDeployments": "service-deployment",
    "ListServiceDeployments": "service-deployment",
    "DescribeServiceRevisions": "service-revision",
    "GetTaskProtection": "task-protection",
    "ListServicesByNamespace": "cluster-service-resource-read",
}
# An ECS action the table does not list (a newer one) gets a bucket of its own at the
# table's smallest read rate.
UNLISTED = "unlisted"
UNLISTED_RATE = Rate(10, 1)


def category(action: str) -> tuple[str, Rate]:
    """The bucket an ECS action (e.g. `DescribeServices`) draws on, and its documented rate."""
    name = ACTIONS.get(action, UNLISTED)
    return name, CATEGORIES.get(name, UNLISTED_RATE)


def shared(rate: Rate, share: float) -> Rate:
    """Our part of a bucket: at least one token, so a tiny share still lets a read through."""
    return Rate(max(1.0, rate.burst * share), rate.refill * share)


def take(
    tokens: float | None, at: float, now: float, rate: Rate, n: float = 1, limit: float = 0
) -> tuple[float, float]:
    """The bucket after trying to take `n` tokens at `now`, and the seconds to wait before
    they are ours (0: taken now). `tokens` is what was left at `at` (None: a full bucket).

    A wait of at most `limit` seconds reserves the tokens: the bucket goes below zero, and the
    next caller waits behind this one. So waiters go first come, first served, each with one
    call and one sleep; a wait past `limit` takes nothing. The Lua script below does the same
    in Redis."""
    refilled = rate.burst if tokens is None else tokens + max(0.0, now - at) * rate.refill
    full = min(rate.burst, refilled)
    if full >= n:
        return full - n, 0.0
    wait = (n - full) / rate.refill if rate.refill > 0 else float("inf")
    return (full - n, wait) if wait <= limit else (full, wait)


# `take` in one atomic step, on Redis's own clock (replicas' clocks may differ): the bucket is
# a hash {tokens, at}, kept only while it is refilling. Numbers go back as strings: Redis
# would cut a Lua number to an integer.
_TAKE = """
local burst, refill, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local held = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = burst
if held[1] then
  tokens = math.min(burst, tonumber(held[1]) + math.max(0, now - tonumber(held[2])) * refill)
end
local wait = 0
if tokens < n then wait = (n - tokens) / refill end
if wait <= limit then tokens = tokens - n end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / refill * 1000) + 1000)
return tostring(wait)
"""


class Buckets(Protocol):
    def take(self, key: str, rate: Rate, limit: float = 0) -> float:
        """Takes a token from the bucket at `key`: the seconds until it is ours, reserved when
        that is at most `limit`; past `limit`, nothing is taken."""
        ...


class MemoryBuckets:
    """The buckets of one process (the CLI, or a bot without Redis)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._held: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, rate: Rate, limit: float = 0) -> float:
        with self._lock:
            now = self._clock()
            tokens, at = self._held.get(key, (None, now))
            left, wait = take(tokens, at, now, rate, limit=limit)
            self._held[key] = (left, now)
            return wait


PROCESS = MemoryBuckets()  # every client in this process draws on it when there is no Redis


class RedisBuckets:
    """The buckets every replica shares; while Redis is down, this process's instead."""

    def __init__(self, store: RedisStore) -> None:
        self._take = store.script(_TAKE)

    def take(self, key: str, rate: Rate, limit: float = 0) -> float:
        answer = self._take(
            [key], [rate.burst, rate.refill, 1, limit], lambda: PROCESS.take(key, rate, limit)
        )
        return float(answer.decode() if isinstance(answer, bytes) else answer)


def buckets_for(store: Store | None) -> Buckets:
    """Shared through Redis when the store is, else this process's."""
    return RedisBuckets(store) if isinstance(store, RedisStore) else PROCESS


def request_budget(settings: Settings, store: Store | None) -> Budget:
    """The budget AWS clients draw on: through Redis when `store` is, else this process's."""
    return Budget(
        buckets_for(store), share=settings.aws_budget_share, wait=settings.aws_budget_wait
    )


class BudgetExhausted(BotoCoreError):
    """No token came within the wait: the read is given up, and becomes a gap."""

    fmt = "request budget for {account} in {region} exhausted"

    @property
    def action(self) -> str:
        """The ECS action that was not sent, e.g. `DescribeServices`."""
        return str(self.kwargs["action"])


class Budget:
    """Draws one token per ECS call from the bucket of its account, region and category,
    waiting at most `wait` seconds for one, behind the reads that reserved theirs first."""

    def __init__(
        self,
        buckets: Buckets,
        *,
        share: float,
        wait: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._buckets, self._share, self._wait = buckets, share, wait
        self._sleep = sleep

    def draw(self, account: str, region: str, action: str) -> None:
        """Returns once a token is ours; BudgetExhausted if none would come within the wait."""
        name, documented = category(action)
        rate = shared(documented, self._share)
        key = cache_key("budget", account, region, name)
        wait = self._buckets.take(key, rate, limit=self._wait)
        if wait > self._wait:
            label = f"account {account}" if account.isdigit() else "the bot's own account"
            raise BudgetExhausted(account=label, region=region, action=action)
        if wait > 0:
            self._sleep(wait)
