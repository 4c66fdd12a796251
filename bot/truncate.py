"""Cutting text to a length, the one way every surface does it."""

from __future__ import annotations


def shorten(text: str, limit: int) -> str:
    """`text` when it fits in `limit` characters, else its head and "…" (no blank before it)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
