"""What each Slack channel watches, and what it snoozed or muted, kept in the shared store.

With Redis the watches survive restarts and every replica sees them; with the memory store they
last as long as the process. One small JSON document holds them all (a channel watches a few
services, a workspace a few hundred), changed under a short lock so replicas never lose an edit.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.cache import MemoryStore, Store, cache_key
from bot.errors import TargetError
from bot.model import Target
from bot.parse.console_url import is_console_url
from bot.parse.target import ACCOUNT_PREFIX, NAME, parse_target, quoted
from bot.watch.incidents import Incident, ServiceRef

WATCH_USAGE = "watch a service (api-service), cluster/service, cluster/* or account:cluster/*"
FOREVER = 10 * 365 * 24 * 3600.0
LOCK_TTL = 5.0


def parse_watch_target(text: str) -> Target:
    """A service or a whole cluster (`cluster/*`), in any TARGET form that names a service."""
    text = text.strip().strip("`<>").strip()
    account = None
    if (
        (prefixed := ACCOUNT_PREFIX.fullmatch(text))
        and not text.startswith("arn:")
        and not is_console_url(text)
    ):
        account, text = prefixed["account"], prefixed["rest"]
    if text.endswith("/*"):
        if not NAME.fullmatch(text[:-2]):
            raise TargetError(f"{quoted(text)} is not a cluster: {WATCH_USAGE}")
        return Target(cluster=text[:-2], account=account)
    target = parse_target(text, account=account)
    if target.service is None:
        raise TargetError(f"{quoted(text)} is a task, and tasks come and go: {WATCH_USAGE}")
    return target


def watch_label(target: Target) -> str:
    """A watch as it is typed (`cluster/service`, `cluster/*`), so `unwatch` takes it back."""
    return target.label if target.service else target.label.removesuffix("?") + "*"


def covers(target: Target, account: str | None, region: str, service: ServiceRef) -> bool:
    """Whether a watch of `target` follows `service`, read from the archive of `account`
    (a short name; None: the bot's own) in `region`."""
    return (
        target.account == account
        and target.region in (None, region)
        and target.cluster in (None, service.cluster)
        and target.service in (None, service.service)
    )


def silence_key(service: ServiceRef, cause: str | None = None) -> str:
    key = f"{service.account}:{service.region}:{service.cluster}/{service.service}"
    return f"{key}:{cause}" if cause else key


@dataclass(frozen=True)
class Watch:
    channel: str
    target: Target


class WatchBook:
    """The watches, snoozes and mutes of every channel."""

    def __init__(
        self,
        store: Store,
        accounts: Iterable[str] = (),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._accounts = frozenset(accounts)
        self.shared = not isinstance(store, MemoryStore)  # else: they end with the process
        self._key = cache_key("watches")
        self._clock = clock

    def check_account(self, target: Target) -> None:
        """TargetError for a watch of an account the bot does not read (ECS_WHY_ACCOUNTS)."""
        if target.account is not None and target.account not in self._accounts:
            known = ", ".join(sorted(self._accounts)) or "none are configured (ECS_WHY_ACCOUNTS)"
            raise TargetError(f"unknown account {target.account!r}: expected one of {known}")

    def all(self) -> list[Watch]:
        return [
            Watch(channel, Target.model_validate(t))
            for channel, entry in self._read().items()
            for t in entry.get("watches", [])
        ]

    def of(self, channel: str) -> list[Target]:
        return [w.target for w in self.all() if w.channel == channel]

    def add(self, channel: str, target: Target) -> bool:
        """True when the channel did not watch `target` yet."""
        value = target.model_dump(exclude_none=True)
        with self._editing() as doc:
            watches = doc.setdefault(channel, {}).setdefault("watches", [])
            if value in watches:
                return False
            watches.append(value)
            return True

    def remove(self, channel: str, target: Target) -> bool:
        """True when the channel watched `target`."""
        value = target.model_dump(exclude_none=True)
        with self._editing() as doc:
            watches = doc.get(channel, {}).get("watches", [])
            if value not in watches:
                return False
            watches.remove(value)
            return True

    def snooze(self, channel: str, service: ServiceRef, until: datetime) -> None:
        with self._editing() as doc:
            doc.setdefault(channel, {}).setdefault("snoozed", {})[silence_key(service)] = (
                until.isoformat()
            )

    def mute(self, channel: str, service: ServiceRef, cause: str) -> None:
        with self._editing() as doc:
            muted = doc.setdefault(channel, {}).setdefault("muted", [])
            if (key := silence_key(service, cause)) not in muted:
                muted.append(key)

    def undo(self, channel: str, key: str) -> bool:
        """Lifts a snooze or a mute (by its `silence_key`); True when there was one."""
        with self._editing() as doc:
            entry = doc.get(channel, {})
            snoozed, muted = entry.get("snoozed", {}), entry.get("muted", [])
            found = key in snoozed or key in muted
            snoozed.pop(key, None)
            if key in muted:
                muted.remove(key)
            return found

    def silences(self, channel: str, now: datetime) -> dict[str, datetime | None]:
        """The channel's snoozes still running (key → until) and mutes (key → None)."""
        entry = self._read().get(channel, {})
        snoozed = {
            key: datetime.fromisoformat(until)
            for key, until in entry.get("snoozed", {}).items()
            if datetime.fromisoformat(until) > now
        }
        return {**snoozed, **dict.fromkeys(entry.get("muted", []))}

    def silencer(self, channel: str, now: datetime) -> Callable[[Incident], bool]:
        """Whether an incident is snoozed or muted in the channel (its silences read once)."""
        silences = self.silences(channel, now)

        def silenced(incident: Incident) -> bool:
            service, cause = incident.service, incident.cause.code
            return silence_key(service) in silences or silence_key(service, cause) in silences

        return silenced

    def _read(self) -> dict[str, dict[str, Any]]:
        raw = self._store.get(self._key)
        return json.loads(raw) if raw else {}

    @contextmanager
    def _editing(self) -> Iterator[dict[str, dict[str, Any]]]:
        lock, token = cache_key("lock", "watches"), uuid.uuid4().hex.encode()
        deadline = self._clock() + LOCK_TTL
        while not self._store.add(lock, token, LOCK_TTL) and self._clock() < deadline:
            time.sleep(0.02)
        try:
            doc = self._read()
            yield doc
            self._store.set(self._key, json.dumps(doc).encode(), FOREVER)
        finally:
            self._store.delete_if(lock, token)
