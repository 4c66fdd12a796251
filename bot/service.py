"""diagnose(target): collect the facts, reason, cache — once per target at a time.

The reasoning (and whatever the caller will render with) is imported on a thread of its own
once the target is found, while the other reads are in flight: a cold `ecs-why diagnose`
sends its first requests without waiting for it.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import partial

from bot.aws.clients import AwsClients, Sessions
from bot.aws.collect import collect_facts
from bot.aws.ecs import ClusterIndex, Remembers
from bot.cache import SingleFlight, Store, cache_key
from bot.errors import EcsWhyError, TargetError
from bot.model import Diagnosis, Facts, LogStream, Service, ServiceDeployment, Target, Task
from bot.parse.target import named_account
from bot.settings import Settings

log = logging.getLogger(__name__)

REASONING = (
    "bot.reason",
    "bot.checks.patterns",
    "bot.checks.past_start",
    "bot.reason.changes",
    "bot.reason.scope",
    "bot.clean",
)
_IMPORTS = threading.Lock()
MAX_CLIENT_SETS = 16  # AwsClients kept (~3 MiB each), by account, region and freshness; LRU
ACCOUNT_ID_TTL = 24 * 3600.0  # how long the account id AWS showed for a scope is remembered


class Diagnoser:
    """What a process shares across diagnoses: AWS clients per region, a thread pool, the cache.
    `index` keeps the service → cluster index (default: `store`; the CLI's: a file in the
    user's cache); the module `renderer` names is imported while the reads are in flight."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        renderer: str | None = None,
        index: Remembers | None = None,
    ) -> None:
        self._settings = settings
        self._index = index or store
        self._later = (*REASONING, *([renderer] if renderer else []))
        self._flight = SingleFlight(store, patience=settings.diagnosis_deadline + 15)
        # `aws_concurrency` threads for each diagnosis at once (made only when needed).
        self._pool = ThreadPoolExecutor(
            max_workers=settings.aws_concurrency * settings.diagnosis_workers,
            thread_name_prefix="ecs-why-aws",
        )
        self._store = store
        self._sessions = Sessions(settings)
        self._clients: OrderedDict[tuple[str | None, str | None, bool], AwsClients] = OrderedDict()
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
                    sessions=self._sessions,
                )
                if len(self._clients) > MAX_CLIENT_SETS:
                    self._clients.popitem(last=False)
            self._clients.move_to_end(key)
            return self._clients[key]

    def diagnose(
        self, target: Target, *, fresh: bool = False, since: timedelta | None = None
    ) -> Diagnosis:
        """The diagnosis of `target`, reused for a short while; `fresh` asks AWS again;
        `since` widens or narrows the window of stopped tasks (CONTRACT §2).

        A target whose ARN names an account is answered for that account or not at all."""
        target = named_account(target, self._settings.account_ids())
        clients = self.clients(target.region, target.account, fresh=fresh)
        seen_id = cache_key("account-id", clients.scope)
        _hold_to_account(target, self._store.get(seen_id))
        data = self._flight.run(
            _diagnosis_key(target, clients, since),
            lambda: self._diagnose_now(target, clients, since).model_dump_json().encode(),
            ttl=self._settings.diagnosis_ttl,
            fresh=fresh,
        )
        diagnosis = Diagnosis.model_validate_json(data)
        if diagnosis.account:
            self._store.set(seen_id, diagnosis.account.encode(), ACCOUNT_ID_TTL)
        _hold_to_account(target, diagnosis.account.encode() if diagnosis.account else None)
        return diagnosis

    def answered(self, target: Target, *, since: timedelta | None = None) -> bool:
        """Whether `diagnose(target, since=since)` would cost AWS nothing now: the answer is
        cached, or being made on this replica or another (the rate limit charges the rest)."""
        try:
            target = named_account(target, self._settings.account_ids())
            clients = self.clients(target.region, target.account)
            return self._flight.answered(_diagnosis_key(target, clients, since))
        except EcsWhyError:  # an unknown account or region: diagnose says so
            return False

    def _diagnose_now(
        self, target: Target, clients: AwsClients, since: timedelta | None
    ) -> Diagnosis:
        facts = collect_facts(
            target,
            clients,
            now=datetime.now(UTC),
            pool=self._pool,
            timeout=self._settings.diagnosis_deadline,
            archive_group=self._settings.events_log_group,
            since=since,
            index=ClusterIndex(self._index, clients.scope),
            wants_manifest=_platform_evidence,
            baseline=_baseline_arn,
            dependency_hosts=_named_hosts,
            on_found=partial(_import_later, self._later),
        )
        # AWS knows the cluster and service; only we know which configured account we asked.
        facts = facts.model_copy(
            update={"target": facts.target.model_copy(update={"account": target.account})}
        )
        _import(REASONING)  # after the thread that imports them, never beside it
        from bot.clean import clean
        from bot.reason import reason
        from bot.reason.scope import with_scope

        account = self._settings.accounts.get(target.account or "")
        # Cleaned once, here: every output and the cache then hold no secret (bot/clean.py).
        diagnosis = clean(with_scope(reason(facts), account.profile if account else None))
        _log_outcome(facts, diagnosis)
        return diagnosis

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _log_outcome(facts: Facts, diagnosis: Diagnosis) -> None:
    """What was read (at DEBUG) and what it showed (at INFO), one line each."""
    log.debug(
        "read %s: %d stopped and %d running tasks, %d log streams, %d gaps",
        diagnosis.target.service or diagnosis.target.task_id,
        len(facts.stopped_tasks),
        len(facts.running_tasks),
        len(facts.log_streams),
        len(facts.gaps),
    )
    log.info(
        "diagnosed %s: %s (%s)",
        diagnosis.target.label,
        diagnosis.status,
        diagnosis.cause.code if diagnosis.cause else "-",
    )


def _platform_evidence(stopped: Iterable[Task], log_streams: Iterable[LogStream]) -> bool:
    _import(REASONING)
    from bot.checks.patterns import platform_evidence

    return platform_evidence(stopped, log_streams)


def _named_hosts(log_streams: Iterable[LogStream]) -> tuple[str, ...]:
    _import(REASONING)
    from bot.checks.past_start import named_hosts

    return named_hosts(log_streams)


def _baseline_arn(
    failing: str,
    service: Service | None,
    family: Sequence[str],
    stopped: Iterable[Task],
    deployments: Sequence[ServiceDeployment],
) -> tuple[str, str] | None:
    _import(REASONING)
    from bot.reason.changes import baseline_arn

    return baseline_arn(failing, service, family, stopped, deployments)


def _hold_to_account(target: Target, seen: bytes | None) -> None:
    """Refuses a target whose ARN names another account than the one these clients read
    (as AWS showed it): before any AWS call once it is known, else before any answer."""
    if target.account_id is None or seen is None or seen.decode() == target.account_id:
        return
    where = f"account {target.account}" if target.account else "the bot's own account"
    raise TargetError(
        f"the ARN names AWS account {target.account_id}, but {where} is another one: "
        "this bot answers only for the account an ARN names (ask for a configured account "
        "by its short name, like prod:CLUSTER/SERVICE)"
    )


def _import(names: Sequence[str]) -> None:
    """Import `names` one thread at a time: two threads entering an import cycle (bot.reason
    and bot.checks) at different modules would each see the other's half-made module."""
    with _IMPORTS:
        for name in names:
            importlib.import_module(name)


def _import_later(names: Sequence[str]) -> None:
    """Import `names` on a thread (once per process, in effect): needed only after the facts."""
    missing = [name for name in names if name not in sys.modules]
    if missing:
        threading.Thread(
            target=partial(_import, missing),
            name="ecs-why-import",
            daemon=True,
        ).start()


def _diagnosis_key(target: Target, clients: AwsClients, since: timedelta | None) -> str:
    """The cache and single-flight key of a diagnosis: which AWS, what, which window."""
    key = f"diagnosis:{clients.scope}:{target.cluster or '*'}:{target.service or target.task_id}"
    return key if since is None else f"{key}:since={int(since.total_seconds())}"
