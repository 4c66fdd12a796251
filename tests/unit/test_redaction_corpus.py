"""Redaction measured on a corpus: recall over ≥100 secret shapes, false positives over ≥100
look-alikes (tests/data/redaction_corpus.jsonl).

The secrets are synthesised values of the shapes gitleaks' and detect-secrets' rules know (each
row names the rule it follows in `source`); none is a real credential. The look-alikes are what
a diagnosis is full of: UUIDs, git SHAs, sha256 digests, base64 of ordinary text, ARNs, ECS
task ids, image digests, and words that merely name a secret.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.redact import RULES, Rule, redact
from tests.unit.test_redact import SECRETS

CORPUS = Path(__file__).parents[1] / "data" / "redaction_corpus.jsonl"


@dataclass(frozen=True)
class Row:
    kind: str  # "secret" or "lookalike"
    shape: str
    line: str
    secrets: tuple[str, ...] = ()
    source: str = ""


ROWS = [
    Row(**{**data, "secrets": tuple(data.get("secrets", ()))})
    for data in map(json.loads, CORPUS.read_text().splitlines())
]
SECRET_ROWS = [row for row in ROWS if row.kind == "secret"]
LOOKALIKES = [row for row in ROWS if row.kind == "lookalike"]


def measure() -> tuple[int, int, list[Row], list[Row]]:
    """Secrets found, secrets in all, rows that leaked, look-alikes that were changed."""
    found = total = 0
    leaked, changed = [], []
    for row in SECRET_ROWS:
        shown = redact(row.line)
        hidden = [secret not in shown for secret in row.secrets]
        found, total = found + sum(hidden), total + len(hidden)
        if not all(hidden):
            leaked.append(row)
    changed = [row for row in LOOKALIKES if redact(row.line) != row.line]
    return found, total, leaked, changed


def test_the_corpus_is_large_and_varied() -> None:
    assert len(SECRET_ROWS) >= 100
    assert len(LOOKALIKES) >= 100
    assert len({row.shape for row in SECRET_ROWS}) >= 50
    assert all(row.source.startswith(("gitleaks:", "detect-secrets:")) for row in SECRET_ROWS)
    for row in SECRET_ROWS:
        assert all(secret in row.line for secret in row.secrets), row


def test_recall_is_one_and_no_lookalike_changes() -> None:
    found, total, leaked, changed = measure()
    print(
        f"\nredaction corpus: recall {found}/{total} = {found / total:.3f} over "
        f"{len(SECRET_ROWS)} lines of {len({r.shape for r in SECRET_ROWS})} shapes; "
        f"false positives {len(changed)}/{len(LOOKALIKES)} look-alikes"
    )
    assert [(row.shape, redact(row.line)) for row in leaked] == []
    assert [(row.shape, redact(row.line)) for row in changed] == []


@pytest.mark.parametrize("rule", RULES, ids=[f"{i}-{r.name}" for i, r in enumerate(RULES)])
def test_every_rule_has_a_real_line(rule: Rule) -> None:
    """A row nobody can show a line for is a row nobody can maintain."""
    lines = [case[0] for case in SECRETS] + [row.line for row in SECRET_ROWS]
    assert any(rule.pattern.search(line) for line in lines)
