"""The checks, listed once: pure functions of `Facts`, run in this order.

Each check declares the facts it needs and reads (a step whose needed fact could not be read
is `unknown`), the checklist step it serves, if any (several may serve one step; one may serve
none), and the one home of each cause code it finds, its `Knowledge`: title, what it explains,
its stage in a task's start, whether a new revision brings it, the card's primary button, and
its `fix(finding, facts)`, built from the typed particulars the check read (bot/checks/fixes.py
is their toolkit).

Adding a check is one new module, one line below, and its tests:
- `bot/checks/NAME.py` with its fixes, a `Knowledge(..., fix=...)` for each cause it finds (a
  root cause says what it `explains`) and `CHECK = Check(run=check_NAME, knowledge=...,
  needs=(Fact...), step=...)`;
- its line in `CHECKS`;
- `tests/unit/checks/test_NAME.py`, its checks and fixes on hand-built facts
  (tests/facts_builder.py).
Adding a cause to a check adds its code to `Cause` in bot/model.py (a `Particulars` field when
its fix needs something new the check read) and, when AWS's words name it, a row in patterns.py.
Nothing else changes: the verdict, the ranking, the rollback, the checklist, the card's buttons
and the IAM policy's facts follow from the declarations.
"""

from __future__ import annotations

from bot.checks import (
    exit_code,
    health_check,
    iam,
    image,
    logs,
    network,
    placement,
    resources,
    stopped_reason,
    task_role,
)
from bot.checks.base import Knowledge
from bot.checks.registry import Registry
from bot.model import Cause

CHECKS = Registry(
    (
        stopped_reason.CHECK,
        exit_code.CHECK,
        logs.CHECK,
        image.CHECK,
        iam.CHECK,
        task_role.CHECK,
        network.CHECK,
        resources.CHECK,
        placement.CHECK,
        health_check.CHECK,
    )
)

KNOWLEDGE: dict[Cause, Knowledge] = CHECKS.knowledge
