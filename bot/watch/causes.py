"""One story per incident: the cause of a watched failure comes from the same pass as the card.

A stop read from the archive alone shows little (an exit 1, no log line), so each service
revision that fails in a poll is diagnosed once, in full, and its failures take that cause
when it refines theirs (it is theirs, or it explains it): the incident's header, key, Mute
button and the card under it then name one cause. An open incident keeps the cause of its
first full diagnosis: a later stop whose own cause that one explains joins it, even once the
logs that named it have expired.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor

from bot.errors import EcsWhyError
from bot.model import Diagnosis, Finding, Target
from bot.reason import explains
from bot.watch.incidents import Event, Failure, Incident, ServiceRef

AT_ONCE = 4  # services of one poll diagnosed at once (each reads with its own threads too)

# The full diagnosis of a service, as the card under its incident shows it.
Diagnose = Callable[[Target], Diagnosis]
# The cause a full diagnosis gives a failure's service, or None when none can be had.
Explain = Callable[[Failure], Finding | None]


def explainer(diagnose: Diagnose, account: str | None) -> Explain:
    """Explain with `diagnose` (the service's diagnosis, cached as the card's is)."""

    def explain(failure: Failure) -> Finding | None:
        service = failure.service
        target = Target(
            cluster=service.cluster, service=service.service, region=service.region, account=account
        )
        try:
            cause = diagnose(target).cause
        except EcsWhyError:
            return None  # the card will say why; the stop keeps the cause it shows itself
        return cause if cause is not None and cause.severity == "error" else None

    return explain


def with_causes(
    events: Iterable[Event], incidents: Mapping[str, Incident], explain: Explain | None
) -> list[Event]:
    """The events, each failure with the cause its incident or its service's diagnosis gives.

    The services are diagnosed at once (at most `AT_ONCE`): after a bad deploy many of an
    account's services fail in the same poll, and their cards wait for the slowest diagnosis,
    not for the sum of them."""
    events = list(events)
    # The failures of a task (placement and deployment events name their cause themselves),
    # and each one's open incident cause, looked up once.
    failures = [e if isinstance(e, Failure) and e.task_arn is not None else None for e in events]
    opened = [_open_cause(incidents, f) if f else None for f in failures]
    unexplained: dict[tuple[ServiceRef, int | None], Failure] = {}
    for failure, cause in zip(failures, opened, strict=True):
        if failure is not None and cause is None:
            unexplained.setdefault((failure.service, failure.revision), failure)
    diagnosed: dict[tuple[ServiceRef, int | None], Finding | None] = {}
    if explain is not None and unexplained:
        with ThreadPoolExecutor(min(AT_ONCE, len(unexplained))) as pool:
            diagnosed = dict(zip(unexplained, pool.map(explain, unexplained.values()), strict=True))
    out: list[Event] = []
    for event, failure, cause in zip(events, failures, opened, strict=True):
        if failure is None:
            out.append(event)
            continue
        cause = cause or diagnosed.get((failure.service, failure.revision))
        cause = cause if cause is not None and _refines(cause, failure.cause) else None
        out.append(failure.model_copy(update={"cause": cause}) if cause else failure)
    return out


def _open_cause(incidents: Mapping[str, Incident], failure: Failure) -> Finding | None:
    """The cause of an open incident of the same service and revision that explains this one."""
    for incident in incidents.values():
        if (
            incident.state != "recovered"
            and incident.service == failure.service
            and incident.revision == failure.revision
            and _refines(incident.cause, failure.cause)
        ):
            return incident.cause
    return None


def _refines(cause: Finding, seen: Finding) -> bool:
    return cause.code is seen.code or explains(cause.code, seen.code)
