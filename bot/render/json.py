"""The Diagnosis as the JSON document of CONTRACT §4."""

from __future__ import annotations

from typing import Any

from bot.model import Changes, Diagnosis, Finding, History
from bot.render.chart import insights_json
from bot.render.evidence import evidence_lines


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code.value,
        "step": finding.step.value,
        "severity": finding.severity,
        "title": finding.title,
        "evidence": list(evidence_lines(finding.evidence)),
        "tasks": finding.tasks,
        "explained_by": finding.explained_by.value if finding.explained_by else None,
    }


def _changes(changes: Changes | None) -> dict[str, Any] | None:
    if changes is None:
        return None
    return {
        "from": {"task_definition": changes.from_arn, "revision": changes.from_revision},
        "to": {"task_definition": changes.to_arn, "revision": changes.to_revision},
        "source": changes.source,
        "fields": [c.model_dump() for c in changes.fields],
    }


def _history(history: History | None) -> dict[str, Any] | None:
    if history is None:
        return None
    return {
        "source": history.source,
        "since": history.since.isoformat(),
        "stops": history.stops,
        "first": history.first.isoformat() if history.first else None,
        "last": history.last.isoformat() if history.last else None,
        "by_cause": dict(history.by_cause),
        "skipped": history.skipped,
        "archive_source": history.archive_source,
        "archive_group": history.archive_group,
    }


def diagnosis_to_json(diagnosis: Diagnosis) -> dict[str, Any]:
    target = diagnosis.target
    cause = diagnosis.cause
    return {
        "target": {
            "cluster": target.cluster,
            "service": target.service,
            "task_arn": diagnosis.task_arn,
            "region": diagnosis.region,
            "account": diagnosis.account,
            "account_name": target.account,
        },
        "status": diagnosis.status,
        "service_state": diagnosis.service_state,
        "summary": diagnosis.summary,
        "cause": None
        if cause is None
        else {
            "code": cause.code.value,
            "step": cause.step.value,
            "title": cause.title,
            "evidence": list(evidence_lines(cause.evidence)),
        },
        "findings": [_finding(f) for f in diagnosis.findings],
        "checklist": [
            {"step": item.step.value, "status": item.status, "note": item.note}
            for item in diagnosis.checklist
        ],
        "next_step": None
        if diagnosis.next_step is None
        else {
            "step": diagnosis.next_step.step.value,
            "action": diagnosis.next_step.action,
            "command": diagnosis.next_step.command,
            "console_url": diagnosis.next_step.console_url,
        },
        "stopped_tasks": diagnosis.stopped_tasks,
        "stopped_at": diagnosis.stopped_at.isoformat() if diagnosis.stopped_at else None,
        "gaps": [
            {"fact": g.fact, "check": g.check, "action": g.action, "note": g.note}
            for g in diagnosis.gaps
        ],
        "diagnosed_at": diagnosis.diagnosed_at.isoformat(),
        "changes": _changes(diagnosis.changes),
        "history": _history(diagnosis.history),
        "container_insights": insights_json(diagnosis),
    }
