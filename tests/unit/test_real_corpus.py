"""The corpus of real app log lines and 2024-2026 AWS wordings (tests/data) stays sound: each
line verbatim with its source, enough of each family, and the held-out quarter fixed by the text
alone, so no pattern author can move a line into the part they tune on."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, field_validator

from bot.model import STEPS

DATA = Path(__file__).parent.parent / "data"
LINES = DATA / "app_log_lines"
FAMILIES = (
    "dependency-unreachable",
    "config-missing",
    "heap-exhausted",
    "file-limit",
    "disk-full",
    "task-role-denied",
    "task-role-missing",
    "not-foreground",
    "log-config-invalid",
    "app-crash",  # the negative class: crashes that are none of the above
)
KINDS = frozenset({"refused", "timeout", "dns", "tls", "db-auth"})  # dependency-unreachable


def split_of(text: str) -> str:
    """A quarter held out, by the text's hash: adding lines never moves one."""
    return "heldout" if int(hashlib.sha256(text.encode()).hexdigest(), 16) % 4 == 0 else "train"


class AppLine(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    text: str
    cause: str
    kind: str | None = None
    runtime: str
    source: str
    split: Literal["train", "heldout"]

    @field_validator("text", "runtime", "source")
    @classmethod
    def filled(cls, value: str) -> str:
        if not value.strip() or "\n" in value:
            raise ValueError("empty, or several lines")
        return value


class AwsMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    text: str
    field: Literal["stoppedReason", "containerReason", "serviceEvent"]
    cause: str
    step: str
    source: str
    seen: str | None = None


def read(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_holds_twenty_real_lines_or_more_with_their_source(family: str) -> None:
    lines = [AppLine.model_validate(row) for row in read(LINES / f"{family}.jsonl")]
    assert len(lines) >= 20
    assert {line.cause for line in lines} == {family}
    assert len({line.text for line in lines}) == len(lines), "an exact duplicate"
    assert all(line.split == split_of(line.text) for line in lines)
    assert any(line.split == "heldout" for line in lines)
    assert all(line.source.startswith(("https://", "github:")) for line in lines)
    kinds = {line.kind for line in lines}
    assert kinds <= (KINDS if family == "dependency-unreachable" else {None})


def test_five_hundred_lines_in_all_and_no_family_besides() -> None:
    assert {path.stem for path in LINES.glob("*.jsonl")} == set(FAMILIES)
    assert sum(len(read(LINES / f"{family}.jsonl")) for family in FAMILIES) >= 500


def test_the_aws_wordings_name_a_checklist_step_and_a_source() -> None:
    messages = [AwsMessage.model_validate(row) for row in read(DATA / "aws_messages_2024.jsonl")]
    assert len(messages) >= 60
    assert {m.step for m in messages} <= {step.value for step in STEPS}
    assert all(m.source.startswith(("https://", "github:")) for m in messages)
    assert all(count == 1 for count in Counter(m.text for m in messages).values())
