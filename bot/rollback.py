"""A failure that began with a new revision: say so, and offer the rollback as the next step.

Pure, applied once to a concluded Diagnosis: the verdict's ranking is left alone; only the
cause's evidence and the next step gain what the revision change explains.
"""

from __future__ import annotations

from bot.arns import family_and_revision
from bot.model import Cause, Changes, Diagnosis, Evidence, Facts, Kind, NextStep
from bot.next_steps import aws

# Causes a new revision brings with it: its code, its command, its memory or its secrets.
REVISION_CAUSES = frozenset(
    {
        Cause.APP_CRASH,
        Cause.OUT_OF_MEMORY,
        Cause.COMMAND_NOT_FOUND,
        Cause.SECRETS_ACCESS_DENIED,
    }
)


def began_with_revision(facts: Facts, changes: Changes) -> bool:
    """Every stop that was not a planned replacement ran the new revision."""
    stops = [t for t in facts.stopped_tasks if t.stop_code != "ServiceSchedulerInitiated"]
    return bool(stops) and all(t.task_definition_arn == changes.to_arn for t in stops)


def rollback_command(diagnosis: Diagnosis, changes: Changes) -> str:
    found = family_and_revision(changes.from_arn)
    family = found[0] if found else ""
    target = diagnosis.target
    return aws(
        "ecs",
        "update-service",
        "--cluster",
        target.cluster or "",
        "--service",
        target.service or "",
        "--task-definition",
        f"{family}:{changes.from_revision}",
    )


def with_rollback(diagnosis: Diagnosis, facts: Facts, changes: Changes | None) -> Diagnosis:
    """The diagnosis, its cause tied to the revision change and a rollback offered, when the
    cause is one a revision brings and it began with the new revision.

    The rollback becomes the next step's command; its words stay, and a rollback the next step
    already offers is not offered twice."""
    cause = diagnosis.cause
    if (
        changes is None
        or not changes.fields
        or cause is None
        or diagnosis.status != "failing"
        or cause.code not in REVISION_CAUSES
        or diagnosis.target.service is None
        or not began_with_revision(facts, changes)
    ):
        return diagnosis
    changed = ", ".join(dict.fromkeys(c.field for c in changes.fields))
    began = Evidence(
        kind=Kind.ROLLOUT,
        text=f"began with revision {changes.to_revision}; revision {changes.from_revision} ran "
        f"healthy (changed: {changed})",
    )
    target = diagnosis.target
    command = rollback_command(diagnosis, changes)
    step = diagnosis.next_step or NextStep(step=cause.step, action="")
    action = step.action
    if step.command != command:
        action += (
            f" Or roll back to revision {changes.from_revision}, the last that ran healthy "
            f"(console: ECS → Clusters → {target.cluster} → Services → {target.service} → "
            f"Update service → revision {changes.from_revision})."
        )
    new_cause = cause.model_copy(update={"evidence": (*cause.evidence, began)})
    return diagnosis.model_copy(
        update={
            "cause": new_cause,
            "findings": tuple(new_cause if f == cause else f for f in diagnosis.findings),
            "next_step": step.model_copy(update={"action": action.strip(), "command": command}),
        }
    )
