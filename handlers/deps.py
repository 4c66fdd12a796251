"""What every handler needs, built once in bot/slack/app.py and passed to each `register`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from bot.cache import Deduplicator
from bot.errors import EcsWhyError, UnknownName
from bot.model import Diagnosis, Target
from bot.parse.target import named_account, parse_target
from bot.render.home import Asked
from bot.slack.access import Access
from bot.slack.ratelimit import RateLimit
from bot.watch.incidents import Incident
from bot.watch.watches import Watch, WatchBook
from handlers.messages import problem, slow_down, sorry
from handlers.recent import Recent
from handlers.replies import Replies

log = logging.getLogger(__name__)


class Diagnoses(Protocol):
    """What handlers need of `bot.service.Diagnoser`."""

    def diagnose(
        self, target: Target, *, fresh: bool = False, since: timedelta | None = None
    ) -> Diagnosis: ...


@dataclass(frozen=True)
class Admitted:
    """A target its channel may query, as `Deps.admit` decided: what a diagnosis starts from."""

    channel: str
    target: Target


@dataclass(frozen=True)
class Deps:
    diagnoser: Diagnoses
    # Diagnoses run here, never on Bolt's listener pool (5 threads that must stay free to ack).
    executor: Executor
    dedup: Deduplicator  # Slack deliveries (event ids), across replicas
    clicks: Deduplicator  # the same button on the same card, for a few seconds
    replies: Replies
    access: Access  # which channels may query which accounts and clusters
    limit: RateLimit  # how many diagnoses a user and a channel may start
    watches: WatchBook  # what each channel watches, snoozed and muted
    account_ids: Mapping[str, str] = field(default_factory=dict)  # configured: name → id
    recent: Recent | None = None  # each user's last diagnoses, for their Home tab
    # The open incidents of these watches, as (channel, incident): the follower's state.
    incidents: Callable[[list[Watch]], list[tuple[str, Incident]]] = lambda watches: []

    def parse(self, text: str) -> Target:
        """What the user typed as a Target, in the configured account an ARN names (so the
        channel rules judge the account that will be read); TargetError when it is not one."""
        return named_account(parse_target(text), self.account_ids)

    def slowed(self, user: str | None, channel: str) -> str | None:
        """The "slow down" answer once this user or channel has started its share of
        diagnoses; else None, and one diagnosis is counted against both."""
        refused = self.limit.refused(user, channel)
        return slow_down(refused) if refused else None

    def background(
        self, what: str, job: Callable[[], object], on_error: Callable[[], object] | None = None
    ) -> None:
        """Runs `job` on our executor; an unexpected error is logged with `what`, never lost."""

        def run() -> None:
            try:
                job()
            except Exception:  # the outermost edge of a background job
                log.exception("%s failed", what)
                if on_error is not None:
                    on_error()

        self.executor.submit(run)

    def admit(self, channel: str, target: Target) -> Admitted | str:
        """The one access decision, which every entry point (command, mention, shortcut,
        buttons, watch) asks before anything is read from AWS: `target` admitted for
        `channel`, or the polite refusal to show instead."""
        refusal = self.access.refusal(channel, target)
        return refusal if refusal is not None else Admitted(channel, target)

    def diagnose_then(
        self,
        asked: Admitted | str,
        deliver: Callable[[Diagnosis], object],
        tell: Callable[[str], object],
        *,
        fresh: bool = False,
        since: timedelta | None = None,
        user: str | None = None,
    ) -> None:
        """Diagnoses an admitted target in the background, then `deliver`s it or `tell`s what
        went wrong; a refusal (what `admit` answered instead) is told, and AWS is never asked.
        A diagnosis `user` asked for goes on their Home tab."""
        if isinstance(asked, str):
            self.background("refusing a target", lambda: tell(asked))
            return
        target, channel = asked.target, asked.channel

        def job() -> None:
            try:
                diagnosis = self.diagnoser.diagnose(target, fresh=fresh, since=since)
            except EcsWhyError as error:  # unknown service, AWS unreachable: the user can act
                log.info("could not diagnose %s: %s", target.label, error)
                if isinstance(error, UnknownName):  # only the clusters this channel may see
                    error = error.keeping(lambda name: self.access.may_see(channel, target, name))
                tell(problem(target, error))
                return
            deliver(diagnosis)
            if user is not None and self.recent is not None:
                self.recent.add(user, Asked.of(diagnosis, channel))

        self.background(f"answering about {target.label}", job, lambda: tell(sorry(target)))
