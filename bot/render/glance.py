"""What every surface shows first: the state in one word, and the impact in a few numbers.

The reasoning names the state (CONTRACT §4 `service_state`); every surface says its word
("is down", "rollout failing", "was rolled back"…), with the colour of failing, recovering,
healthy or unknown beside it, never instead of it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal, NamedTuple

from bot.model import Cause, Diagnosis, Kind, ServiceState

State = Literal["failing", "recovering", "healthy", "unknown"]
_STATES: dict[ServiceState, State] = {
    "down": "failing",
    "degraded": "failing",
    "rollout-failing": "failing",
    "recovering": "recovering",
    "rolled-back": "healthy",
    "recovered": "healthy",
    "scheduled": "healthy",
    "healthy": "healthy",
    "unknown": "unknown",
}
_GUESS = "; closest guess: "


def state(diagnosis: Diagnosis) -> State:
    """The render state of the diagnosis's `service_state`: a service that moved on from its
    failure (rolled back, recovered) or whose tasks stop on purpose reads as healthy."""
    return _STATES[diagnosis.service_state]


_HEADLINES: dict[ServiceState, str] = {
    "down": "{label} is down",
    "degraded": "{label} is degraded",
    "rollout-failing": "{label}: rollout failing",
    "recovering": "{label} is recovering",
    "rolled-back": "{label} was rolled back",
    "recovered": "{label} has recovered",
    "scheduled": "{label} stopped as scheduled",
    "healthy": "{label} is healthy",
    "unknown": "{label}: cause unknown",
}


def headline(diagnosis: Diagnosis) -> str:
    """The target and its state word as a sentence head: "production/api is down"."""
    return _HEADLINES[diagnosis.service_state].format(label=diagnosis.target.label)


def cause_title(diagnosis: Diagnosis) -> str | None:
    """The cause's title; an unknown cause offers its closest guess only when no evidence
    argues against it (the configuration read now, contrary to it)."""
    cause = diagnosis.cause
    return None if cause is None else shown_note(diagnosis, cause.title)


def shown_note(diagnosis: Diagnosis, note: str) -> str:
    """`note` without a closest guess that the cause's own evidence argues against."""
    cause = diagnosis.cause
    argued = cause is not None and any(e.kind is Kind.CONTRARY for e in cause.evidence)
    if argued and cause is not None and cause.code is Cause.UNKNOWN and _GUESS in note:
        return note.split(_GUESS, 1)[0]
    return note


class Stops(NamedTuple):
    """An incident's own count of stops and its first: what its card's numbers say."""

    number: int
    first: datetime


def impact_bits(
    diagnosis: Diagnosis, when: Callable[[datetime], str], stops: Stops | None = None
) -> list[str]:
    """Running/desired, the stops and since when, and the revision, each a short phrase; under
    an incident, no stops: its header gives its own count, and the card says it once."""
    impact = diagnosis.impact
    bits: list[str] = []
    if impact is not None and impact.desired is not None and impact.running is not None:
        bits.append(f"{impact.running}/{impact.desired} tasks running")
    stopped = impact.stopped if impact else diagnosis.stopped_tasks
    if stops is not None:
        stopped = 0  # the incident's header gives its own count, once on its card
    if stopped:
        first = impact.first_stopped_at if impact else None
        since = f" since {when(first)}" if first else ""
        cause = diagnosis.cause
        tasks = cause.tasks if cause is not None and diagnosis.status != "healthy" else 0
        share = f"all {stopped}" if tasks == stopped else f"{tasks} of {stopped}"
        bits.append(f"{stopped} stopped{since}" + (f" ({share} for this cause)" if tasks else ""))
    elif diagnosis.status == "healthy" and stops is None:
        bits.append("nothing stopped recently")
    if impact is not None and impact.revision:
        rollout = impact.rollout_state
        shown = (
            f" ({rollout.lower().replace('_', ' ')})" if rollout and rollout != "COMPLETED" else ""
        )
        bits.append(f"revision {impact.revision}{shown}")
    return bits
