"""What a check is made of: the knowledge behind each cause code, and the check itself.

Each cause code's title is written once, as a `Knowledge` next to the check that
finds it; every renderer reads them from the findings. A `Check` bundles a function of the
facts with the facts it reads, so a step whose facts could not be read says so, and the IAM
policy follows from the reads behind those facts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from bot.model import Cause, Evidence, Fact, Facts, Finding, Particulars, Severity, Step, Where

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

# The order in which ECS starts a task: a fault of an earlier stage stops the task before a
# later one can matter. Of two faults, the earlier one is what the stopped tasks hit.
START_ORDER: dict[Cause, int] = {
    cause: stage
    for stage, causes in enumerate(
        (
            # a place to run
            (
                Cause.NO_CONTAINER_INSTANCES,
                Cause.INSUFFICIENT_CPU,
                Cause.INSUFFICIENT_MEMORY,
                Cause.PORT_IN_USE,
                Cause.FARGATE_CAPACITY,
                Cause.SERVICE_QUOTA,
            ),
            # execution-role credentials
            (Cause.EXECUTION_ROLE_MISSING, Cause.ROLE_NOT_FOUND, Cause.TRUST_POLICY),
            # a way out to ECR, Secrets Manager and CloudWatch Logs
            (
                Cause.MISSING_VPC_ENDPOINT,
                Cause.NO_ROUTE_TO_INTERNET,
                Cause.SECURITY_GROUP_NO_EGRESS,
                Cause.EFS_MOUNT_FAILED,
            ),
            # image pull and secrets
            (
                Cause.IMAGE_NOT_FOUND,
                Cause.ECR_PERMISSION_DENIED,
                Cause.REGISTRY_AUTH,
                Cause.DISK_FULL,
                Cause.SECRETS_ACCESS_DENIED,
            ),
            # log driver
            (Cause.LOG_GROUP_MISSING, Cause.LOG_CONFIG_INVALID),
            # container start
            (Cause.PLATFORM_MISMATCH, Cause.COMMAND_NOT_FOUND, Cause.EXEC_PERMISSION_DENIED),
            # the app runs
            (
                Cause.APP_CRASH,
                Cause.OUT_OF_MEMORY,
                Cause.SEGFAULT,
                Cause.SIGTERM,
                Cause.TASK_ROLE_MISSING,
            ),
            # health checks
            (
                Cause.HEALTH_CHECK_START_PERIOD,
                Cause.HEALTH_CHECK_FAILING,
                Cause.HEALTH_CHECK_PORT_MISMATCH,
                Cause.ELB_HEALTH_CHECK,
            ),
        )
    )
    for cause in causes
}
LATE = len(set(START_ORDER.values()))  # causes with no stage: deliberate stops, unknown


@dataclass(frozen=True)
class Knowledge:
    """What ecs-why knows about one cause code: how to say it and what explains it.

    `title` is a `str.format` template filled from the finding's `Where` and the check's
    words (the next step is built from the facts, in bot/next_steps.py).
    `severity` is "error" for anything that explains why tasks stop, on purpose or not (only
    a deployment's replacements are "info"); a check lowers it to "warning" for a fault that
    stops nothing yet. `explains` lists the causes this one is the root of when both are found
    (a port mismatch explains a failing ELB health check): the root says what it breaks, so a
    new root needs no change to its symptoms. `vagueness` 1 means any specific cause explains
    this one, 2 that any other cause at all does.
    """

    code: Cause
    step: Step
    title: str
    severity: Severity = "error"
    explains: frozenset[Cause] = frozenset()
    vagueness: int = 0

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
