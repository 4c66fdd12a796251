"""The checklist: one check per step, in the order an expert works through them.

Checks are pure functions of `Facts`. Each declares the AWS actions its facts come from and
the knowledge (title, what explains it) for each cause code it can find.
"""

from __future__ import annotations

from bot.checks import (
    exit_code,
    health_check,
    iam,
    image,
    logs,
    network,
    resources,
    stopped_reason,
)
from bot.checks.base import Check, Knowledge
from bot.model import Cause, Facts, Finding

CHECKS: tuple[Check, ...] = (
    stopped_reason.CHECK,
    exit_code.CHECK,
    logs.CHECK,
    image.CHECK,
    iam.CHECK,
    network.CHECK,
    resources.CHECK,
    health_check.CHECK,
)

KNOWLEDGE: dict[Cause, Knowledge] = {k.code: k for check in CHECKS for k in check.knowledge}

PERMISSIONS: tuple[str, ...] = tuple(
    sorted({action for check in CHECKS for action in check.permissions})
)


def run_checks(facts: Facts) -> list[Finding]:
    """Every finding of every check, in checklist order."""
    return [finding for check in CHECKS for finding in check.run(facts)]
