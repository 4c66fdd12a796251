"""The diagnoses each user asked for, newest first, for their Home tab: kept in the shared
store (every replica sees them), a few per user, for a week."""

from __future__ import annotations

from pydantic import TypeAdapter, ValidationError

from bot.cache import Store, cache_key
from bot.render.home import MAX_ASKED, Asked

KEEP = 7 * 24 * 3600.0
_LIST = TypeAdapter(list[Asked])


class Recent:
    def __init__(self, store: Store) -> None:
        self._store = store

    def of(self, user: str) -> list[Asked]:
        raw = self._store.get(cache_key("recent", user))
        try:
            return _LIST.validate_json(raw) if raw else []
        except ValidationError:  # an older format: start again
            return []

    def add(self, user: str, asked: Asked) -> None:
        """`asked` first; an earlier diagnosis of the same target from the same channel goes."""
        kept = [a for a in self.of(user) if (a.target, a.channel) != (asked.target, asked.channel)]
        value = _LIST.dump_json([asked, *kept][:MAX_ASKED])
        self._store.set(cache_key("recent", user), value, KEEP)
