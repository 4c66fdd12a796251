"""How many lines a Block Kit message takes at Slack's desktop width, whatever renders it.

The budget of issue 19 is counted this way, not by any renderer of ours: text and context are
wrapped at 90 characters as a reader sees them (markup gone, a date token as its fallback, a
link as its label, an emoji as one wide character), every line of a code block is a line, a row
of buttons is a line, and a chart (Slack's data_visualization block, or an image) costs a fixed 6.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

WIDTH = 90
CHART = 6
BUDGET = 15

_TOKEN = re.compile(r"<[^<>|]*\|([^<>]*)>")  # <!date^…|fallback>, <url|label>
_BARE = re.compile(r"<([^<>|]*)>")  # <url>, <@U123>
_EMOJI = re.compile(r":[a-z0-9_+-]+:")
_MARKUP = re.compile(r"[*_~`]")
_ENTITY = re.compile(r"&(amp|lt|gt);")


def shown(mrkdwn: str) -> str:
    """What a reader sees of one line of mrkdwn: its characters, not its markup."""
    text = _TOKEN.sub(r"\1", mrkdwn)
    text = _BARE.sub(r"\1", text)
    text = _EMOJI.sub("##", text)
    text = _ENTITY.sub("&", text)
    return _MARKUP.sub("", text)


def wrapped(text: str) -> int:
    """Lines a text takes: code-block lines one each, every other line wrapped at WIDTH."""
    lines = 0
    for n, part in enumerate(text.split("```")):
        if n % 2:  # inside a code block
            lines += len(part.strip("\n").split("\n"))
            continue
        for line in part.strip("\n").split("\n") if part.strip("\n") else []:
            lines += max(1, math.ceil(len(shown(line)) / WIDTH))
    return lines


def block_lines(block: dict[str, Any]) -> int:
    """The lines of one block."""
    kind = block.get("type")
    if kind == "section":
        texts = [block["text"]["text"]] if "text" in block else []
        texts += [field["text"] for field in block.get("fields", [])]
        return sum(wrapped(text) for text in texts)
    if kind == "context":
        return wrapped(" ".join(e.get("text", "") for e in block.get("elements", [])))
    if kind == "header":
        return wrapped(block["text"]["text"])
    if kind == "actions":
        return 1
    if kind in ("image", "data_visualization"):
        return CHART
    if kind == "rich_text":
        return wrapped(_rich_text(block))
    return 1  # a divider, or anything else: a line at least


def _rich_text(block: dict[str, Any]) -> str:
    def texts(elements: Iterable[dict[str, Any]]) -> Iterable[str]:
        for element in elements:
            if "text" in element and isinstance(element["text"], str):
                yield element["text"]
            yield from texts(element.get("elements", []))

    return "".join(texts(block.get("elements", [])))


def card_lines(blocks: Sequence[dict[str, Any]]) -> int:
    """The lines of a whole message."""
    return sum(block_lines(block) for block in blocks)
