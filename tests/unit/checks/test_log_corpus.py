"""The log table scored on the corpus of real app log lines (tests/data/app_log_lines).

The held-out quarter was set aside before any row was written and is only scored: it says how
the table does on lines its author never read. A line no row reads is an app crash (its exit
code's step), which is right for the negative class and wrong for every other.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bot.checks import KNOWLEDGE
from bot.checks.patterns import classify_log
from bot.model import Cause, Step

CORPUS = Path(__file__).parents[2] / "data" / "app_log_lines"


def scored(split: str) -> dict[str, tuple[int, int, int]]:
    """Per family: lines, right cause, right checklist step."""
    lines, cause, step = Counter[str](), Counter[str](), Counter[str]()
    for path in sorted(CORPUS.glob("*.jsonl")):
        for row in map(json.loads, path.read_text().splitlines()):
            if row["split"] != split:
                continue
            family = Cause(row["cause"])
            rule = classify_log(row["text"])
            read = rule.cause if rule else Cause.APP_CRASH
            read_step = rule.step if rule else Step.EXIT_CODE
            lines[family] += 1
            cause[family] += read is family
            step[family] += read_step is KNOWLEDGE[family].step
    return {family: (lines[family], cause[family], step[family]) for family in lines}


def share(score: dict[str, tuple[int, int, int]], part: int) -> float:
    return sum(v[part] for v in score.values()) / sum(v[0] for v in score.values())


@pytest.mark.parametrize(
    ("split", "cause", "step"), [("train", 0.95, 0.97), ("heldout", 0.9, 0.95)]
)
def test_the_log_table_reads_real_lines_it_was_not_written_for(
    split: str, cause: float, step: float
) -> None:
    score = scored(split)
    table = "\n".join(
        f"{f:24} {n:3} lines {c:3} cause {s:3} step" for f, (n, c, s) in score.items()
    )
    print(f"\n{split}: cause {share(score, 1):.1%}, step {share(score, 2):.1%}\n{table}")
    assert share(score, 1) >= cause, table
    assert share(score, 2) >= step, table
