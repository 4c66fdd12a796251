"""Lists cut into pages that fit Slack's limits, with Prev and Next buttons to the other pages.

A message holds at most 50 blocks and a Home view 100, a section at most 3,000 characters, and
a message much over ~12,000 characters is refused (bot/render/blocks.py). A list that could
break them (a channel's watches and mutes, a card's Details, the Home tab's lists) is shown a
page at a time: each button carries the page it leads to, and its handler renders that page
again from the same data, so nothing is left out and nothing is kept between clicks.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.truncate import shorten

NAV_BLOCKS = 2  # what `nav` adds to a page: a "page 2 of 3" line and the buttons
# Room for those two blocks, button values (a target, ≤ ~1,000 characters each) included.
NAV_ROOM = 2_500


@dataclass(frozen=True)
class Page:
    """One page of a list: its blocks, which page it is (from 0) and how many there are."""

    blocks: list[dict[str, Any]]
    number: int
    count: int


def packed(lines: Sequence[str], limit: int) -> list[str]:
    """`lines` joined by newlines into as few texts as fit `limit` characters each (a line
    longer than that on its own is shortened): one list, as few sections as Slack allows."""
    texts: list[str] = []
    for line in lines:
        line = shorten(line, limit)
        if texts and len(texts[-1]) + 1 + len(line) <= limit:
            texts[-1] += "\n" + line
        else:
            texts.append(line)
    return texts


def paginate(items: Sequence[dict[str, Any]], number: int, *, blocks: int, size: int) -> Page:
    """Page `number` (kept within range) of `items` laid out in order, each page at most
    `blocks` blocks and `size` characters of JSON; a page holds one item at least."""
    pages: list[list[dict[str, Any]]] = [[]]
    used = 0
    for item in items:
        cost = len(json.dumps(item)) + 2
        if pages[-1] and (len(pages[-1]) >= blocks or used + cost > size):
            pages.append([])
            used = 0
        pages[-1].append(item)
        used += cost
    number = min(max(number, 0), len(pages) - 1)
    return Page(pages[number], number, len(pages))


def nav(page: Page, action_id: str, value: Callable[[int], str]) -> list[dict[str, Any]]:
    """Where this page is and buttons to the pages before and after it (`value(n)` is what a
    button to page n carries back); nothing when the list fits on one page."""
    if page.count <= 1:
        return []
    buttons = []
    if page.number > 0:
        buttons.append(_button(f"{action_id}_prev", "◀ Previous", value(page.number - 1)))
    if page.number < page.count - 1:
        buttons.append(_button(f"{action_id}_next", "Next ▶", value(page.number + 1)))
    where = f"Page {page.number + 1} of {page.count}"
    return [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": where}]},
        {"type": "actions", "elements": buttons},
    ]


def nav_actions(action_id: str) -> tuple[str, str]:
    """The action ids of `nav`'s two buttons for `action_id`, to register one handler for
    both (by name: Bolt matches a pattern against whatever a signed body holds, lists too)."""
    return f"{action_id}_prev", f"{action_id}_next"


def _button(action_id: str, text: str, value: str) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": text},
        "value": value,
    }
