"""What a check is made of: the knowledge behind each cause code, and the check itself.

Each cause code is declared once, as a `Knowledge` next to the check that finds it: its
words, its place in a task's start, its primary button and its fix; the reasoning and every
renderer read them from there. A `Check` bundles a function of the
facts with the facts it reads, so a step whose facts could not be read says so, and the IAM
policy follows from the reads behind those facts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum

from bot.model import (
    Cause,
    Evidence,
    Fact,
    Facts,
    Finding,
    NextStep,
    Particulars,
    Primary,
    Severity,
    Step,
    Where,
)

# How directly the evidence proves the cause (Finding.confidence).
NAMED = 90  # an AWS message (or the app's own log line) names the cause
PROVEN = 80  # the configuration shows it: a missing role, a policy that denies, no route
INFERRED = 60  # the evidence points to it without saying so: exit 137 with no reason
VAGUE = 30  # a generic message: "ResourceInitializationError" and nothing more
UNCONFIRMED = 20  # a lead: facts that could confirm or overturn it could not be read
GUESS = 10  # nothing matched

# What a root cause breaks downstream: everything ECS does with the execution role, and what
# ECS fetches from AWS over the task's network before the app starts.
NEEDS_ROLE = frozenset(
    {
        Cause.LOG_CONFIG_INVALID,
        Cause.ECR_PERMISSION_DENIED,
        Cause.REGISTRY_AUTH,
        Cause.SECRETS_ACCESS_DENIED,
    }
)
NEEDS_WAY_OUT = frozenset({Cause.LOG_CONFIG_INVALID, Cause.SECRETS_ACCESS_DENIED})

# What to do about a finding of a cause, built from the facts (see bot/checks/fixes.py).
Fix = Callable[[Finding, Facts], NextStep]


class Stage(IntEnum):
    """The order in which ECS starts a task: a fault of an earlier stage stops the task before
    a later one can matter. Of two faults, the earlier one is what the stopped tasks hit."""

    PLACEMENT = 0  # a place to run
    EXECUTION_ROLE = 1  # execution-role credentials
    WAY_OUT = 2  # a way out to ECR, Secrets Manager and CloudWatch Logs
    PULL = 3  # image pull and secrets
    LOG_DRIVER = 4
    CONTAINER_START = 5
    APP_RUNS = 6
    HEALTH_CHECKS = 7
    LATE = 8  # causes with no stage: deliberate stops, unknown


@dataclass(frozen=True)
class Knowledge:
    """What ecs-why knows about one cause code: how to say it and what explains it.

    `title` is a `str.format` template filled from the finding's `Where` and the check's
    words; `fix` builds the next step from the finding's particulars and the facts.
    `severity` is "error" for anything that explains why tasks stop, on purpose or not (only
    a deployment's replacements are "info"); a check lowers it to "warning" for a fault that
    stops nothing yet. `explains` lists the causes this one is the root of when both are found
    (a port mismatch explains a failing ELB health check): the root says what it breaks, so a
    new root needs no change to its symptoms. `vagueness` 1 means any specific cause explains
    this one, 2 that any other cause at all does. `stage` is where the cause stops a starting
    task; `revision_brought` says a new revision brings it (its code, command, memory or
    secrets), so a failure that began with one is offered the rollback; `primary` is the
    card's primary button: the app's own logs where they hold the answer, else the console
    page of the resource at fault.
    """

    code: Cause
    step: Step
    title: str
    severity: Severity = "error"
    explains: frozenset[Cause] = frozenset()
    vagueness: int = 0
    stage: Stage = Stage.LATE
    revision_brought: bool = False
    primary: Primary = "resource"
    fix: Fix = field(kw_only=True)

    def finding(
        self,
        evidence: Iterable[Evidence],
        where: Where,
        words: Mapping[str, object] | None = None,
        *,
        confidence: int,
        tasks: int = 0,
        severity: Severity | None = None,
        step: Step | None = None,
        observed: bool = False,
        variant: str = "",
        particulars: Particulars | None = None,
    ) -> Finding:
        """A finding of this cause about `where`; its names and `words` fill the title (extra
        ones are ignored)."""
        return Finding(
            code=self.code,
            step=step or self.step,
            severity=severity or self.severity,
            title=self.title.format(**(where.labels() | dict(words or {}))),
            evidence=tuple(evidence),
            where=where,
            confidence=confidence,
            tasks=tasks,
            observed=observed,
            variant=variant,
            particulars=particulars or Particulars(),
        )


def applies_always(facts: Facts) -> str | None:
    """A step that always applies has no reason to be skipped."""
    return None


@dataclass(frozen=True)
class Check:
    """One check: a function of the facts, the facts it reads, and the causes it knows.

    `needs` are the facts it cannot pass without: when a read behind one of them failed, the
    step it serves is unknown. `reads` are the facts it uses but can do without (it weighs the
    logs when they were read). `step` is the checklist step it serves, if any: `passed` is
    that step's note when nothing is wrong, `skip` says why the check does not apply. A check
    that serves no step (what changed since the last healthy deployment) still finds causes;
    they rank with every other finding.
    """

    run: Callable[[Facts], list[Finding]]
    knowledge: tuple[Knowledge, ...]
    needs: tuple[Fact, ...]
    reads: tuple[Fact, ...] = ()
    step: Step | None = None
    passed: str = ""
    skip: Callable[[Facts], str | None] = applies_always

    @property
    def name(self) -> str:
        """The check's function name, `check_image`: what a gap says when the check failed."""
        return self.run.__name__
