"""The one pass from facts to the final Diagnosis; nothing edits a Diagnosis after it.

The verdict picks the cause; what changed since the last healthy revision words it and, when
the failure began with the new revision, offers the rollback; the numbers give the state, and
the state the status. Every surface (card, terminal, JSON, incident) reads the result as is.
"""

from __future__ import annotations

from bot.checks import CHECKS
from bot.checks.registry import Registry
from bot.model import Cause, Diagnosis, Facts, Finding
from bot.reason.changes import changes_of
from bot.reason.history import history_of
from bot.reason.impact import impact_of
from bot.reason.rollback import with_rollback
from bot.reason.state import STATUS_OF, service_state
from bot.reason.verdict import checklist, next_step_of, summary, verdict


def explains(root: Cause, symptom: Cause, checks: Registry = CHECKS) -> bool:
    """Whether `root` is the deeper cause of `symptom` (what the verdict folds together)."""
    return root is not symptom and checks.explains(root, symptom)


def reason(facts: Facts, checks: Registry = CHECKS) -> Diagnosis:
    """Every check on the facts, then the final Diagnosis; a check that failed is a gap."""
    checked, findings = checks.run(facts)
    return conclude(checked, findings, checks)


def conclude(facts: Facts, findings: list[Finding], checks: Registry = CHECKS) -> Diagnosis:
    """The final Diagnosis of what the checks found."""
    judged = verdict(facts, findings, checks)
    facts = judged.facts
    changes = changes_of(facts) if judged.status == "failing" else None
    cause, step = judged.cause, next_step_of(judged, checks)
    if cause is not None and judged.status == "failing":
        cause, step = with_rollback(facts, cause, step, changes, checks)
    state = service_state(facts, judged.status, cause)
    findings_shown = tuple(cause if f is judged.cause else f for f in judged.findings)
    return Diagnosis(
        target=facts.target,
        region=facts.region,
        account=facts.account,
        status=STATUS_OF[state],
        service_state=state,
        cause=cause,
        findings=findings_shown,
        checklist=checklist(judged, checks, cause),
        next_step=step,
        task_arn=facts.focus_task.arn if facts.focus_task else None,
        stopped_tasks=len(facts.stopped_tasks),
        summary=summary(judged, cause, state),
        diagnosed_at=facts.collected_at,
        gaps=facts.gaps,
        task_definition=facts.task_definition,
        log_streams=facts.log_streams,
        stopped_at=facts.focus_task.stopped_at if facts.focus_task else None,
        impact=impact_of(facts),
        changes=changes,
        history=history_of(facts, cause, checks),
        archive_missing=facts.archive is not None and not facts.archive.found,
        container_insights=facts.container_insights,
    )
