"""diagnose(target): collect facts, run the checks, conclude — once per target at a time."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from bot.aws.clients import AwsClients
from bot.aws.collect import collect_facts
from bot.cache import SingleFlight, Store
from bot.changes import changes_of
from bot.checks import run_checks
from bot.history import history_of
from bot.model import Diagnosis, Facts, Target
from bot.rollback import with_rollback
from bot.settings import Settings
from bot.verdict import conclude

log = logging.getLogger(__name__)


class Diagnoser:
    """What a process shares across diagnoses: AWS clients per region, a thread pool, the cache."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self._settings = settings
        self._flight = SingleFlight(store, lock_ttl=settings.diagnosis_deadline + 15)
        self._pool = ThreadPoolExecutor(
            max_workers=settings.aws_concurrency, thread_name_prefix="ecs-why-aws"
        )
        self._store = store
        self._clients: dict[tuple[str | None, str | None, bool], AwsClients] = {}
        self._clients_lock = threading.Lock()

    def clients(
        self, region: str | None, account: str | None = None, *, fresh: bool = False
    ) -> AwsClients:
        """Clients per account and region; `fresh` ones reuse only answers that cannot change."""
        key = (account, region, fresh)
        with self._clients_lock:
            if key not in self._clients:
                self._clients[key] = AwsClients.from_settings(
                    self._settings,
                    region=region,
                    account=account,
                    store=self._store,
                    immutable_only=fresh,
                )
            return self._clients[key]

    def diagnose(
        self, target: Target, *, fresh: bool = False, since: timedelta | None = None
    ) -> Diagnosis:
        """The diagnosis of `target`, reused for a short while; `fresh` asks AWS again;
        `since` widens or narrows the window of stopped tasks (CONTRACT §2)."""
        clients = self.clients(target.region, target.account, fresh=fresh)
        key = (
            f"diagnosis:{clients.scope}:{target.cluster or '*'}:{target.service or target.task_id}"
        )
        if since is not None:
            key += f":since={int(since.total_seconds())}"
        data = self._flight.run(
            key,
            lambda: self._diagnose_now(target, clients, since).model_dump_json().encode(),
            ttl=self._settings.diagnosis_ttl,
            fresh=fresh,
        )
        return Diagnosis.model_validate_json(data)

    def _diagnose_now(
        self, target: Target, clients: AwsClients, since: timedelta | None
    ) -> Diagnosis:
        now = datetime.now(UTC)
        facts = collect_facts(
            target,
            clients,
            now=now,
            pool=self._pool,
            timeout=self._settings.diagnosis_deadline,
            archive_group=self._settings.events_log_group,
            since=since,
        )
        # AWS knows the cluster and service; only we know which configured account we asked.
        facts = facts.model_copy(
            update={"target": facts.target.model_copy(update={"account": target.account})}
        )
        diagnosis = conclude(facts, run_checks(facts)).model_copy(
            update={
                "task_definition": facts.task_definition,
                "log_streams": facts.log_streams,
                "stopped_at": facts.focus_task.stopped_at if facts.focus_task else None,
            }
        )
        diagnosis = _with_time(diagnosis, facts)
        log.info(
            "diagnosed %s: %s (%s)",
            diagnosis.target.label,
            diagnosis.status,
            diagnosis.cause.code if diagnosis.cause else "-",
        )
        return diagnosis

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _with_time(diagnosis: Diagnosis, facts: Facts) -> Diagnosis:
    """What changed since the last healthy revision, what the archive held, and the rollback
    when the failure began with the new revision."""
    changes = changes_of(facts) if diagnosis.status == "failing" else None
    diagnosis = with_rollback(diagnosis, facts, changes)
    return diagnosis.model_copy(
        update={
            "changes": changes,
            "history": history_of(facts),
            "archive_missing": facts.archive is not None and not facts.archive.found,
        }
    )
