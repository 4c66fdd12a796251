"""The incident card: the diagnosis card under an incident header, within Slack's limits, and
the snooze or mute note in place of an earlier one."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.models.blocks import Block

from bot.model import Cause, Evidence, Finding, Kind, Step
from bot.render.blocks import CARD_BUDGET, MAX_BLOCKS
from bot.render.incident import (
    ACTION_ACK,
    ACTION_MORE,
    ACTION_MUTE,
    ACTION_SNOOZE,
    SILENCE_BLOCK,
    incident_line,
    incident_summary,
    incident_text,
    render_incident_card,
    with_ack,
    with_silence,
)
from bot.watch.incidents import Acknowledged, Incident, ServiceRef
from tests.card_lines import card_lines
from tests.unit.render.test_blocks import HUGE, diagnosis
from tests.unit.render.test_chart import oom

T0 = datetime(2026, 3, 4, 3, 0, tzinfo=UTC)
SERVICE = ServiceRef(account="123456789012", region="us-east-1", cluster="prod", service="api")


def incident(stops: int = 14, recovered: bool = False, title: str = "OOM") -> Incident:
    cause = Finding(code=Cause.OUT_OF_MEMORY, step=Step.EXIT_CODE, severity="error", title=title)
    return Incident(
        key="k",
        service=SERVICE,
        cause=cause,
        revision=7,
        state="recovered" if recovered else "updated",
        stops=stops,
        first=T0,
        last=T0 + timedelta(minutes=20),
        recovered_at=T0 + timedelta(minutes=40) if recovered else None,
    )


def test_the_header_says_how_many_stops_since_when_and_when_it_recovered() -> None:
    assert incident_summary(incident()) == (
        "14 stops in 20 min, same cause out-of-memory, revision 7, since 2026-03-04 03:00 UTC"
    )
    assert incident_summary(incident(recovered=True)).startswith(
        "recovered at 2026-03-04 03:40 UTC after 14 stops in 20 min"
    )
    blocks = render_incident_card(incident(recovered=True), diagnosis())
    assert "*Recovered*" in json.dumps(blocks)


def test_the_card_keeps_within_slacks_limits_and_has_snooze_and_mute() -> None:
    blocks = render_incident_card(
        incident(title=HUGE), diagnosis(text=HUGE, evidence=(Evidence(kind=Kind.LOG, text=HUGE),))
    )
    assert len(blocks) <= MAX_BLOCKS
    assert len(json.dumps(blocks)) <= CARD_BUDGET + 1000
    for block in blocks:
        assert Block.parse(block) is not None
    actions = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert {ACTION_SNOOZE, ACTION_MUTE} <= set(actions)


def test_a_silence_note_replaces_the_one_before() -> None:
    blocks = render_incident_card(incident(), diagnosis())
    once = with_silence(blocks, "snoozed")
    twice = with_silence(once, "muted")
    notes = [b for b in twice if b.get("block_id") == SILENCE_BLOCK]
    assert [n["elements"][0]["text"] for n in notes] == ["muted"]
    assert twice.index(notes[0]) == 1  # right under the incident header


def test_the_header_and_the_card_under_it_give_one_count() -> None:
    """The diagnosis saw 3 recent stops; the incident counted 14: the card says 14, once."""
    blocks = render_incident_card(incident(stops=14), diagnosis(stopped=3))
    texts = [e.get("text", "") for b in blocks if b["type"] == "context" for e in b["elements"]]
    counts = [t for t in texts if "stops" in t or "stopped" in t]
    assert [t for t in counts if "14 stops" in t] == [counts[0]]  # the header, and only it
    assert "14 stops in 20 min" in counts[0]
    assert not any("3 stopped" in t for t in counts)


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_one_row_the_causes_primary_acknowledge_snooze_mute_and_a_menu() -> None:
    blocks = render_incident_card(incident(), diagnosis())
    assert [b["type"] for b in blocks].count("actions") == 1
    row = buttons(blocks)
    said = [e["text"]["text"] for e in row if e["type"] == "button"]
    assert said == ["Fetch logs", "Acknowledge", "Snooze 1 h", "Mute this cause"]
    assert [e.get("style") for e in row].count("primary") == 1
    (menu,) = [e for e in row if e["type"] == "overflow"]
    assert menu["action_id"] == ACTION_MORE
    assert [o["text"]["text"] for o in menu["options"]] == [
        "Diagnose again",
        "Details",
        "AWS console",
    ]


def test_an_acknowledgement_shows_who_and_when_and_stays_through_updates() -> None:
    at = T0 + timedelta(minutes=5)
    acked = Acknowledged(user="U0ALEX", at=at)
    blocks = with_ack(render_incident_card(incident(), diagnosis()), acked)
    header = blocks[0]["elements"][0]["text"]
    assert f"acknowledged by <@U0ALEX> <!date^{int(at.timestamp())}^" in header
    assert ACTION_ACK not in [e["action_id"] for e in buttons(blocks)]
    updated = render_incident_card(incident(stops=20), diagnosis(), acked=acked)
    assert "acknowledged by <@U0ALEX>" in updated[0]["elements"][0]["text"]
    assert ACTION_ACK not in [e["action_id"] for e in buttons(updated)]
    again = with_ack(blocks, Acknowledged(user="U0SAM", at=at))
    assert again[0]["elements"][0]["text"].count("acknowledged by") == 1


def test_names_from_archive_lines_are_escaped_in_the_notification_text_only() -> None:
    """A cluster or service name read from an archive line may hold Slack's markup; the
    notification text shows it as text, the terminal line as it is, both without bidi."""
    hostile = SERVICE.model_copy(update={"service": "api<!channel>&\u202egpj.exe"})
    shown = incident().model_copy(update={"service": hostile})
    text = incident_text(shown)
    assert "api&lt;!channel&gt;&amp;gpj.exe" in text
    assert "<!channel>" not in text
    assert "\u202e" not in text
    assert "api<!channel>&gpj.exe" in incident_line(shown)
    assert "<!channel>" not in incident_text(shown, diagnosis(text="x <!here> y"))


def test_bidi_and_zero_width_characters_never_reach_the_card() -> None:
    sneaky = "Container app\u202e\u2066\u200b was killed\ufeff"
    blocks = render_incident_card(incident(title=sneaky), diagnosis(text=sneaky))
    assert not any(
        char in json.dumps(blocks, ensure_ascii=False) for char in "\u202e\u2066\u200b\ufeff"
    )
    assert "Container app was killed" in json.dumps(blocks)


def test_beside_a_chart_the_numbers_join_the_header_and_survive_an_ack() -> None:
    charted = oom()
    card = render_incident_card(incident(), charted)
    header = card[0]["elements"][0]["text"]

    assert header.startswith(":rotating_light: *Incident* since")
    assert " · 0/2 tasks running" in header  # the card's numbers, on the header's one line
    assert card_lines(card[:1]) == 1
    assert [b["type"] for b in card[1:3]] == ["section", "data_visualization"]
    acked = with_ack(card, Acknowledged(user="U0ALEX", at=T0 + timedelta(minutes=5)))
    said = acked[0]["elements"][0]["text"]
    assert " · 0/2 tasks running · :eyes: acknowledged by <@U0ALEX>" in said, said
    # Without a chart the numbers keep their own line under the cause.
    plain = render_incident_card(incident(), diagnosis())
    assert "tasks running" not in plain[0]["elements"][0]["text"]
