"""The Home tab and the compact card of an unfurled console link: the card's own words (state,
cause, icon), one or two lines per service, and a button to the full answer."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.clean import clean_text
from bot.model import Diagnosis, Target
from bot.render.blocks import STATUS_ICON, escape, fallback_text, slack_date, target_value
from bot.render.glance import cause_title, headline, state
from bot.render.pages import nav, paginate
from bot.truncate import shorten
from bot.watch.incidents import Incident

ACTION_FULL = "ecs_why_full"  # an unfurl's button: the full card in the message's thread
ACTION_HOME_RERUN = "ecs_why_home_rerun"  # Home: diagnose one of your services again
# Home: Previous and Next of each list; the value is the HomePages to show.
ACTION_HOME_PAGE = {"incidents": "ecs_why_home_incidents", "watches": "ecs_why_home_watches"}
MAX_ASKED = 10
# Watches and incidents a page each: with the rest, a Home view's 100 blocks are never reached.
MAX_LISTED = 20
LIST_SIZE = 10_000  # characters of JSON a page of one list may take
LINE = 280

INCIDENT_ICON = {
    "open": ":red_circle:",
    "updated": ":red_circle:",
    "recovered": ":white_check_mark:",
}


class HomePages(BaseModel):
    """Which page of each of its lists a Home tab shows (what its Previous and Next carry)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    incidents: int = Field(default=0, ge=0, le=1000)
    watches: int = Field(default=0, ge=0, le=1000)


class Asked(BaseModel):
    """One diagnosis a user asked for, as their Home tab lists it (kept in the shared store)."""

    model_config = ConfigDict(frozen=True)

    target: Target
    channel: str  # where it was asked: its rules decide a re-run
    icon: str
    headline: str
    cause: str | None
    at: datetime

    @classmethod
    def of(cls, diagnosis: Diagnosis, channel: str) -> Asked:
        return cls(
            target=diagnosis.target,
            channel=channel,
            icon=STATUS_ICON[state(diagnosis)],
            headline=headline(diagnosis),
            cause=cause_title(diagnosis),
            at=diagnosis.diagnosed_at,
        )


def compact_blocks(diagnosis: Diagnosis) -> list[dict[str, Any]]:
    """An unfurled console link: the state and the cause, and one button to the full card."""
    cause = cause_title(diagnosis)
    text = f"{STATUS_ICON[state(diagnosis)]} *{_clean(headline(diagnosis))}*"
    if cause:
        text += f"\n{_clean(cause)}"
    button = {
        "type": "button",
        "action_id": ACTION_FULL,
        "text": {"type": "plain_text", "text": "Full diagnosis"},
        "value": target_value(diagnosis.target),
        "style": "primary",
    }
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"ecs-why · checked {slack_date(diagnosis.diagnosed_at)}",
                }
            ],
        },
        {"type": "actions", "elements": [button]},
    ]


def unfurl_text(diagnosis: Diagnosis) -> str:
    return fallback_text(diagnosis)


def home_view(
    asked: Sequence[Asked],
    watched: Sequence[tuple[str, str]],
    incidents: Sequence[tuple[str, Incident]],
    pages: HomePages | None = None,
) -> dict[str, Any]:
    """The Home tab: the user's last diagnoses, then the watches and open incidents of the
    channels they are in (the caller has kept only what those channels' rules allow), a
    page of each at a time."""
    pages = pages or HomePages()
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "ecs-why"}},
        _section("*Your last diagnoses*"),
        *([_asked(i, a) for i, a in enumerate(asked[:MAX_ASKED])] or [_context(_NO_ASKED)]),
        {"type": "divider"},
        _section("*Open incidents in your channels*"),
        *_listed(pages, "incidents", [_incident(c, i) for c, i in incidents], "Nothing open."),
        {"type": "divider"},
        _section("*Watched in your channels*"),
        *_listed(pages, "watches", [_watch(c, t) for c, t in watched], _NO_WATCHES),
    ]
    return {"type": "home", "blocks": blocks}


def _listed(
    pages: HomePages, which: str, items: list[dict[str, Any]], none: str
) -> list[dict[str, Any]]:
    """The page of one list that `pages` says, with buttons to its other pages."""
    if not items:
        return [_context(none)]
    shown = paginate(items, getattr(pages, which), blocks=MAX_LISTED, size=LIST_SIZE)
    return shown.blocks + nav(
        shown,
        ACTION_HOME_PAGE[which],
        lambda n: pages.model_copy(update={which: n}).model_dump_json(),
    )


_NO_ASKED = "None yet: ask `/ecs-why SERVICE` in a channel, or mention @ecs-why with a task ARN."
_NO_WATCHES = "No watches: `/ecs-why watch cluster/service` in a channel posts its incidents."


def _asked(index: int, asked: Asked) -> dict[str, Any]:
    text = f"{asked.icon} *{_clean(asked.headline)}*"
    if asked.cause:
        text += f"\n{_clean(asked.cause)}"
    text += f"\n<#{asked.channel}> · {slack_date(asked.at)}"
    value = json.dumps({"i": index, "target": json.loads(target_value(asked.target))})
    button = {
        "type": "button",
        "action_id": ACTION_HOME_RERUN,
        "text": {"type": "plain_text", "text": "Diagnose again"},
        "value": value,
    }
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, "accessory": button}


def _incident(channel: str, incident: Incident) -> dict[str, Any]:
    icon = INCIDENT_ICON.get(incident.state, ":red_circle:")
    stops = f"{incident.stops} stop{'s' if incident.stops != 1 else ''}"
    text = (
        f"{icon} *{_clean(incident.service.label)}* ({incident.service.region}): "
        f"{_clean(incident.cause.title)}\n{stops} since {slack_date(incident.first)}, last "
        f"{slack_date(incident.last)} · <#{channel}>"
    )
    return _section(text)


def _watch(channel: str, label: str) -> dict[str, Any]:
    return _context(f"<#{channel}> watches `{_clean(label)}`")


def _clean(text: str) -> str:
    return escape(shorten(clean_text(text), LINE))


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
