"""A failure that began with a new revision: say so, and offer the rollback as the next step.

Pure: it words the cause and the next step before the Diagnosis is built. The verdict's
ranking is left alone; only the cause's evidence and the next step gain what the revision
change explains. A revision the service already deploys is never a rollback target: after a
circuit breaker (or someone) rolled back, there is nothing left to roll back to.
"""

from __future__ import annotations

from bot.checks.fixes import aws
from bot.checks.registry import Registry
from bot.model import Changes, Evidence, Facts, Finding, Kind, NextStep
from bot.parse.arns import name_of


def began_with_revision(facts: Facts, changes: Changes) -> bool:
    """Every stop that was not a planned replacement ran the new revision."""
    stops = [t for t in facts.stopped_tasks if t.stop_code != "ServiceSchedulerInitiated"]
    return bool(stops) and all(t.task_definition_arn == changes.to_arn for t in stops)


def deployed_revision(facts: Facts) -> str | None:
    """The task definition the service deploys now: its PRIMARY deployment's."""
    service = facts.service
    if service is None:
        return None
    primary = next((d for d in service.deployments if d.status == "PRIMARY"), None)
    return primary.task_definition_arn if primary else service.task_definition_arn


def rollback_command(facts: Facts, changes: Changes) -> str:
    target = facts.target
    return aws(
        "ecs",
        "update-service",
        "--cluster",
        target.cluster or "",
        "--service",
        target.service or "",
        "--task-definition",
        name_of(changes.from_arn),
    )


def with_rollback(
    facts: Facts, cause: Finding, step: NextStep | None, changes: Changes | None, checks: Registry
) -> tuple[Finding, NextStep | None]:
    """The cause tied to the revision change and a rollback offered, when the cause is one a
    revision brings (as its `Knowledge` says), it began with the new revision, and the service
    still deploys that one.

    The rollback becomes the next step's command; its words stay, and a rollback the next step
    already offers is not offered twice."""
    if (
        changes is None
        or not changes.fields
        or not checks.knowledge[cause.code].revision_brought
        or facts.target.service is None
        or deployed_revision(facts) == changes.from_arn
        or not began_with_revision(facts, changes)
    ):
        return cause, step
    changed = ", ".join(dict.fromkeys(c.field for c in changes.fields))
    began = Evidence(
        kind=Kind.ROLLOUT,
        text=f"began with revision {changes.to_revision}; revision {changes.from_revision} ran "
        f"healthy (changed: {changed})",
    )
    target = facts.target
    command = rollback_command(facts, changes)
    step = step or NextStep(step=cause.step, action="")
    action = step.action
    if step.command != command:
        action += (
            f" Or roll back to revision {changes.from_revision}, the last that ran healthy "
            f"(console: ECS → Clusters → {target.cluster} → Services → {target.service} → "
            f"Update service → revision {changes.from_revision})."
        )
    worded = cause.model_copy(update={"evidence": (*cause.evidence, began)})
    return worded, step.model_copy(update={"action": action.strip(), "command": command})
