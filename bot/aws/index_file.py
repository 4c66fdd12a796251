"""The CLI's service → cluster index, kept between runs in the user's cache directory.

Without it every `ecs-why diagnose SERVICE` run asks every cluster again (a bare name over 200
clusters: 200 DescribeServices). One small JSON file of keys (each already names the account
and region it holds for, `ClusterIndex`) and their expiry: written whole to a temporary file
and renamed over the old one (a reader never sees half a file), readable by its owner only.
The bot shares its index through Redis instead.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bot.user_cache import write_private

MAX_ENTRIES = 5_000  # the oldest go first past this


class IndexFile:
    """A few values with lifetimes in one file: the `get` and `set` of a `Store`."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path, self._clock = path, clock
        self._lock = threading.Lock()

    def _load(self) -> dict[str, list[object]]:
        try:
            loaded = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}  # none yet, or unreadable: it is only an index, a scan rebuilds it
        return loaded if isinstance(loaded, dict) else {}

    def get(self, key: str) -> bytes | None:
        entry = self._load().get(key)
        if not isinstance(entry, list) or len(entry) != 2:
            return None
        value, expires = entry
        if not isinstance(value, str) or not isinstance(expires, int | float):
            return None
        return value.encode() if expires > self._clock() else None

    def set(self, key: str, value: bytes, ttl: float) -> None:
        now = self._clock()
        with self._lock:
            entries = {
                k: e
                for k, e in self._load().items()
                if isinstance(e, list) and len(e) == 2 and isinstance(e[1], int | float)
                if e[1] > now
            }
            entries[key] = [value.decode(), now + ttl]
            kept = dict(list(entries.items())[-MAX_ENTRIES:])
            write_private(self.path, json.dumps(kept))
