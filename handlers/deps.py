"""What every handler needs, built once in bot/slack/app.py and passed to each `register`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
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
from bot.watch.acks import Acks
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

    def answered(self, target: Target, *, since: timedelta | None = None) -> bool: ...


@dataclass(frozen=True)
class Admitted:
    """A target its channel may query, as `Deps.admit` decided: what a diagnosis starts from."""

    channel: str
    target: Target


@dataclass(frozen=True)
class Charged:
    """An admitted target whose answer was counted against the rate limit (`Deps.charge`):
    the only thing a diagnosis starts from, so no entry point can skip the limit."""

    asked: Admitted
    fresh: bool = False  # ask AWS again, past the cache
    since: timedelta | None = None  # the window of stopped tasks (CONTRACT §2)


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
    acks: Acks | None = None  # who acknowledged which incident card

    def parse(self, text: str) -> Target:
        """What the user typed as a Target, in the configured account an ARN names (so the
        channel rules judge the account that will be read); TargetError when it is not one."""
        return named_account(parse_target(text), self.account_ids)

    def charge(
        self,
        asked: Admitted | str,
        user: str | None,
        *,
        fresh: bool = False,
        since: timedelta | None = None,
        costly: bool = False,
    ) -> Charged | str:
        """`asked` counted against the rate limit, or the "slow down" answer (an access
        refusal is passed on as it is). What asks AWS (`fresh`, `costly`, or a target whose
        answer is neither cached nor being made) is charged to the user and the channel; the
        rest costs AWS nothing and is charged to the user's free answers."""
        if isinstance(asked, str):
            return asked
        costly = costly or fresh or not self.diagnoser.answered(asked.target, since=since)
        refused = self.limit.refused(user, asked.channel, costly=costly)
        return slow_down(refused) if refused else Charged(asked, fresh=fresh, since=since)

    def charge_each(
        self, channel: str, targets: Sequence[Target], user: str | None
    ) -> tuple[list[Charged | str], str | None]:
        """Each of several targets of one message admitted and charged in turn, up to the
        first past the rate limit: those, and the "slow down" answer when one was."""
        answers: list[Charged | str] = []
        for target in targets:
            asked = self.admit(channel, target)
            charged = self.charge(asked, user)
            if isinstance(asked, Admitted) and isinstance(charged, str):
                return answers, charged
            answers.append(charged)
        return answers, None

    def spare(self, user: str | None) -> str | None:
        """An answer that reads nothing from AWS (a list, a page, a watch command, the Home
        tab) counted against the user's free answers: the "slow down" answer past them."""
        refused = self.limit.refused(user, "", costly=False)
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
        charged: Charged | str,
        deliver: Callable[[Diagnosis], object],
        tell: Callable[[str], object],
        *,
        user: str | None = None,
    ) -> None:
        """Diagnoses an admitted and charged target in the background, then `deliver`s it or
        `tell`s what went wrong; a refusal (what `admit` or `charge` answered instead) is
        told, and AWS is never asked. A diagnosis `user` asked for goes on their Home tab."""
        if isinstance(charged, str):
            self.background("refusing a target", lambda: tell(charged))
            return
        target, channel = charged.asked.target, charged.asked.channel

        def job() -> None:
            try:
                diagnosis = self.diagnoser.diagnose(
                    target, fresh=charged.fresh, since=charged.since
                )
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
