"""The "what changed" and "what the archive held" lines, shared by the card and the report.

Plain text; each surface escapes and styles it its own way, from one call in its renderer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from bot.model import ArchiveSource, Diagnosis, FieldChange
from bot.parse.image_uri import parse_image

MAX_CHANGES = 8
SHORT_CHANGES = 4  # on the card; Details lists them all
DIGEST = 19  # "sha256:" and the first 12 hex digits
_NAMED = {"environment": "env", "secrets": "secret"}
ARCHIVE_HINT = (
    "No event history: ECS forgets stopped tasks after about an hour. Turn on AWS's ECS "
    "lifecycle events (console: the cluster's Container Insights, event capture) or deploy "
    "deploy/event-archive.yaml (README: Event archive) to keep them."
)
# How the card names where a service's history was read.
SOURCE_NAMES: dict[ArchiveSource, str] = {
    "aws-event-capture": "AWS's ECS event capture",
    "ecs-why-archive": "the ecs-why event archive",
}


def utc(at: datetime) -> str:
    """A moment as the terminal says it, in UTC."""
    return f"{at:%Y-%m-%d %H:%M} UTC"


def changes_heading(diagnosis: Diagnosis) -> str | None:
    changes = diagnosis.changes
    if changes is None or not changes.fields:
        return None
    return (
        "Changed since the last healthy deployment "
        f"(revision {changes.from_revision} → {changes.to_revision})"
    )


def changes_lines(diagnosis: Diagnosis) -> list[str]:
    """One line per changed field: `container: field before → after`."""
    changes = diagnosis.changes
    if changes is None:
        return []
    lines = []
    for change in changes.fields[:MAX_CHANGES]:
        where = f"{change.container}: " if change.container else ""
        before, after = change.before or "—", change.after or "—"
        lines.append(f"{where}{change.field} {before} → {after}")
    if len(changes.fields) > MAX_CHANGES:
        lines.append(f"… and {len(changes.fields) - MAX_CHANGES} more")
    return lines


def changes_summary(diagnosis: Diagnosis) -> str | None:
    """The changes in one line, as a reader compares two releases: `image 2.3.1 → 2.4.0 ·
    + env WEBHOOK_URL · memory 1024 → 512`; a digest only where the tag stayed the same."""
    changes = diagnosis.changes
    if changes is None or not changes.fields:
        return None
    fields = changes.fields
    several = len({f.container for f in fields if f.container}) > 1
    retagged = {f.container for f in fields if f.field == "image"}
    bits = [
        bit
        for change in fields
        if not (change.field == "imageDigest" and change.container in retagged)
        for bit in _change_bits(change, several)
    ]
    shown = " · ".join(bits[:SHORT_CHANGES])
    if len(bits) > SHORT_CHANGES:
        shown += f" · {len(bits) - SHORT_CHANGES} more in Details"
    return f"Changed in revision {changes.from_revision} → {changes.to_revision}: {shown}"


def _change_bits(change: FieldChange, several: bool) -> list[str]:
    where = f"{change.container}: " if several and change.container else ""
    if change.field in _NAMED:
        word = _NAMED[change.field]
        added = _names(change.after, "added: ")
        removed = _names(change.before, "removed: ")
        return [f"{where}+ {word} {', '.join(added)}"] * bool(added) + [
            f"{where}− {word} {', '.join(removed)}"
        ] * bool(removed)
    before, after = change.before or "—", change.after or "—"
    if change.field == "image":
        old, new = parse_image(before), parse_image(after)
        if old.repository == new.repository and old.tag and new.tag:
            before, after = old.tag, new.tag
    elif change.field == "imageDigest":
        before, after = before[:DIGEST] + "…", after[:DIGEST] + "…"
    return [f"{where}{change.field} {before} → {after}"]


def _names(said: str, prefix: str) -> Sequence[str]:
    return said.removeprefix(prefix).split(", ") if said.startswith(prefix) else ()


def history_line(diagnosis: Diagnosis, when: Callable[[datetime], str] = utc) -> str | None:
    """What the archive held and whose archive it was, or once how to set one up; None when
    there is nothing to say."""
    history = diagnosis.history
    if history is None:
        return ARCHIVE_HINT if diagnosis.archive_missing else None
    if history.source != "archive" or not history.stops:
        return None
    causes = ", ".join(f"{n} {code}" for code, n in history.by_cause.items())
    span = ""
    if history.first and history.last:
        span = f", {when(history.first)} to {when(history.last)}"
    plural = "stop" if history.stops == 1 else "stops"
    source = SOURCE_NAMES[history.archive_source]
    return f"From {source}: {history.stops} {plural} ({causes}){span}."


def seen_before_line(
    diagnosis: Diagnosis, when: Callable[[datetime], str] = lambda at: f"{at:%Y-%m-%d %H:%M} UTC"
) -> str | None:
    """ "Seen before: 3rd time since …; last on …, over after revision api:43 was deployed":
    the cause's earlier episodes in the archive's window, and what coincided with the last
    one's end (a coincidence, said as one)."""
    history = diagnosis.history
    seen = history.seen_before if history is not None else None
    if history is None or seen is None:
        return None
    times = f"{_ordinal(seen.times)} time since {when(history.since)}"
    line = f"Seen before: {times}; last on {when(seen.last)}"
    if seen.after_revision:
        line += f", over after revision {seen.after_revision} was deployed"
    return line + "."


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
