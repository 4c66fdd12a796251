"""From findings to a verdict: the status, the root cause, and the findings it explains.

Findings are ranked by severity, then confidence, then how many tasks show them. The cause is
the first ranked finding that no other finding explains: a failing ELB health check is only
the symptom of a port mismatch, an image pull that timed out only the symptom of a subnet with
no way out, and a generic "failed to start" gives way to anything specific.

What could not be read is never taken for "nothing there": a root cause whose confirming facts
were not read is only the closest guess of an `unknown` cause, and a service whose tasks could
not be read is never called healthy (its status is `unknown`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.checks import CHECKS, KNOWLEDGE
from bot.checks.base import GUESS, UNCONFIRMED
from bot.checks.evidence import service_short, tasks_unread, unread
from bot.checks.fixes import grant_read
from bot.checks.registry import Registry
from bot.model import (
    EXPLAINED,
    STEPS,
    Cause,
    ChecklistItem,
    Evidence,
    Fact,
    Facts,
    Finding,
    Gap,
    Kind,
    NextStep,
    Primary,
    ServiceState,
    Status,
    Step,
    StepStatus,
    Where,
)

_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Verdict:
    """What the findings say of the tasks: the status, the cause, and every finding ranked
    (the cause first; a finding the cause explains at info, `explained_by` the cause)."""

    facts: Facts  # with a gap for each check that failed
    status: Status
    cause: Finding | None
    findings: tuple[Finding, ...]
    unreadable: Gap | None  # the read whose failure left the cause unknown or unconfirmed


def judge(facts: Facts, checks: Registry = CHECKS) -> Verdict:
    """Every check on the facts, then the verdict; a check that failed is a gap of its step."""
    checked, findings = checks.run(facts)
    return verdict(checked, findings, checks)


def verdict(facts: Facts, findings: list[Finding], checks: Registry = CHECKS) -> Verdict:
    """Rank the findings and pick the root cause.

    Only an error, something that stops tasks now, makes a service fail; a fault that stops
    nothing yet is a warning, shown but never the cause.
    """
    rank = _ranking(checks)
    checked = sorted(_merge_same(findings, rank), key=rank)
    problems = [f for f in checked if f.severity != "info"]
    errors = [f for f in checked if f.severity == "error"]
    unreadable = _ecs_unreadable(facts) or tasks_unread(facts)
    status: Status
    cause: Finding | None
    if unreadable is not None:
        root = _root_cause(problems, checks) if problems else None
        status, cause = "unknown", _cannot_read(facts, unreadable, root)
        ranked = [cause, *checked]
    elif errors:
        root = _with_rollout(facts, _root_cause(errors, checks))
        checked = _fix_these_too(checked, root, checks, rank)
        status, cause = "failing", _confirmed(facts, root)
        unreadable = _hiding(facts, root) if cause is not root else None
        rest = (
            _explained(f, root, checks) if cause is root else f
            for f in checked
            if _key(f) != _key(cause)
        )
        ranked = [cause, *sorted(rest, key=rank)]
    else:
        checked = [_latent(f) for f in checked]
        status = "healthy"
        cause = next((f for f in checked if f.severity == "info"), None)
        ranked = [*([cause] if cause else []), *(f for f in checked if f is not cause)]
    return Verdict(facts, status, cause, tuple(ranked), unreadable)


def checklist(
    judged: Verdict, checks: Registry = CHECKS, cause: Finding | None = None
) -> tuple[ChecklistItem, ...]:
    """The eight steps in order, each failed, warning, skipped, unknown or passed, with a note;
    `cause` is the verdict's cause as finally worded."""
    cause = cause or judged.cause
    failing = cause if judged.status == "failing" else None
    findings = [f for f in judged.findings if f is not judged.cause or judged.status != "unknown"]
    return tuple(
        _item(judged.facts, step, [f for f in findings if f.step is step], failing, checks)
        for step in STEPS
    )


def next_step_of(judged: Verdict, checks: Registry = CHECKS) -> NextStep | None:
    """The next step built from the facts; or, when a read the diagnosis needed failed, the
    permission to grant, at the first step it hid."""
    cause, unreadable = judged.cause, judged.unreadable
    if cause is None:
        return None
    if unreadable is not None:
        step = grant_read(unreadable, next(iter(checks.steps_hidden_by(unreadable)), cause.step))
    else:
        step = checks.next_step(cause, judged.facts)
    return step.model_copy(update={"primary": _primary(cause, checks)})


def _primary(cause: Finding, checks: Registry) -> Primary:
    """The card's primary button, as the cause declares it; an unknown cause's step is where
    its evidence points, and at the exit code the answer is in the app's logs."""
    if cause.code is Cause.UNKNOWN and cause.step is Step.EXIT_CODE:
        return "logs"
    return checks.knowledge[cause.code].primary


def summary(judged: Verdict, cause: Finding | None, state: ServiceState) -> str:
    """One plain sentence: the target, its state, and why."""
    label = judged.facts.target.label
    if state == "rolled-back" and cause is not None:
        return f"{label} was rolled back; the failed rollout's cause: {cause.title}."
    if state == "recovered" and cause is not None:
        return f"{label} recovered; its earlier stops' cause: {cause.title}."
    warnings = [f for f in judged.findings if f.severity == "warning"]
    return _summary(judged.facts, judged.status, cause, warnings, judged.unreadable)


Rank = Callable[[Finding], tuple[int, bool, int, int, int]]


def _ranking(checks: Registry) -> Rank:
    """What was seen before what could go wrong; then how sure, then which fault a starting
    task meets first (its cause's stage), then how many tasks show it."""

    def rank(finding: Finding) -> tuple[int, bool, int, int, int]:
        return (
            _SEVERITY_RANK[finding.severity],
            not finding.observed,
            -finding.confidence,
            checks.knowledge[finding.code].stage,
            -finding.tasks,
        )

    return rank


def _merge_same(findings: Iterable[Finding], rank: Rank) -> list[Finding]:
    """One finding per cause and step: what AWS said and what the configuration shows, together."""
    merged: dict[tuple[Cause, Step, str], Finding] = {}
    for finding in sorted(findings, key=rank):
        key = (finding.code, finding.step, finding.variant)
        if key not in merged:
            merged[key] = finding
            continue
        kept = merged[key]
        merged[key] = kept.model_copy(
            update={
                "evidence": tuple(dict.fromkeys((*kept.evidence, *finding.evidence))),
                "tasks": max(kept.tasks, finding.tasks),
                "observed": kept.observed or finding.observed,
                "particulars": kept.particulars.filled(finding.particulars),
            }
        )
    return list(merged.values())


def _with_rollout(facts: Facts, root: Finding) -> Finding:
    """The cause with what its deployments show: a rollout the circuit breaker failed, and how
    many tasks each live deployment has failed to keep running."""
    lines = [
        Evidence(
            kind=Kind.ROLLOUT,
            text=f"rollout {d.rollout_state}"
            + (f" ({d.rollout_state_reason})" if d.rollout_state_reason else "")
            + f", {d.failed_tasks} failed tasks",
            source=f"deployment {d.id} ({d.status.lower()})",
            when=d.created_at,
        )
        for d in (facts.service.deployments if facts.service else ())
        if d.failed_tasks or d.rollout_state == "FAILED"
    ]
    if not lines:
        return root
    return root.model_copy(update={"evidence": tuple(dict.fromkeys((*root.evidence, *lines[:2])))})


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _latent(finding: Finding) -> Finding:
    """A fault in the configuration of a service that runs: what the next task will meet."""
    if finding.severity != "warning" or finding.observed:
        return finding
    title = f"The next task that starts will fail: {_lower_first(finding.title)}"
    return finding.model_copy(update={"title": title})


def _fix_these_too(
    checked: list[Finding], root: Finding, checks: Registry, rank: Rank
) -> list[Finding]:
    """Configuration faults that explain nothing the tasks showed become warnings.

    When the stopped tasks show what stopped them, a fault read only from the configuration is
    their cause only if it explains something they showed and nothing ranked higher explains;
    otherwise it is a fault the tasks never reached (the pull failed before the log driver
    started): a warning, to fix too.
    """
    observed = [f for f in checked if f.severity == "error" and f.observed]
    if not observed:
        return checked
    left = [f for f in observed if _key(f) != _key(root) and not _explains(root, f, checks)]
    kept: list[Finding] = []
    for finding in checked:
        if (
            finding.severity == "error"
            and not finding.observed
            and _key(finding) != _key(root)
            and not _explains(root, finding, checks)
            and not any(_explains(finding, shown, checks) for shown in left)
        ):
            title = f"Fix this too: {_lower_first(finding.title)}"
            evidence = (
                Evidence(
                    kind=Kind.NOTE,
                    text=f"Not what stopped the recent tasks ({_lower_first(root.title)}), but "
                    "the next task that gets that far will fail on it",
                ),
                *finding.evidence,
            )
            finding = finding.model_copy(
                update={"severity": "warning", "title": title, "evidence": evidence}
            )
        kept.append(finding)
    return sorted(kept, key=rank)


def _explained(finding: Finding, root: Finding, checks: Registry) -> Finding:
    """An error the root explains is no second failure: it stays, at info, naming its root."""
    if finding.severity != "error" or not _explains(root, finding, checks):
        return finding
    return finding.model_copy(update={"severity": "info", "explained_by": root.code})


def _key(finding: Finding) -> tuple[Cause, Step, str]:
    return finding.code, finding.step, finding.variant


def _explains(root: Finding, symptom: Finding, checks: Registry) -> bool:
    """Whether `root` is the deeper cause of `symptom`."""
    if root is symptom or _key(root) == _key(symptom):
        return False
    return checks.explains(root.code, symptom.code)


def _root_cause(problems: list[Finding], checks: Registry) -> Finding:
    """The first ranked problem nothing else explains, carrying the evidence of its symptoms."""
    roots = [f for f in problems if not any(_explains(other, f, checks) for other in problems)]
    root = roots[0] if roots else problems[0]
    symptoms = [f for f in problems if _explains(root, f, checks)]
    if not symptoms:
        return root
    evidence = dict.fromkeys((*root.evidence, *(line for s in symptoms for line in s.evidence)))
    tasks = max(root.tasks, *(s.tasks for s in symptoms))
    return root.model_copy(update={"evidence": tuple(evidence), "tasks": tasks})


def _ecs_unreadable(facts: Facts) -> Gap | None:
    """The gap that kept ECS itself from being read, when nothing of ECS was read at all."""
    if facts.service or facts.stopped_tasks or facts.running_tasks:
        return None
    return unread(facts, Fact.SERVICE, Fact.TASKS)


def _unknown(
    facts: Facts, guess: str, evidence: Iterable[Evidence], step: Step, tasks: int
) -> Finding:
    return KNOWLEDGE[Cause.UNKNOWN].finding(
        evidence, Where(), {"guess": guess}, confidence=GUESS, step=step, tasks=tasks
    )


def _guess(finding: Finding) -> str:
    return finding.title[:1].lower() + finding.title[1:]


def _cannot_read(facts: Facts, gap: Gap, root: Finding | None) -> Finding:
    """Unknown: ECS, or the tasks, could not be read; what was read is only the closest guess."""
    unread = Evidence(kind=Kind.UNREAD, text=gap.note, source=gap.action)
    if root is not None:
        return _unknown(facts, _guess(root), (unread, *root.evidence), root.step, root.tasks)
    if facts.service is None:
        return _unknown(
            facts, "none, ECS itself could not be read", [unread], Step.STOPPED_REASON, 0
        )
    seen = service_short(facts) or "the service runs all its desired tasks"
    guess = f"none: {seen}, but whether and why its tasks stop could not be read"
    unknown = [unread, Evidence(kind=Kind.NOTE, text=seen)]
    return _unknown(facts, guess, unknown, Step.STOPPED_REASON, 0)


def _confirmed(facts: Facts, root: Finding) -> Finding:
    """The root cause, or, when facts that could overturn it were not read, an unknown cause
    with it as the closest guess."""
    if root.code is Cause.UNKNOWN or root.confidence > UNCONFIRMED:
        return root
    return _unknown(facts, _guess(root), root.evidence, root.step, root.tasks)


def _hiding(facts: Facts, root: Finding) -> Gap | None:
    """The gap that left the root unconfirmed, as its evidence records it."""
    hid = {(e.source, e.text) for e in root.evidence if e.kind is Kind.UNCONFIRMED}
    return next((g for g in facts.gaps if (g.action, g.note) in hid), None)


def _item(
    facts: Facts, step: Step, here: list[Finding], cause: Finding | None, checks: Registry
) -> ChecklistItem:
    """A step fails on an error, warns on a warning; else it may not apply, or not be readable.

    The cause's own step shows the cause; a step whose errors the cause explains says so
    rather than count a symptom as a second failure. A step one of whose checks failed, or
    needs a fact that could not be read, is unknown, whatever else it found, unless it holds
    the cause of a failing service: then it fails, and its note also says what could not be
    read. A step is skipped only when none of its checks applies.
    """
    serving = checks.serving(step)
    errors = [f for f in here if f.severity == "error"]
    warnings = [f for f in here if f.severity == "warning"]
    gap = checks.hiding(facts, step)
    holds_cause = cause is not None and cause.step is step
    skips = [check.skip(facts) for check in serving]
    status: StepStatus
    if holds_cause and cause is not None:
        status, note = "failed", cause.title
        note = f"{note}; {gap.note}" if gap else note
    elif cause is not None and not errors and gap is None and any(f.explained_by for f in here):
        status, note = "failed", f"{EXPLAINED}: {_lower_first(cause.title)}"
    elif (errors or warnings) and gap is None:
        status, note = ("failed", errors[0].title) if errors else ("warning", warnings[0].title)
    elif all(skips) and (skipped := skips[0]):
        status, note = "skipped", skipped
    elif gap is not None:
        status, note = "unknown", gap.note
    else:
        status, note = "passed", here[0].title if here else serving[0].passed
    return ChecklistItem(step=step, status=status, note=note)


def _summary(
    facts: Facts,
    status: str,
    cause: Finding | None,
    warnings: list[Finding],
    unreadable: Gap | None,
) -> str:
    """One plain sentence: the target, its status, and why."""
    label = facts.target.label
    if status == "unknown":
        reason = unreadable.note if unreadable else "ECS could not be read"
        return f"Could not diagnose {label}: {reason}."
    if status == "healthy" and warnings:
        more = f" (and {len(warnings) - 1} more warnings)" if len(warnings) > 1 else ""
        return f"{label} is healthy, but: {_lower_first(warnings[0].title)}{more}."
    if cause is None:
        return f"{label} is healthy: nothing stopped recently and every check passed."
    if status == "healthy":
        return f"{label} is healthy; its recent stops were expected: {cause.title}."
    shown = f" ({cause.tasks} of {len(facts.stopped_tasks)} recent stopped tasks)"
    return f"{label} is failing: {cause.title}{shown if cause.tasks else ''}."
