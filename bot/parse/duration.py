"""`--since DURATION` (CONTRACT §2): a number with m, h or d, such as 90m, 12h or 3d."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.errors import TargetError

_DURATION = re.compile(r"^\s*(\d{1,5})\s*([mhd])\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
# CloudWatch Logs keeps the archive 30 days by default; a year is the most worth asking.
MAX_WINDOW = timedelta(days=366)


def parse_duration(text: str) -> timedelta:
    """The window, or TargetError saying what a duration looks like."""
    match = _DURATION.match(text)
    if not match or int(match[1]) == 0:
        raise TargetError(f"not a duration: {text!r} (use a number with m, h or d: 90m, 12h, 3d)")
    window = timedelta(**{_UNITS[match[2].lower()]: int(match[1])})
    if window > MAX_WINDOW:
        raise TargetError(f"duration {text!r} is longer than a year")
    return window


def split_since(text: str) -> tuple[str, timedelta | None]:
    """`api-service since 3d` → ("api-service", 3 days): the slash command's window."""
    head, sep, tail = text.rpartition(" since ")
    if not sep:
        return text, None
    return head.strip(), parse_duration(tail)
