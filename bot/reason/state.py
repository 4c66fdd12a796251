"""The service's state in one word, from its numbers (CONTRACT §4 `service_state`).

The word says what an engineer sees first: no task runs (down), fewer than desired
(degraded), a new revision fails while an older one serves (rollout failing), the failing
revision is no longer deployed (rolled back, or recovered with a newer one), or all tasks run
and nothing stopped for a while: recovering while the configuration read now still shows the
cause, recovered once it does not (or ECS itself says the service is steady again).
`status` follows from the word, so the two never disagree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from bot.checks.patterns import STEADY_STATE
from bot.model import QUIET, Cause, Facts, Finding, Kind, Service, ServiceState, Status
from bot.parse.arns import family_and_revision
from bot.reason.rollback import deployed_revision

STATUS_OF: dict[ServiceState, Status] = {
    "down": "failing",
    "degraded": "failing",
    "rollout-failing": "failing",
    "recovering": "failing",
    "rolled-back": "healthy",
    "recovered": "healthy",
    "scheduled": "healthy",
    "healthy": "healthy",
    "unknown": "unknown",
}


def service_state(facts: Facts, status: Status, cause: Finding | None) -> ServiceState:
    """The word for what the numbers show, given the verdict's status and cause."""
    if status == "unknown" or (cause is not None and cause.code is Cause.UNKNOWN):
        return "unknown"
    service = facts.service
    if status == "healthy":
        if service is None:
            return "scheduled" if facts.stopped_tasks else "healthy"
        return "scheduled" if service.desired == 0 and facts.stopped_tasks else "healthy"
    if service is None:
        return "down"  # a task, not a service: it stopped
    return _failing_state(facts, service, cause)


def _failing_state(facts: Facts, service: Service, cause: Finding | None) -> ServiceState:
    running_all = service.desired > 0 and service.running >= service.desired
    moved_on = _moved_on(facts)
    if moved_on is not None and running_all:
        return moved_on
    if _older_serves(service):
        return "rollout-failing"
    if service.running == 0 and service.desired > 0:
        return "down"
    if not running_all:
        return "degraded"
    last = facts.focus_task.stopped_at if facts.focus_task else None
    if last is None or facts.collected_at - last < QUIET:
        return "degraded"
    if _steady_since(service, last) or not _still_configured(cause):
        return "recovered"
    return "recovering"


def _still_configured(cause: Finding | None) -> bool:
    """The configuration read now still shows the cause (not only what the tasks did)."""
    return (
        cause is not None
        and not cause.particulars.fixed_since
        and any(e.kind is Kind.CONFIG for e in cause.evidence)
    )


def _steady_since(service: Service, last: datetime) -> bool:
    """ECS itself said the service reached a steady state after its last stop."""
    return any(
        STEADY_STATE in event.message and event.created_at and event.created_at > last
        for event in service.events
    )


def _moved_on(facts: Facts) -> Literal["rolled-back", "recovered"] | None:
    """Whether the service deploys another revision of the family than the one that failed:
    an older one (rolled back) or a newer one (recovered)."""
    task = facts.focus_task
    failed = family_and_revision(task.task_definition_arn) if task else None
    deployed = family_and_revision(deployed_revision(facts) or "")
    if failed is None or deployed is None or failed[0] != deployed[0] or failed == deployed:
        return None
    return "rolled-back" if deployed[1] < failed[1] else "recovered"


def _older_serves(service: Service) -> bool:
    """A new revision is being deployed while an older deployment still runs tasks."""
    primary = next((d for d in service.deployments if d.status == "PRIMARY"), None)
    return primary is not None and any(
        d.status == "ACTIVE"
        and d.running > 0
        and d.task_definition_arn != primary.task_definition_arn
        for d in service.deployments
    )
