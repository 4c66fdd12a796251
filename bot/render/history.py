"""The "what changed" and "what the archive held" lines, shared by the card and the report.

Plain text; each surface escapes and styles it its own way, from one call in its renderer.
"""

from __future__ import annotations

from bot.model import Diagnosis

MAX_CHANGES = 8
ARCHIVE_HINT = (
    "No event archive: ECS forgets stopped tasks after about an hour. Deploy "
    "deploy/event-archive.yaml (README: Event archive) to keep them for 30 days."
)


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


def history_line(diagnosis: Diagnosis) -> str | None:
    """What the archive held, or once how to set one up; None when there is nothing to say."""
    history = diagnosis.history
    if history is None:
        return ARCHIVE_HINT if diagnosis.archive_missing else None
    if history.source != "archive" or not history.stops:
        return None
    causes = ", ".join(f"{n} {code}" for code, n in history.by_cause.items())
    span = ""
    if history.first and history.last:
        span = f", {history.first:%Y-%m-%d %H:%M} to {history.last:%H:%M} UTC"
    plural = "stop" if history.stops == 1 else "stops"
    return f"From the event archive: {history.stops} {plural} ({causes}){span}."
