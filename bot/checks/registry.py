"""A set of checks, what follows from their declarations, and running them.

Everything the verdict asks of the checks is derived here once from what each check and each
root cause declares: which checks serve a step, which facts a step cannot do without, which
causes explain which. A check that raises costs its step, not the diagnosis.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from bot.checks.base import Check, Knowledge
from bot.model import STEPS, Cause, Fact, Facts, Finding, Gap, NextStep, Step

log = logging.getLogger(__name__)


class Checked(NamedTuple):
    """What the checks found; the facts carry a gap for each check that failed."""

    facts: Facts
    findings: list[Finding]


class Registry:
    """The checks of a diagnosis, in the order they run, and what their declarations imply."""

    def __init__(self, checks: Iterable[Check]) -> None:
        self.checks = tuple(checks)
        names = [check.name for check in self.checks]
        if len(set(names)) != len(names):
            raise ValueError(f"two checks share a name: {names}")
        if unserved := [step for step in STEPS if not self.serving(step)]:
            raise ValueError(f"no check serves the checklist steps {unserved}")
        self.knowledge: dict[Cause, Knowledge] = {}
        for knowledge in (k for check in self.checks for k in check.knowledge):
            if self.knowledge.setdefault(knowledge.code, knowledge) is not knowledge:
                raise ValueError(f"{knowledge.code} is known twice")
        # Each root declares what it explains; the verdict asks the other way round.
        self.explained_by: dict[Cause, frozenset[Cause]] = {
            symptom: frozenset(k.code for k in self.knowledge.values() if symptom in k.explains)
            for symptom in self.knowledge
        }

    def __iter__(self) -> Iterator[Check]:
        return iter(self.checks)

    @property
    def facts(self) -> frozenset[Fact]:
        """Every fact a check reads: the reads behind them are what the bot needs to call."""
        return frozenset(fact for check in self.checks for fact in (*check.needs, *check.reads))

    def serving(self, step: Step) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if check.step is step)

    def needs(self, step: Step) -> tuple[Fact, ...]:
        """The facts the step cannot pass without, its checks' first."""
        return tuple(dict.fromkeys(fact for check in self.serving(step) for fact in check.needs))

    def hiding(self, facts: Facts, step: Step) -> Gap | None:
        """The gap that keeps the step from being judged: a failed read of a fact one of its
        checks needs (the first such fact), or one of its checks' own failure."""
        needs, names = self.needs(step), {check.name for check in self.serving(step)}
        hidden = [g for g in facts.gaps if g.fact in needs or g.check in names]
        return min(
            hidden, key=lambda g: needs.index(g.fact) if g.fact in needs else -1, default=None
        )

    def steps_hidden_by(self, gap: Gap) -> tuple[Step, ...]:
        """The checklist steps a gap keeps from being judged, in checklist order."""
        return tuple(
            step
            for step in STEPS
            if gap.fact in self.needs(step) or gap.check in {c.name for c in self.serving(step)}
        )

    def explains(self, root: Cause, symptom: Cause) -> bool:
        """Whether `root` is the deeper cause of `symptom`: declared so, or less vague."""
        if root in self.explained_by[symptom]:
            return True
        return self.knowledge[symptom].vagueness > self.knowledge[root].vagueness

    def next_step(self, cause: Finding, facts: Facts) -> NextStep:
        """What to do about `cause`: the fix its knowledge declares, built from the facts."""
        return self.knowledge[cause.code].fix(cause, facts)

    def run(self, facts: Facts) -> Checked:
        """Every finding of every check, in order. A check that raises is a gap of its step and
        the others go on: one bug must not cost the whole diagnosis."""
        findings: list[Finding] = []
        failed: list[Gap] = []
        for check in self.checks:
            try:
                findings += check.run(facts)
            except Exception as error:  # the edge of one check: recorded, never silent
                log.debug("check %s failed on %s", check.name, facts.target.label, exc_info=True)
                message = type(error).__name__
                failed.append(Gap(check=check.name, action=check.name, message=message))
        if failed:
            facts = facts.model_copy(update={"gaps": (*facts.gaps, *failed)})
        return Checked(facts, findings)
