"""How many diagnoses a user and a channel may start: a token bucket per user and per channel.

ECS throttles per account and region, and the team's deploy tooling shares that budget with
the bot: one user pasting task ARNs in a loop must not use it up. Only what asks AWS is charged
to those buckets; an answer that costs AWS nothing (from the cache, a page of a list) is
charged to a larger bucket of the user's own instead, so that one person cannot flood a channel
with free answers either. Each bucket holds `limit` tokens and each token comes back `window`
seconds after it was taken. The tokens live in the shared store (one key per token, taken with
an atomic add), so every replica draws from the same buckets; with Redis down, the store's own
fallback counts per replica.
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.cache import Deduplicator, Store, cache_key

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refused:
    whose: str  # "user" or "channel" (what asks AWS), or "free" (a user's free answers)
    limit: int
    window: float
    seconds: float  # until a token is back


class RateLimit:
    def __init__(
        self,
        store: Store,
        *,
        per_user: int,
        per_channel: int,
        free_per_user: int,
        window: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._limits = {"user": per_user, "channel": per_channel, "free": free_per_user}
        self.window = window
        self._clock = clock  # wall-clock time: the expiries are compared across replicas
        self._warned = Deduplicator(store, ttl=window)
        self._refused = itertools.count(1)

    def refused(self, user: str | None, channel: str, *, costly: bool) -> Refused | None:
        """None when an answer may start (its tokens are taken: the user's and the channel's
        when it is `costly`, that is asks AWS, else the user's free one); else whose bucket is
        empty and when it has a token again."""
        buckets = (("user", user), ("channel", channel)) if costly else (("free", user),)
        for kind, who in buckets:
            if not who:
                continue
            seconds = self._take(kind, who)
            if seconds is not None:
                self._count(kind, who, seconds)
                return Refused(kind, self._limits[kind], self.window, seconds)
        return None

    def _take(self, kind: str, who: str) -> float | None:
        now = self._clock()
        keys = [cache_key("rate", kind, who, str(n)) for n in range(self._limits[kind])]
        returns = f"{now + self.window:.3f}".encode()
        for key in keys:
            if self._store.add(key, returns, self.window):
                return None
        # Every token is out: the first comes back when its window ends.
        back = [float(value) for key in keys if (value := self._store.get(key)) is not None]
        return max(1.0, math.ceil(min(back, default=now) - now))

    def _count(self, kind: str, who: str, seconds: float) -> None:
        refused = next(self._refused)
        if self._warned.first_time(f"rate-limited:{kind}:{who}"):
            log.warning(
                "rate limit: %s %s started %d answers within %g s; refusing more for %g s",
                kind,
                who,
                self._limits[kind],
                self.window,
                seconds,
            )
        log.info("rate limit: refused an answer for %s %s (%d refused)", kind, who, refused)
