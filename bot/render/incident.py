"""An incident as Slack's card (the diagnosis card under an incident header, its buttons one
row: the cause's primary action, Acknowledge, Snooze 1 h, Mute and the rest in a menu), as a
terminal line, and as the JSON line of `ecs-why watch` (CONTRACT §2)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.models.blocks import (
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
)

from bot.clean import clean_text
from bot.model import Diagnosis
from bot.render.blocks import (
    ACTIONS_BLOCK,
    LINE_WIDTH,
    date_fallback,
    escape,
    fallback_text,
    render_card,
    safe,
    slack_date,
)
from bot.render.chart import CHART
from bot.render.evidence import evidence_lines
from bot.render.glance import Stops
from bot.truncate import shorten
from bot.watch.incidents import Acknowledged, Incident

ACTION_SNOOZE = "ecs_why_snooze"
ACTION_MUTE = "ecs_why_mute"
ACTION_UNSILENCE = "ecs_why_unsilence"
ACTION_ACK = "ecs_why_ack"
ACTION_MORE = "ecs_why_incident_more"  # the overflow menu: each option's value is an action id
INCIDENT_BLOCK = "ecs_why_incident"
SILENCE_BLOCK = "ecs_why_silence"
BUTTONS_BLOCK = "ecs_why_incident_actions"
SNOOZE = timedelta(hours=1)


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
    return f"{head}, since {incident.first:%Y-%m-%d %H:%M} UTC"  # terminal and text: UTC


def incident_header(
    incident: Incident,
    silence: str | None = None,
    acked: Acknowledged | None = None,
    numbers: str | None = None,
) -> list[dict[str, Any]]:
    """The incident's own blocks: since when or recovered when, how often, the card's
    `numbers` when they join this line, who acknowledged it, snoozed or muted. The cause and
    revision are the card's to say."""
    text = " ".join(_header_words(incident, slack_date))
    if numbers:
        text += f" · {numbers}"
    if acked is not None:
        text += f" · {acknowledged(acked)}"
    blocks = [ContextBlock(block_id=INCIDENT_BLOCK, elements=[MarkdownTextObject(text=text)])]
    if silence:
        note = MarkdownTextObject(text=safe(silence, 500))
        blocks.append(ContextBlock(block_id=SILENCE_BLOCK, elements=[note]))
    return [block.to_dict() for block in blocks]


def _header_words(incident: Incident, when: Callable[[datetime], str]) -> tuple[str, str]:
    """The header's emoji and its words."""
    if incident.recovered_at is not None:
        recovered = when(incident.recovered_at)
        return ":large_green_circle:", f"*Recovered* {recovered} after {_span(incident)}"
    return ":rotating_light:", f"*Incident* since {when(incident.first)}: {_span(incident)}"


def _header_width(incident: Incident) -> int:
    """The header's characters as a reader sees them: its emoji as one wide character (2), its
    markup gone, its date as the token's fallback."""
    return 3 + len(_header_words(incident, date_fallback)[1].replace("*", ""))


def acknowledged(acked: Acknowledged) -> str:
    """The words of an acknowledgement; the user id is Slack's, so it may mention."""
    user = acked.user if acked.user.isalnum() else "someone"
    return f":eyes: acknowledged by <@{user}> {slack_date(acked.at)}"


def silence_value(incident: Incident) -> str:
    """What the Snooze and Mute buttons carry: the service and the cause code."""
    return json.dumps(
        {**incident.service.model_dump(), "cause": incident.cause.code.value},
        separators=(",", ":"),
    )


def render_incident_card(
    incident: Incident,
    diagnosis: Diagnosis,
    silence: str | None = None,
    acked: Acknowledged | None = None,
) -> list[dict[str, Any]]:
    """The diagnosis card under the incident header, with one row of buttons: the card's
    primary one, Acknowledge (until someone has), Snooze 1 h, Mute this cause, and a menu with
    the card's other buttons."""
    stops = Stops(incident.stops, incident.first)
    card = render_card(diagnosis, stops=stops, room=LINE_WIDTH - _header_width(incident) - 3)
    # Beside a chart, the card's numbers (its second block) join the header's line.
    charted = any(b["type"] == CHART for b in card)
    numbers = card.pop(1)["elements"][0]["text"] if charted else None
    header = incident_header(incident, silence, acked, numbers)
    own = next(b for b in card if b.get("block_id") == ACTIONS_BLOCK)["elements"]
    value = silence_value(incident)
    elements: list[dict[str, Any]] = [e for e in own if e.get("style") == "primary"]
    if acked is None:
        ack = ButtonElement(text="Acknowledge", action_id=ACTION_ACK, value=incident.key)
        elements.append(ack.to_dict())
    elements += [
        ButtonElement(text="Snooze 1 h", action_id=ACTION_SNOOZE, value=value).to_dict(),
        ButtonElement(text="Mute this cause", action_id=ACTION_MUTE, value=value).to_dict(),
    ]
    if rest := [e for e in own if e.get("style") != "primary"]:
        elements.append(_menu(rest).to_dict())
    buttons = {"type": "actions", "block_id": BUTTONS_BLOCK, "elements": elements}
    kept = [b for b in card if b.get("block_id") != ACTIONS_BLOCK]
    return [*header, *kept, buttons]


def _menu(buttons: list[dict[str, Any]]) -> OverflowMenuElement:
    """The card's other buttons as a menu: a link stays a link, a button names its action."""
    options = [
        Option(text=b["text"]["text"], value=b["action_id"], url=b.get("url")) for b in buttons[:5]
    ]
    return OverflowMenuElement(action_id=ACTION_MORE, options=options)


def with_ack(blocks: list[dict[str, Any]], acked: Acknowledged) -> list[dict[str, Any]]:
    """The same card saying who acknowledged it, its Acknowledge button gone."""
    shown: list[dict[str, Any]] = []
    for block in blocks:
        if block.get("block_id") == INCIDENT_BLOCK:
            element = block["elements"][0]
            text = element["text"].split(" · :eyes: acknowledged by", 1)[0]
            element = {**element, "text": f"{text} · {acknowledged(acked)}"}
            block = {**block, "elements": [element]}
        elif block.get("block_id") == BUTTONS_BLOCK:
            kept = [e for e in block["elements"] if e.get("action_id") != ACTION_ACK]
            block = {**block, "elements": kept}
        shown.append(block)
    return shown


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
