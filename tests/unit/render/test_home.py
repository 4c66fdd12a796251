"""The Home tab's view and the unfurl's compact card: within Slack's limits, names escaped."""

from __future__ import annotations

import json

from bot.render.home import ACTION_FULL, MAX_LISTED, Asked, compact_blocks, home_view
from bot.watch.incidents import Incident
from tests.unit.render.test_blocks import diagnosis
from tests.unit.render.test_incident import incident


def test_an_empty_home_says_how_to_start() -> None:
    view = home_view([], [], [])
    shown = json.dumps(view)
    assert "/ecs-why SERVICE" in shown
    assert "Nothing open." in shown
    assert "/ecs-why watch" in shown


def test_long_lists_are_cut_with_a_way_to_see_the_rest() -> None:
    many: list[tuple[str, Incident]] = [("C1", incident(stops=n + 1)) for n in range(60)]
    watched = [("C1", f"prod/svc-{n}") for n in range(60)]
    asked = [Asked.of(diagnosis(), "C1")] * 30
    view = home_view(asked, watched, many)
    assert len(view["blocks"]) <= 100  # Slack's limit for a Home view
    shown = json.dumps(view)
    assert f"and {60 - MAX_LISTED} more" in shown
    assert shown.count("since <!date") == MAX_LISTED


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
