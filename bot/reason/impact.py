"""How bad it is at a glance, read from the facts: tasks running against desired, how many
stopped and since when, and which revision the service deploys."""

from __future__ import annotations

from bot.model import Facts, Impact
from bot.parse.arns import name_of


def impact_of(facts: Facts) -> Impact:
    service = facts.service
    stops = [task.stopped_at for task in facts.stopped_tasks if task.stopped_at]
    primary = (
        next((d for d in service.deployments if d.status == "PRIMARY"), None) if service else None
    )
    definition = (
        primary.task_definition_arn
        if primary
        else (service.task_definition_arn if service else None)
    )
    return Impact(
        running=service.running if service else None,
        desired=service.desired if service else None,
        stopped=len(facts.stopped_tasks),
        first_stopped_at=min(stops) if stops else None,
        revision=name_of(definition) if definition else None,
        rollout_state=primary.rollout_state if primary else None,
    )
