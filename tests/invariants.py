"""What every diagnosis must hold, whatever the facts: one story around the cause.

Used over every demo diagnosis (tests/integration/test_reasoning.py) and over facts that
hypothesis builds (tests/unit/reason/test_invariants.py). Each returns what is broken, in words.
"""

from __future__ import annotations

import shlex

from bot.model import Cause, Diagnosis
from bot.reason import explains
from bot.reason.state import STATUS_OF
from tests.aws_cli import problems


def broken(diagnosis: Diagnosis) -> list[str]:
    """Every invariant the diagnosis breaks (empty when it tells one story)."""
    return [
        *_status(diagnosis),
        *_findings(diagnosis),
        *_checklist(diagnosis),
        *_history(diagnosis),
        *_next_step(diagnosis),
    ]


def _status(diagnosis: Diagnosis) -> list[str]:
    found = []
    if diagnosis.status != STATUS_OF[diagnosis.service_state]:
        found.append(f"status {diagnosis.status} beside state {diagnosis.service_state}")
    if diagnosis.cause is None and diagnosis.status != "healthy":
        found.append(f"status {diagnosis.status} without a cause")
    return found


def _findings(diagnosis: Diagnosis) -> list[str]:
    cause = diagnosis.cause
    if cause is None:
        return []
    found = [] if diagnosis.findings[:1] == (cause,) else ["the cause is not the first finding"]
    for finding in diagnosis.findings[1:]:
        if finding.explained_by is not None and (
            finding.severity != "info" or finding.explained_by is not cause.code
        ):
            found.append(f"{finding.code} explained by {finding.explained_by}, not the cause")
        if (
            diagnosis.status == "failing"
            and cause.code is not Cause.UNKNOWN
            and finding.severity == "error"
            and explains(cause.code, finding.code)
        ):
            found.append(f"{finding.code} stays an error though {cause.code} explains it")
    missing = {f.where.role for f in diagnosis.findings if f.code is Cause.ROLE_NOT_FOUND}
    blamed = {f.where.role for f in diagnosis.findings if f.code is Cause.TRUST_POLICY}
    found += [f"the trust policy of {r}, a role that does not exist" for r in missing & blamed]
    return found


def _checklist(diagnosis: Diagnosis) -> list[str]:
    cause = diagnosis.cause
    if cause is None or diagnosis.status != "failing":
        return []
    item = next(i for i in diagnosis.checklist if i.step is cause.step)
    return [] if item.status == "failed" else [f"the cause's step {item.step} is {item.status}"]


def _history(diagnosis: Diagnosis) -> list[str]:
    history, cause = diagnosis.history, diagnosis.cause
    if history is None or not history.by_cause or cause is None or not cause.tasks:
        return []
    if diagnosis.status == "unknown" or cause.code.value in history.by_cause:
        return []
    return [f"history counts {history.by_cause}, not the cause {cause.code}"]


def _next_step(diagnosis: Diagnosis) -> list[str]:
    step, cause = diagnosis.next_step, diagnosis.cause
    if step is None or cause is None:
        return []
    found = [f"{line}: {p}" for line in (step.command or "").splitlines() for p in problems(line)]
    words = shlex.split(step.command or "")
    if "update-service" in words and "--task-definition" in words:
        target = words[words.index("--task-definition") + 1]
        deployed = diagnosis.impact.revision if diagnosis.impact else None
        if target == deployed:
            found.append(f"a rollback to {target}, the revision the service deploys")
    fixed = cause.particulars.fixed_since and diagnosis.target.service
    if fixed and ("--force-new-deployment" not in words or "push it" in step.action):
        found.append("a fault fixed since is not met with a forced deployment")
    limit = cause.particulars.memory_limit
    if limit and cause.code is Cause.OUT_OF_MEMORY and diagnosis.status == "failing":
        shown = f"{limit} MiB"
        if shown not in cause.title or shown not in step.action:
            found.append(f"the limit {shown} is not the one the title and the fix name")
    return found
