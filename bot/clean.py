"""A diagnosis made fit to show anywhere, once, where it is built: every string AWS gave us
(reasons, log lines, commands, names) without the characters that hide or reorder text and
without secrets, so the CLI's JSON and text, the card, Details, Fetch logs and files all show
the same clean words and the cache never holds a secret.

Invisible characters go first, so that a zero-width space inside a key cannot split it past the
redaction rows. Commands are redacted as argument lists (`--password` and its value are two
items) and log lines as one stream (a private key logged a line per event).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel

from bot.model import ContainerDefinition, HealthCheck, LogStream
from bot.redact import redact, redact_argv, redact_lines

M = TypeVar("M", bound=BaseModel)

# Terminal escape sequences (colour, cursor moves, titles) a log line may carry.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-_])")
# Bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), the marks and
# zero-width characters (U+200B-U+200F, U+2060-U+2064, U+FEFF, soft hyphen), and every other
# control character but tab and newline: they reorder or hide what a reader sees.
_INVISIBLE = re.compile(
    "[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\x00-\x08\x0b-\x1f\x7f-\x9f]"
)


def visible(text: str) -> str:
    """`text` without terminal escapes, bidi controls, zero-width and control characters."""
    if text.isascii() and text.isprintable():
        return text
    return _INVISIBLE.sub("", _ANSI.sub("", text))


def clean_text(text: str) -> str:
    """One string from AWS, fit to show: visible characters only, secrets redacted."""
    return redact(visible(text))


def _argv(items: tuple[str, ...]) -> tuple[str, ...]:
    return redact_argv([visible(item) for item in items])


def clean_lines(lines: Sequence[str]) -> tuple[str, ...]:
    """The lines of one log stream, cleaned together (a key's lines are hidden as one)."""
    return tuple(redact_lines(visible(line) for line in lines))


# Fields whose strings belong together: a command's arguments, a stream's lines.
_TOGETHER: dict[tuple[type[BaseModel], str], Callable[[tuple[str, ...]], tuple[str, ...]]] = {
    (ContainerDefinition, "command"): _argv,
    (ContainerDefinition, "entry_point"): _argv,
    (HealthCheck, "command"): _argv,
    (LogStream, "lines"): clean_lines,
}


def clean(model: M) -> M:
    """`model` (a Diagnosis, a Finding…) with every string in it cleaned, its types kept."""
    updates: dict[str, Any] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        together = _TOGETHER.get((type(model), name))
        cleaned = together(value) if together is not None else _clean_value(value)
        if cleaned != value:
            updates[name] = cleaned
    return model.model_copy(update=updates) if updates else model


def _clean_value(value: Any) -> Any:
    if isinstance(value, Enum) or value is None:
        return value
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, BaseModel):
        return clean(value)
    if isinstance(value, tuple):
        return tuple(_clean_value(item) for item in value)
    if isinstance(value, dict):
        return {key: _clean_entry(key, item) for key, item in value.items()}
    return value


def _clean_entry(key: Any, value: Any) -> Any:
    """A mapping's value, read with its key: `{"splunk-token": "…"}` is a secret by its name."""
    if isinstance(key, str) and isinstance(value, str):
        pair = clean_text(f"{key}={value}")
        if pair.startswith(f"{key}="):
            return pair[len(key) + 1 :]
    return _clean_value(value)
