"""The cards the README shows are Block Kit that Slack takes, and the failing ones are within
the 15-line budget: the README says what a reader will get."""

from __future__ import annotations

import json
import re
from pathlib import Path

from slack_sdk.models.blocks import Block

from tests.card_lines import BUDGET, card_lines

README = Path(__file__).parents[3] / "README.md"


def test_every_block_kit_example_validates_and_every_card_fits() -> None:
    examples = [
        json.loads(text)
        for text in re.findall(r"```json\n(.*?)\n```", README.read_text(), re.DOTALL)
        if '"blocks"' in text
    ]
    kinds = [example.get("type", "message") for example in examples]
    assert kinds.count("home") == 1
    assert kinds.count("message") >= 3  # a down, a failing-rollout and a recovered incident card
    for example in examples:
        for block in example["blocks"]:
            parsed = Block.parse(block)
            assert parsed is not None
            assert parsed.to_dict() == block  # to_dict() runs slack_sdk's validation
        if example.get("type") != "home":
            assert card_lines(example["blocks"]) <= BUDGET
