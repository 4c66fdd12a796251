"""The checks as a whole: every cause code known once, in its contract step; and a check added
from outside (one module, one registration) takes part in a diagnosis like any other."""

from __future__ import annotations

from dataclasses import replace
from string import Formatter

import pytest

from bot.checks import CHECKS, KNOWLEDGE
from bot.checks.base import NAMED, Check, Knowledge
from bot.checks.exit_code import APP_CRASH, SEGFAULT
from bot.checks.registry import Registry
from bot.model import STEPS, Cause, Evidence, Fact, Facts, Finding, Kind, Step, Where
from bot.reason import reason
from bot.render.evidence import evidence_lines
from tests import facts_builder as fb

# CONTRACT.md §4: which step each cause code belongs to (`unknown` goes wherever evidence points).
CONTRACT = {
    Step.STOPPED_REASON: "deployment-or-scale-in stopped-by-user spot-interruption infrastructure "
    "task-failed-to-start container-runtime",
    Step.EXIT_CODE: "app-crash exec-permission-denied command-not-found out-of-memory segfault "
    "sigterm dependency-unreachable config-missing heap-exhausted file-limit not-foreground",
    Step.LOGS: "log-group-missing log-config-invalid",
    Step.IMAGE: "image-not-found ecr-permission-denied registry-auth platform-mismatch",
    Step.IAM: "execution-role-missing role-not-found trust-policy secrets-access-denied "
    "task-role-missing task-role-denied",
    Step.NETWORK: "no-route-to-internet missing-vpc-endpoint security-group-no-egress "
    "security-group-no-ingress efs-mount-failed",
    Step.RESOURCES: "insufficient-cpu insufficient-memory no-container-instances fargate-capacity "
    "service-quota port-in-use disk-full placement-constraint",
    Step.HEALTH_CHECK: "health-check-start-period health-check-failing health-check-port-mismatch "
    "elb-health-check",
}
ALL_KNOWLEDGE = [k for check in CHECKS for k in check.knowledge]


def test_every_cause_code_is_known() -> None:
    assert sorted(k.code for k in ALL_KNOWLEDGE) == sorted(Cause)


@pytest.mark.parametrize("knowledge", ALL_KNOWLEDGE, ids=[k.code.value for k in ALL_KNOWLEDGE])
def test_each_cause_lives_in_its_contract_step(knowledge: Knowledge) -> None:
    if knowledge.code is Cause.UNKNOWN:
        return
    assert knowledge.code.value in CONTRACT[knowledge.step].split()


@pytest.mark.parametrize("knowledge", ALL_KNOWLEDGE, ids=[k.code.value for k in ALL_KNOWLEDGE])
def test_each_title_says_what_is_wrong(knowledge: Knowledge) -> None:
    fields = [name for _, name, _, _ in Formatter().parse(knowledge.title) if name]
    assert all(name.isidentifier() for name in fields)
    assert not knowledge.title.endswith(".")


def test_no_cause_explains_itself_even_through_others() -> None:
    """A cycle would leave every cause on it explained by another, and none the root."""

    def beneath(cause: Cause, seen: frozenset[Cause]) -> frozenset[Cause]:
        below = KNOWLEDGE[cause].explains - seen
        return below.union(*(beneath(c, seen | below) for c in below))

    assert [c for c in KNOWLEDGE if c in beneath(c, frozenset())] == []


def test_the_roots_declarations_say_what_explains_a_symptom() -> None:
    assert CHECKS.explained_by[Cause.ELB_HEALTH_CHECK] == {
        Cause.HEALTH_CHECK_PORT_MISMATCH,
        Cause.APP_CRASH,
        Cause.OUT_OF_MEMORY,
        Cause.DEPENDENCY_UNREACHABLE,
        Cause.CONFIG_MISSING,
        Cause.HEAP_EXHAUSTED,
        Cause.FILE_LIMIT,
        Cause.TASK_ROLE_DENIED,
        Cause.DISK_FULL,
        Cause.SECURITY_GROUP_NO_INGRESS,
    }
    assert CHECKS.explains(Cause.HEALTH_CHECK_PORT_MISMATCH, Cause.ELB_HEALTH_CHECK)
    assert not CHECKS.explains(Cause.ELB_HEALTH_CHECK, Cause.HEALTH_CHECK_PORT_MISMATCH)


def test_the_checks_read_every_fact_but_the_history_behind_what_changed() -> None:
    """The facts the checks read are what the IAM policy must let the collector read."""
    assert CHECKS.facts == set(Fact) - {Fact.DEPLOYMENTS}


def test_all_checks_are_quiet_on_a_healthy_service() -> None:
    for facts in (fb.facts(), fb.on_ec2()):
        assert CHECKS.run(facts) == (facts, [])


def test_a_fact_a_check_only_reads_leaves_its_step_judged() -> None:
    """The exit code weighs the logs when it has them; without them it still judges the exit."""
    stop = fb.stopped(exit_code=139)
    diagnosis = reason(fb.failing(stop, gaps=fb.denied("logs:GetLogEvents")))
    statuses = {item.step: item.status for item in diagnosis.checklist}
    assert (statuses[Step.EXIT_CODE], statuses[Step.LOGS]) == ("failed", "unknown")
    assert CHECKS.steps_hidden_by(fb.denied("logs:GetLogEvents")[0]) == (Step.LOGS,)


# --------------------------------------------------------------------------- a check from outside

DRIFT = "the image digest changed since the last healthy task"


def check_drift(facts: Facts) -> list[Finding]:
    """Stands for a check of no step (what changed since the last healthy deployment)."""
    if not facts.stopped_tasks:
        return []
    evidence = [Evidence(kind=Kind.CONFIG, text=DRIFT)]
    return [SEGFAULT.finding(evidence, Where(container="app"), confidence=NAMED, observed=True)]


def check_that_breaks(facts: Facts) -> list[Finding]:
    raise KeyError("a bug in a check")


def with_checks(*extra: Check) -> Registry:
    """The bot's checks and these: what registering one line in bot/checks/__init__.py does."""
    return Registry((*CHECKS, *extra))


DRIFT_CHECK = Check(run=check_drift, knowledge=(), needs=(Fact.DEPLOYMENTS,))


def test_a_registered_check_of_no_step_finds_the_cause() -> None:
    diagnosis = reason(fb.failing(fb.stopped(exit_code=1)), with_checks(DRIFT_CHECK))
    assert diagnosis.cause is not None
    assert DRIFT in evidence_lines(diagnosis.cause.evidence)
    assert diagnosis.findings[0] == diagnosis.cause
    # its fact hides no step: the eight steps stay the checklist
    assert [item.step for item in diagnosis.checklist] == list(STEPS)
    gap = fb.gap(Fact.DEPLOYMENTS, "ecs:ListServiceDeployments")
    assert with_checks(DRIFT_CHECK).steps_hidden_by(gap) == ()


def test_a_check_that_raises_is_a_gap_of_its_step_and_the_rest_goes_on() -> None:
    broken = Check(run=check_that_breaks, knowledge=(), needs=(), step=Step.NETWORK)
    diagnosis = reason(fb.failing(fb.stopped(exit_code=139)), with_checks(broken))
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.SEGFAULT  # the other checks ran
    [gap] = diagnosis.gaps
    assert (gap.check, gap.note) == (
        "check_that_breaks",
        "the check_that_breaks check failed: KeyError",
    )
    item = diagnosis.checklist[STEPS.index(Step.NETWORK)]
    assert (item.status, item.note) == ("unknown", gap.note)


def test_a_step_is_skipped_only_when_none_of_its_checks_applies() -> None:
    """Resources are skipped on Fargate; a second resources check that always applies keeps
    the step judged."""
    always = Check(run=check_drift, knowledge=(), needs=(), step=Step.RESOURCES)
    checklist = reason(fb.facts(), with_checks(always)).checklist
    assert checklist[STEPS.index(Step.RESOURCES)].status == "passed"
    assert reason(fb.facts()).checklist[STEPS.index(Step.RESOURCES)].status == "skipped"


def test_a_registry_refuses_what_would_make_the_checklist_ambiguous() -> None:
    again = replace(APP_CRASH, title="Container {container} crashed")
    with pytest.raises(ValueError, match="share a name"):
        with_checks(DRIFT_CHECK, DRIFT_CHECK)
    with pytest.raises(ValueError, match="known twice"):
        with_checks(Check(run=check_that_breaks, knowledge=(again,), needs=()))
    with pytest.raises(ValueError, match="no check serves"):
        Registry(c for c in CHECKS if c.step is not Step.IAM)
