"""Cache, single-flight and de-duplication, in Redis when shared and in memory when not.

Redis is an optimisation, never a dependency: when it is down or slow every operation falls
back to this process's memory, warns once, and tries Redis again after a short pause.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    import redis
    from pydantic import AnyUrl

log = logging.getLogger(__name__)

# Bump when the shape of anything cached changes: old entries are then never read.
FORMAT_VERSION = 2  # 2: findings carry typed evidence and a Where; gaps name their fact


def cache_key(*parts: str) -> str:
    """A namespaced, versioned key: `ecs-why:v2:<kind>:…`."""
    return ":".join(("ecs-why", f"v{FORMAT_VERSION}", *parts))


T = TypeVar("T")


class Store(Protocol):
    """The few primitives everything else is built on."""

    def get(self, key: str) -> bytes | None: ...
    def set(self, key: str, value: bytes, ttl: float) -> None: ...
    def add(self, key: str, value: bytes, ttl: float) -> bool:
        """Sets the key only if it is absent; True when this call set it."""
        ...

    def delete_if(self, key: str, value: bytes) -> None:
        """Deletes the key only if it still holds `value` (a lock we own)."""
        ...

    def renew(self, key: str, value: bytes, ttl: float) -> bool:
        """Keeps the key `ttl` seconds more only if it still holds `value`; True if it did."""
        ...

    def lease(self, key: str, held: bytes | None, holder: bytes, ttl: float) -> bytes | None:
        """Renews the lease at `key` for `ttl` seconds if it still holds `held`; else takes it
        when free, under a fencing token one above any before (`<token> <holder>`). What we
        hold now, or None. One atomic step."""
        ...

    def set_fenced(self, lease: str, held: bytes, key: str, value: bytes, ttl: float) -> bool:
        """Sets `key` only while the lease at `lease` still holds `held`: the check and the
        write are one atomic step, so a holder that lost its lease can write nothing."""
        ...


class MemoryStore:
    """The embedded default: one replica, nothing shared."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._items: dict[str, tuple[bytes, float]] = {}
        self._fences: dict[str, int] = {}  # each lease's last fencing token: never evicted
        self._lock = threading.Lock()
        self._clock = clock

    def _live(self, key: str) -> bytes | None:
        item = self._items.get(key)
        if item is None:
            return None
        if item[1] <= self._clock():
            del self._items[key]
            return None
        return item[0]

    def get(self, key: str) -> bytes | None:
        with self._lock:
            return self._live(key)

    def set(self, key: str, value: bytes, ttl: float) -> None:
        with self._lock:
            if len(self._items) > 10_000:
                self._evict()
            self._items[key] = (value, self._clock() + ttl)

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        with self._lock:
            if self._live(key) is not None:
                return False
            self._items[key] = (value, self._clock() + ttl)
            return True

    def delete_if(self, key: str, value: bytes) -> None:
        with self._lock:
            if self._live(key) == value:
                del self._items[key]

    def renew(self, key: str, value: bytes, ttl: float) -> bool:
        with self._lock:
            if self._live(key) != value:
                return False
            self._items[key] = (value, self._clock() + ttl)
            return True

    def lease(self, key: str, held: bytes | None, holder: bytes, ttl: float) -> bytes | None:
        with self._lock:
            current = self._live(key)
            if current is None:
                self._fences[key] = self._fences.get(key, 0) + 1
                current = b"%d %s" % (self._fences[key], holder)
            elif current != held:
                return None
            self._items[key] = (current, self._clock() + ttl)
            return current

    def set_fenced(self, lease: str, held: bytes, key: str, value: bytes, ttl: float) -> bool:
        with self._lock:
            if self._live(lease) != held:
                return False
            self._items[key] = (value, self._clock() + ttl)
            return True

    def _evict(self) -> None:
        now = self._clock()
        for key in [k for k, (_, expiry) in self._items.items() if expiry <= now]:
            del self._items[key]
        while len(self._items) > 5_000:
            del self._items[next(iter(self._items))]


# Deletes a lock only while it still holds our token, so a replica whose lock expired and was
# taken over cannot release the new holder's lock.
_DELETE_IF = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
"""

# A lease's value is `<fencing token> <holder>`: the token counts up in `<key>:fence` (never
# reset while Redis keeps its data), the holder (host, pid, random) tells replicas apart even
# if Redis lost the count.
_LEASE = """
local current = redis.call('get', KEYS[1])
if not current then
  current = redis.call('incr', KEYS[2]) .. ' ' .. ARGV[2]
elseif current ~= ARGV[1] then
  return false
end
redis.call('set', KEYS[1], current, 'px', ARGV[3])
return current
"""
_SET_FENCED = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('set', KEYS[2], ARGV[2], 'px', ARGV[3])
return 1
"""


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


class RedisStore:
    """Shared by every replica; any Redis failure degrades to memory instead of failing.

    While Redis is down, requests never wait on it: a background thread pings it every
    `retry_after` seconds and switches back as soon as it answers.
    """

    def __init__(self, url: str, *, timeout: float = 0.5, retry_after: float = 5.0) -> None:
        import redis  # only with a REDIS_URL: a CLI run without one never loads it
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self._errors = redis.RedisError
        self._client = redis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            health_check_interval=30,
            max_connections=64,
            # One quick retry covers a pooled connection that a Redis restart closed.
            retry=Retry(NoBackoff(), 1),
        )
        self._lease = self._client.register_script(_LEASE)
        self._set_fenced = self._client.register_script(_SET_FENCED)
        self._fallback = MemoryStore()
        self._retry_after = retry_after
        self._down = False
        self._state = threading.Lock()

    @property
    def available(self) -> bool:
        return not self._down

    def _failed(self, error: redis.RedisError) -> None:
        with self._state:
            if self._down:
                return
            self._down = True
        log.warning("Redis unavailable (%s): answering without the shared cache", error)
        threading.Thread(target=self._reconnect, name="ecs-why-redis", daemon=True).start()

    def _reconnect(self) -> None:
        while True:
            time.sleep(self._retry_after)
            try:
                self._client.ping()
            except self._errors:
                continue
            self._down = False
            log.warning("Redis is back: the shared cache is in use again")
            return

    def _run(self, command: Callable[[redis.Redis], T], fallback: Callable[[], T]) -> T:
        if self._down:
            return fallback()
        try:
            return command(self._client)
        except self._errors as error:
            self._failed(error)
            return fallback()

    def script(self, source: str) -> Callable[[list[str], list[Any], Callable[[], T]], T | Any]:
        """A Lua script, registered once, run as one atomic step on this store's connection;
        while Redis is down, `fallback` answers instead."""
        registered = self._client.register_script(source)

        def run(keys: list[str], args: list[Any], fallback: Callable[[], T]) -> T | Any:
            return self._run(lambda client: registered(keys, args, client), fallback)

        return run

    def get(self, key: str) -> bytes | None:
        def command(client: redis.Redis) -> bytes | None:
            value = client.get(key)
            return value if isinstance(value, bytes) else None

        return self._run(command, lambda: self._fallback.get(key))

    def set(self, key: str, value: bytes, ttl: float) -> None:
        self._run(
            lambda c: c.set(key, value, px=_ms(ttl)),
            lambda: self._fallback.set(key, value, ttl),
        )

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        return self._run(
            lambda c: bool(c.set(key, value, px=_ms(ttl), nx=True)),
            lambda: self._fallback.add(key, value, ttl),
        )

    def delete_if(self, key: str, value: bytes) -> None:
        self._run(
            lambda c: c.eval(_DELETE_IF, 1, key, value),
            lambda: self._fallback.delete_if(key, value),
        )

    def renew(self, key: str, value: bytes, ttl: float) -> bool:
        return self._run(
            lambda c: bool(c.eval(_RENEW, 1, key, value, _ms(ttl)) == 1),
            lambda: self._fallback.renew(key, value, ttl),
        )

    def lease(self, key: str, held: bytes | None, holder: bytes, ttl: float) -> bytes | None:
        def command(client: redis.Redis) -> bytes | None:
            value = self._lease([key, f"{key}:fence"], [held or b"", holder, _ms(ttl)], client)
            return value if isinstance(value, bytes) else None

        return self._run(command, lambda: self._fallback.lease(key, held, holder, ttl))

    def set_fenced(self, lease: str, held: bytes, key: str, value: bytes, ttl: float) -> bool:
        return self._run(
            lambda c: bool(self._set_fenced([lease, key], [held, value, _ms(ttl)], c) == 1),
            lambda: self._fallback.set_fenced(lease, held, key, value, ttl),
        )


def make_store(redis_url: AnyUrl | str | None) -> Store:
    """Redis when a URL is given (REDIS_URL), else this process's memory."""
    return RedisStore(str(redis_url)) if redis_url else MemoryStore()


class SingleFlight:
    """Runs one computation per key at a time, across threads and (through the store) replicas.

    Others asking for the same key meanwhile wait for its result instead of repeating the work,
    for at most `patience` seconds. The holder renews its cross-replica lock every third of
    `lock_ttl` while it computes, so a crashed replica's lock lapses within `lock_ttl` and
    holds up the others no longer than that (a burst's incidents waited 40 s behind a replica
    killed mid-diagnosis); the lock's random token is its fence (only the holder may renew or
    release it).
    """

    def __init__(
        self, store: Store, *, lock_ttl: float = 6.0, patience: float = 40.0, poll: float = 0.1
    ) -> None:
        self._store = store
        self._lock_ttl = lock_ttl
        self._patience = patience
        self._poll = poll
        self._local: dict[str, Future[bytes]] = {}
        self._guard = threading.Lock()

    def run(
        self,
        key: str,
        compute: Callable[[], bytes],
        *,
        ttl: float,
        fresh: bool = False,
    ) -> bytes:
        """The cached value of `key`, else computes it once; `fresh` skips the cached value."""
        result_key = cache_key("result", key)
        if not fresh and (cached := self._store.get(result_key)) is not None:
            return cached
        with self._guard:
            waiting = self._local.get(key)
            if waiting is None:
                mine: Future[bytes] = Future()
                self._local[key] = mine
        if waiting is not None:
            return waiting.result()
        try:
            value = self._across_replicas(key, result_key, compute, ttl, fresh)
        except BaseException as error:
            mine.set_exception(error)
            raise
        else:
            mine.set_result(value)
            return value
        finally:
            with self._guard:
                del self._local[key]

    def answered(self, key: str) -> bool:
        """Whether `run(key, …)` would cost nothing now: its value is cached, or it is being
        computed (here, or on another replica holding its lock) and would be waited for."""
        if self._store.get(cache_key("result", key)) is not None:
            return True
        with self._guard:
            if key in self._local:
                return True
        return self._store.get(cache_key("lock", key)) is not None

    def _across_replicas(
        self, key: str, result_key: str, compute: Callable[[], bytes], ttl: float, fresh: bool
    ) -> bytes:
        lock_key = cache_key("lock", key)
        token = uuid.uuid4().hex.encode()
        deadline = time.monotonic() + self._patience
        while not self._store.add(lock_key, token, self._lock_ttl):
            # Another replica is computing it: wait for its answer, or for its lock to lapse.
            time.sleep(self._poll)
            if not fresh and (cached := self._store.get(result_key)) is not None:
                return cached
            if time.monotonic() > deadline:
                break
        done = threading.Event()
        threading.Thread(target=self._keep, args=(lock_key, token, done), daemon=True).start()
        try:
            value = compute()
            if ttl > 0:
                self._store.set(result_key, value, ttl)
            return value
        finally:
            done.set()
            self._store.delete_if(lock_key, token)

    def _keep(self, lock_key: str, token: bytes, done: threading.Event) -> None:
        while not done.wait(self._lock_ttl / 3):
            if not self._store.renew(lock_key, token, self._lock_ttl):
                return  # lapsed or taken over: nothing left to keep


class Deduplicator:
    """Remembers which Slack deliveries were handled, so retries and double clicks run once."""

    def __init__(self, store: Store, *, ttl: float = 600.0) -> None:
        self._store = store
        self._ttl = ttl

    def first_time(self, delivery_id: str) -> bool:
        return self._store.add(cache_key("seen", delivery_id), b"1", self._ttl)
