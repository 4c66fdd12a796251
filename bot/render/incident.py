"""An incident as Slack's card (the diagnosis card under an incident header, with Snooze and
Mute buttons), as a terminal line, and as the JSON line of `ecs-why watch` (CONTRACT §2)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, ContextBlock, MarkdownTextObject

from bot.clean import clean_text
from bot.model import Diagnosis
from bot.render.blocks import code, escape, fallback_text, render_card, safe
from bot.render.evidence import evidence_lines
from bot.render.glance import Stops
from bot.truncate import shorten
from bot.watch.incidents import Incident

ACTION_SNOOZE = "ecs_why_snooze"
ACTION_MUTE = "ecs_why_mute"
ACTION_UNSILENCE = "ecs_why_unsilence"
INCIDENT_BLOCK = "ecs_why_incident"
SILENCE_BLOCK = "ecs_why_silence"
BUTTONS_BLOCK = "ecs_why_incident_actions"
SNOOZE = timedelta(hours=1)


def _date(when: datetime) -> str:
    # Shown in each reader's time zone: https://docs.slack.dev/messaging/formatting-message-text#date-formatting
    return (
        f"<!date^{int(when.timestamp())}^{{date_short_pretty}} {{time}}|{when:%Y-%m-%d %H:%M} UTC>"
    )


def _span(incident: Incident) -> str:
    minutes = round((incident.last - incident.first).total_seconds() / 60)
    plural = "stop" if incident.stops == 1 else "stops"
    within = f" in {minutes} min" if incident.stops > 1 else ""
    return f"{incident.stops} {plural}{within}"


def incident_summary(incident: Incident) -> str:
    """One line: what happened, how often, and whether it is over."""
    revision = f", revision {incident.revision}" if incident.revision is not None else ""
    same = "same cause" if incident.stops > 1 else "cause"
    head = f"{_span(incident)}, {same} {incident.cause.code}{revision}"
    if incident.recovered_at is not None:
        return f"recovered at {incident.recovered_at:%Y-%m-%d %H:%M} UTC after {head}"
    return f"{head}, since {incident.first:%Y-%m-%d %H:%M} UTC"


def incident_header(incident: Incident, silence: str | None = None) -> list[dict[str, Any]]:
    """The incident's own blocks: what, since when, how often, recovered, snoozed or muted."""
    revision = f" · revision {incident.revision}" if incident.revision is not None else ""
    if incident.recovered_at is not None:
        text = (
            f":large_green_circle: *Recovered* {_date(incident.recovered_at)}: "
            f"{_span(incident)}, {code(incident.cause.code)}{revision}"
        )
    else:
        same = ", same cause" if incident.stops > 1 else ""
        text = (
            f":rotating_light: *Incident* since {_date(incident.first)}: "
            f"{_span(incident)}{same}, {code(incident.cause.code)}{revision}"
        )
    blocks = [ContextBlock(block_id=INCIDENT_BLOCK, elements=[MarkdownTextObject(text=text)])]
    if silence:
        note = MarkdownTextObject(text=safe(silence, 500))
        blocks.append(ContextBlock(block_id=SILENCE_BLOCK, elements=[note]))
    return [block.to_dict() for block in blocks]


def silence_value(incident: Incident) -> str:
    """What the Snooze and Mute buttons carry: the service and the cause code."""
    return json.dumps(
        {**incident.service.model_dump(), "cause": incident.cause.code.value},
        separators=(",", ":"),
    )


def render_incident_card(
    incident: Incident, diagnosis: Diagnosis, silence: str | None = None
) -> list[dict[str, Any]]:
    """The diagnosis card under the incident header, with Snooze 1 h and Mute this cause."""
    value = silence_value(incident)
    buttons = ActionsBlock(
        block_id=BUTTONS_BLOCK,
        elements=[
            ButtonElement(text="Snooze 1 h", action_id=ACTION_SNOOZE, value=value),
            ButtonElement(text="Mute this cause", action_id=ACTION_MUTE, value=value),
        ],
    )
    card = render_card(diagnosis, stops=Stops(incident.stops, incident.first))
    return [*incident_header(incident, silence), *card, buttons.to_dict()]


def with_silence(blocks: list[dict[str, Any]], note: str) -> list[dict[str, Any]]:
    """The same card saying it is snoozed or muted (the note replaces an earlier one)."""
    kept = [b for b in blocks if b.get("block_id") != SILENCE_BLOCK]
    at = next((i + 1 for i, b in enumerate(kept) if b.get("block_id") == INCIDENT_BLOCK), 0)
    context = ContextBlock(block_id=SILENCE_BLOCK, elements=[MarkdownTextObject(text=note)])
    return [*kept[:at], context.to_dict(), *kept[at:]]


def incident_line(incident: Incident) -> str:
    """A terminal line of `ecs-why watch`: names from the archive cleaned, never escaped."""
    label = incident.service.label
    return shorten(
        clean_text(f"{incident.state.upper():9} {label}: {incident_summary(incident)}"), 300
    )


def incident_text(incident: Incident, diagnosis: Diagnosis | None = None) -> str:
    """The notification text of the card (what notifications and screen readers show): escaped
    like the blocks, so a name from an archive line can neither mention nor link."""
    line = escape(incident_line(incident))
    if diagnosis is not None:
        line = f"{line}. {fallback_text(diagnosis)}"
    return shorten(line, 300)


def incident_json(incident: Incident, account_name: str | None) -> str:
    """One line of `ecs-why watch --format json` (CONTRACT §2)."""
    cause = incident.cause
    document = {
        "incident": incident.key,
        "state": incident.state,
        "target": {
            "account": incident.service.account,
            "account_name": account_name,
            "region": incident.service.region,
            "cluster": incident.service.cluster,
            "service": incident.service.service,
            "task_arn": incident.task_arn,
            "revision": incident.revision,
        },
        "cause": {
            "code": cause.code.value,
            "step": cause.step.value,
            "title": clean_text(cause.title),
            "evidence": [clean_text(line) for line in evidence_lines(cause.evidence)],
        },
        "stops": incident.stops,
        "first": incident.first.isoformat(),
        "last": incident.last.isoformat(),
        "recovered": incident.recovered_at.isoformat() if incident.recovered_at else None,
    }
    return json.dumps(document)
