"""The whole real-message collection, scored as a user would meet it.

Every message of tests/unit/real_messages.py is planted in an otherwise healthy service of one
emulated account (tests/message_planting.py), and each service is diagnosed through the real
pipeline over HTTP. The test prints the share of right cause codes, and of right checklist
steps, by kind and by family of message, and fails when the share of right causes drops below
its floor. Messages whose words alone cannot tell their cause (tests/unit/checks/test_patterns.py's
DECIDED_BY_CONTEXT) are planted in a healthy service all the same: they count, and may miss.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

from bot.cache import MemoryStore
from bot.checks import KNOWLEDGE
from bot.demo.traffic import EmulatorServer
from bot.model import Cause, Diagnosis, Target
from bot.service import Diagnoser
from bot.settings import Settings
from tests.integration.conftest import emptied_emulator
from tests.message_planting import build_planted_account, spec_for
from tests.unit.real_messages import REAL_MESSAGES, RealMessage

# Measured 2026-12-01 on the collection of this commit; a few points below, so that a pattern
# or a check that stops reading a family fails the build.
CAUSE_FLOOR = 0.78
STEP_FLOOR = 0.84

# Families of AWS wording, first match wins; log lines are the app's (or a tool's) words.
FAMILIES = (
    "CannotPullECRContainerError",
    "CannotPullContainerError",
    "CannotStartContainerError",
    "CannotCreateContainerError",
    "CannotInspectContainerError",
    "CannotStopContainerError",
    "ContainerRuntimeTimeoutError",
    "DockerTimeoutError",
    "ResourceInitializationError",
    "OutOfMemoryError",
    "unable to place a task",
    "health checks",
    "is unhealthy in",
    "deployment",
)


def family(message: RealMessage) -> str:
    if message.kind == "log-line":
        return "log line"
    lowered = message.text.lower()
    return next((name for name in FAMILIES if name.lower() in lowered), "other")


@pytest.fixture(scope="module")
def diagnoses(emulator: EmulatorServer) -> list[Diagnosis]:
    """One account holding a service per message, each diagnosed once."""
    with emptied_emulator(emulator):
        specs = [spec_for(message, index) for index, message in enumerate(REAL_MESSAGES)]
        build_planted_account(boto3.Session(), specs)
        diagnoser = Diagnoser(Settings(), MemoryStore())
        targets = [Target(cluster=s.scenario.cluster, service=s.scenario.service) for s in specs]
        with ThreadPoolExecutor(max_workers=8) as pool:
            found = list(pool.map(diagnoser.diagnose, targets))
        diagnoser.close()
    return found


def right_cause(message: RealMessage, diagnosis: Diagnosis) -> bool:
    return diagnosis.cause is not None and diagnosis.cause.code == message.code


def right_step(message: RealMessage, diagnosis: Diagnosis) -> bool | None:
    """Whether the cause names the step the message's cause belongs to (None: no one step)."""
    if message.code == Cause.UNKNOWN:
        return None
    return (
        diagnosis.cause is not None and diagnosis.cause.step == KNOWLEDGE[Cause(message.code)].step
    )


def _table(title: str, rows: dict[str, list[tuple[bool, bool | None]]]) -> str:
    lines = [f"{title:<32} {'messages':>8} {'cause':>7} {'step':>7}"]
    for name, marks in sorted(rows.items()):
        causes = sum(cause for cause, _ in marks) / len(marks)
        steps = [step for _, step in marks if step is not None]
        step = f"{sum(steps) / len(steps):7.0%}" if steps else f"{'-':>7}"
        lines.append(f"{name:<32} {len(marks):>8} {causes:7.0%} {step}")
    return "\n".join(lines)


def test_the_collection_is_diagnosed_as_its_causes(diagnoses: list[Diagnosis]) -> None:
    by_kind: dict[str, list[tuple[bool, bool | None]]] = defaultdict(list)
    by_family: dict[str, list[tuple[bool, bool | None]]] = defaultdict(list)
    misses = []
    for message, diagnosis in zip(REAL_MESSAGES, diagnoses, strict=True):
        marks = (right_cause(message, diagnosis), right_step(message, diagnosis))
        by_kind[message.kind].append(marks)
        by_family[family(message)].append(marks)
        by_kind["all"].append(marks)
        if not marks[0]:
            got = diagnosis.cause.code if diagnosis.cause else diagnosis.status
            text = " ".join(message.text.split())[:100]
            misses.append(f"  {message.code} <- {got}: {text}")
    causes = sum(cause for cause, _ in by_kind["all"]) / len(by_kind["all"])
    steps = [step for _, step in by_kind["all"] if step is not None]
    print(f"\nright cause {causes:.1%}, right step {sum(steps) / len(steps):.1%}")
    print(_table("kind", by_kind))
    print(_table("family", by_family))
    print("misses:", *misses, sep="\n")
    assert causes >= CAUSE_FLOOR
    assert sum(steps) / len(steps) >= STEP_FLOOR
