"""The watch follower's reads: the archive's new lines, the account it belongs to, and whether
quiet services run what they should. Everything else of following (the lease, the cursor, the
incidents) is in bot/watch/follow.py and makes no AWS call.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.archive_tail import Batch, read_since
from bot.aws.clients import AwsClients, describe_error
from bot.aws.ecs import describe_service
from bot.aws.reads import FILTER_LOG_EVENTS
from bot.budget import request_budget
from bot.cache import Store
from bot.errors import AwsUnavailable
from bot.settings import Settings
from bot.watch.incidents import ServiceRef, Steady


@dataclass(frozen=True)
class Archive:
    """One account's archive in one region: `account` a short name (None: the bot's own)."""

    account: str | None
    region: str | None


class Reader:
    """The AWS side: the archive's new lines, and whether quiet services run what they should.

    Its clients have no fact cache: every poll must see what arrived since the last one; they
    draw on the request budget of `store` (bot/budget.py) like every diagnosis.
    """

    def __init__(self, settings: Settings, group: str, store: Store | None = None) -> None:
        self._settings = settings
        self._budget = request_budget(settings, store)
        self.group = group
        self._made: dict[Archive, AwsClients] = {}
        self._account_ids: dict[Archive, str] = {}
        self._lock = threading.Lock()

    def _clients(self, region: str | None, account: str | None) -> AwsClients:
        archive = Archive(account, region)
        with self._lock:
            if archive not in self._made:
                self._made[archive] = AwsClients.from_settings(
                    self._settings, region=region, account=account, budget=self._budget
                )
            return self._made[archive]

    def account_id(self, archive: Archive) -> str:
        """The AWS account whose archive this is: its events name no other."""
        with self._lock:
            if archive in self._account_ids:
                return self._account_ids[archive]
        sts = self._clients(archive.region, archive.account).client("sts")
        try:
            found = str(sts.get_caller_identity()["Account"])  # type: ignore[attr-defined]
        except (ClientError, BotoCoreError) as error:
            raise AwsUnavailable(
                f"sts:GetCallerIdentity failed: {describe_error(error)}"
            ) from error
        with self._lock:
            self._account_ids[archive] = found
        return found

    def region(self, archive: Archive) -> str:
        return self._clients(archive.region, archive.account).region

    def read(self, archive: Archive, start: datetime) -> Batch:
        logs = self._clients(archive.region, archive.account).logs()
        try:
            return read_since(logs, self.group, int(start.timestamp() * 1000))
        except (ClientError, BotoCoreError) as error:
            raise AwsUnavailable(
                f"could not read the event archive {self.group} ({FILTER_LOG_EVENTS.action}): "
                f"{describe_error(error)}"
            ) from error

    def steady(
        self, archive: Archive, services: Iterable[ServiceRef], at: datetime
    ) -> list[Steady]:
        """Services that run as many tasks as they want (and have no deployment under way)."""
        ecs = self._clients(archive.region, archive.account).ecs()
        found = []
        for ref in services:
            service = describe_service(ecs, ref.cluster, ref.service)
            if (
                service is not None
                and service.running == service.desired
                and len(service.deployments) <= 1
            ):
                found.append(Steady(service=ref, at=at))
        return found
