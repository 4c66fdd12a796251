"""diagnose(target): collect facts, run the checks, conclude — once per target at a time."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from bot.aws.clients import AwsClients
from bot.aws.collect import collect_facts
from bot.cache import SingleFlight, Store
from bot.checks import run_checks
from bot.impact import impact_of
from bot.model import Diagnosis, Target
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

    def diagnose(self, target: Target, *, fresh: bool = False) -> Diagnosis:
        """The diagnosis of `target`, reused for a short while; `fresh` asks AWS again."""
        clients = self.clients(target.region, target.account, fresh=fresh)
        key = (
            f"diagnosis:{clients.scope}:{target.cluster or '*'}:{target.service or target.task_id}"
        )
        data = self._flight.run(
            key,
            lambda: self._diagnose_now(target, clients).model_dump_json().encode(),
            ttl=self._settings.diagnosis_ttl,
            fresh=fresh,
        )
        return Diagnosis.model_validate_json(data)

    def _diagnose_now(self, target: Target, clients: AwsClients) -> Diagnosis:
        now = datetime.now(UTC)
        facts = collect_facts(
            target, clients, now=now, pool=self._pool, timeout=self._settings.diagnosis_deadline
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
                "impact": impact_of(facts),
            }
        )
        log.info(
            "diagnosed %s: %s (%s)",
            diagnosis.target.label,
            diagnosis.status,
            diagnosis.cause.code if diagnosis.cause else "-",
        )
        return diagnosis

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
