"""Lists a page at a time: every item shown once, in order, each page within Slack's limits, and
the buttons lead to the pages there are."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.render.blocks import ACTION_DETAILS_PAGE, render_details
from bot.render.pages import nav, nav_actions, packed, paginate
from tests.unit.render.test_blocks import assert_sound, extreme, texts


@given(st.lists(st.text(min_size=1, max_size=500), max_size=60), st.integers(20, 3000))
def test_packed_lines_keep_their_order_within_the_limit(lines: list[str], limit: int) -> None:
    joined = packed(lines, limit)
    assert all(len(text) <= limit for text in joined)
    if all(len(line) <= limit and "\n" not in line for line in lines):
        assert [line for text in joined for line in text.split("\n")] == lines


def item(n: int, size: int) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": f"{n}:" + "x" * size}}


@given(st.lists(st.integers(0, 4000), max_size=120), st.integers(1, 50))
def test_pages_hold_every_item_once_in_order_within_blocks_and_size(
    sizes: list[int], blocks: int
) -> None:
    items = [item(n, size) for n, size in enumerate(sizes)]
    first = paginate(items, 0, blocks=blocks, size=9_000)
    shown = []
    for number in range(first.count):
        page = paginate(items, number, blocks=blocks, size=9_000)
        assert (page.number, page.count) == (number, first.count)
        assert 0 < len(page.blocks) <= blocks or not items
        assert len(json.dumps(page.blocks)) <= 9_000 or len(page.blocks) == 1
        shown += page.blocks
    assert shown == items


def test_a_page_number_out_of_range_shows_the_nearest_page() -> None:
    items = [item(n, 10) for n in range(7)]
    assert paginate(items, 99, blocks=3, size=9_000).number == 2
    assert paginate(items, -4, blocks=3, size=9_000).number == 0


@pytest.mark.parametrize(
    ("number", "buttons"),
    [(0, ["next"]), (1, ["prev", "next"]), (2, ["prev"])],
)
def test_the_buttons_lead_to_the_pages_there_are(number: int, buttons: list[str]) -> None:
    page = paginate([item(n, 10) for n in range(7)], number, blocks=3, size=9_000)
    where, actions = nav(page, "list", str)
    assert where["elements"][0]["text"] == f"Page {number + 1} of 3"
    ids = [button["action_id"] for button in actions["elements"]]
    assert ids == [f"list_{which}" for which in buttons]
    assert set(ids) <= set(nav_actions("list"))
    values = [int(button["value"]) for button in actions["elements"]]
    assert values == [number - 1 if which == "prev" else number + 1 for which in buttons]
    assert nav(paginate([item(0, 10)], 0, blocks=3, size=9_000), "list", str) == []


def test_details_too_long_for_one_message_page_through_everything() -> None:
    diagnosis = extreme()
    assert diagnosis.task_definition is not None
    page: int | None = 0
    shown, seen = [], 0
    while page is not None:
        blocks = render_details(diagnosis, page)
        assert_sound(blocks)
        shown += texts(blocks)
        seen += 1
        nexts = [
            json.loads(element["value"])
            for block in blocks
            if block["type"] == "actions"
            for element in block["elements"]
            if element["action_id"] == f"{ACTION_DETAILS_PAGE}_next"
        ]
        page = nexts[0]["page"] if nexts else None
        assert all(value["target"]["service"] == "api-service" for value in nexts)
    assert seen > 1
    body = "\n".join(shown)
    assert all(f"*Container {c.name}*" in body for c in diagnosis.task_definition.containers)
