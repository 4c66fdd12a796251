"""The Home tab's view and the unfurl's compact card: within Slack's limits, names escaped."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.render.home import (
    ACTION_FULL,
    ACTION_HOME_PAGE,
    MAX_LISTED,
    Asked,
    HomePages,
    compact_blocks,
    home_view,
)
from bot.watch.incidents import Incident
from tests.unit.render.test_blocks import diagnosis
from tests.unit.render.test_incident import incident


def test_an_empty_home_says_how_to_start() -> None:
    view = home_view([], [], [])
    shown = json.dumps(view)
    assert "/ecs-why SERVICE" in shown
    assert "Nothing open." in shown
    assert "/ecs-why watch" in shown


def next_pages(view: dict[str, Any], which: str) -> HomePages | None:
    """What the Next button of one list carries, if it has one."""
    for block in view["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == f"{ACTION_HOME_PAGE[which]}_next":
                return HomePages.model_validate_json(element["value"])
    return None


@pytest.mark.parametrize("which", ["incidents", "watches"])
def test_long_lists_page_within_slacks_limits_and_show_everything(which: str) -> None:
    many: list[tuple[str, Incident]] = [("C1", incident(stops=n + 1)) for n in range(60)]
    watched = [("C1", f"prod/svc-{n}") for n in range(60)]
    asked = [Asked.of(diagnosis(), "C1")] * 30
    seen = ""
    pages: HomePages | None = HomePages()
    views = 0
    while pages is not None:
        view = home_view(asked, watched, many, pages)
        views += 1
        assert len(view["blocks"]) <= 100  # Slack's limit for a Home view
        shown = json.dumps(view)
        assert shown.count("since <!date") <= MAX_LISTED
        assert f"Page {views} of 3" in shown
        seen += shown
        pages = next_pages(view, which)
    assert views == 3
    if which == "incidents":
        assert seen.count("since <!date") == 60
        assert all(f"\\n{n + 1} stop" in seen for n in range(60))  # JSON's newline before
    else:
        assert all(f"`prod/svc-{n}`" in seen for n in range(60))


def test_names_from_aws_cannot_mention_or_link() -> None:
    watched = [("C1", "<!channel> prod/*")]
    shown = json.dumps(home_view([], watched, []))
    assert "<!channel>" not in shown
    assert "&lt;!channel&gt;" in shown


def test_the_compact_card_has_the_state_and_one_primary_button() -> None:
    blocks = compact_blocks(diagnosis())
    (actions,) = [b for b in blocks if b["type"] == "actions"]
    (button,) = actions["elements"]
    assert (button["action_id"], button["style"]) == (ACTION_FULL, "primary")
    assert json.loads(button["value"])["service"]
