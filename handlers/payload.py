"""Reading fields of a Slack payload that may be missing or of the wrong type.

Slack's payloads are trusted only after the signature check, and even then a field can be
absent or odd (an old client, a replayed fixture): every handler reads them through these two.
"""

from __future__ import annotations

from typing import Any


def as_object(value: object) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def as_text(value: object) -> str | None:
    """`value` when it is a non-empty string, else None."""
    return value if isinstance(value, str) and value else None
