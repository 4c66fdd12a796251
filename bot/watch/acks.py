"""Who acknowledged an incident in a channel, and when: a key of its own in the shared store,
so every update of the incident's card (by any replica) still shows it."""

from __future__ import annotations

import json
from datetime import datetime

from bot.cache import Store, cache_key
from bot.watch.incidents import Acknowledged

KEEP = 30 * 24 * 3600.0  # as long as an incident may stay open and its card be updated


class Acks:
    def __init__(self, store: Store) -> None:
        self._store = store

    def of(self, channel: str, incident: str) -> Acknowledged | None:
        raw = self._store.get(cache_key("ack", channel, incident))
        if raw is None:
            return None
        try:
            said = json.loads(raw)
            return Acknowledged(user=str(said["user"]), at=datetime.fromisoformat(said["at"]))
        except (ValueError, KeyError, TypeError):
            return None

    def add(self, channel: str, incident: str, acked: Acknowledged) -> bool:
        """Records the first acknowledgement; False when someone acknowledged it already."""
        value = json.dumps({"user": acked.user, "at": acked.at.isoformat()}).encode()
        return self._store.add(cache_key("ack", channel, incident), value, KEEP)
