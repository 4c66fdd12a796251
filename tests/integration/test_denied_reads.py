"""One AWS read refused at a time, across the whole demo account: honest `unknown`, never wrong.

A permission the bot lacks must not turn into a confident wrong answer. With any single read
denied, every scenario gets either the cause it gets with full access, or `unknown`; a failing
service is never called healthy; the step whose facts could not be read says so and names the
refused action; and a scenario that never makes the refused call is diagnosed as before.

Speed: the emulator answers about a hundred requests a second, too slow to ask it everything
fourteen times over. So the baseline diagnoses record every answer AWS gave (the bot's own fact
cache hands them to the store), and each denied run starts from a fresh store that replays
those answers, except the denied operation's: that one always reaches the emulator, which
refuses it. The test checks that it did, for every scenario that needed it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from bot.cache import MemoryStore
from bot.checks import CHECKS
from bot.demo.scenarios import SCENARIOS
from bot.demo.traffic import EmulatorServer, Faults
from bot.model import Cause, Diagnosis, Target
from bot.service import Diagnoser
from bot.settings import Settings

TARGETS = tuple(Target(cluster=s.cluster, service=s.service) for s in SCENARIOS)

# One read behind each kind of fact a conclusion rests on: the tasks, their definition,
# container instances, log tails and groups, roles and their policies, routes and security
# groups, images, target health and EFS mount targets.
DENIED = (
    "ecs:ListTasks",
    "ecs:DescribeTasks",
    "ecs:DescribeTaskDefinition",
    "ecs:DescribeContainerInstances",
    "logs:GetLogEvents",
    "logs:DescribeLogGroups",
    "iam:GetRole",
    "iam:GetPolicyVersion",
    "iam:GetRolePolicy",
    "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroups",
    "ecr:DescribeImages",
    "elasticloadbalancing:DescribeTargetHealth",
    "elasticfilesystem:DescribeMountTargets",
)


class Recording(MemoryStore):
    """A store that keeps, for good, every AWS answer the fact cache gives it, and serves none
    of them: each baseline diagnosis sends every request it needs."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return None if ":facts:" in key else super().get(key)

    def set(self, key: str, value: bytes, ttl: float) -> None:
        super().set(key, value, ttl)
        if ":facts:" in key:
            self.answers[key] = value


class Replay(MemoryStore):
    """A fresh store that knows the recorded answers, except those of the denied operation."""

    def __init__(self, answers: dict[str, bytes], denied: str) -> None:
        super().__init__()
        self._answers = {k: v for k, v in answers.items() if f":{denied}:" not in k}

    def get(self, key: str) -> bytes | None:
        return super().get(key) or self._answers.get(key)


@dataclass(frozen=True)
class Baseline:
    diagnoses: dict[Target, Diagnosis]
    calls: dict[Target, frozenset[str]]  # the operations each diagnosis sent
    answers: dict[str, bytes]


@pytest.fixture(scope="module")
def baseline(emulator: EmulatorServer, account: dict[str, str]) -> Baseline:
    """Each scenario diagnosed with every read allowed, one at a time to see what it asks."""
    store = Recording()
    diagnoser = Diagnoser(Settings(diagnosis_ttl=0), store)
    diagnoses, calls = {}, {}
    try:
        for target in TARGETS:
            emulator.traffic.reset()
            diagnoses[target] = diagnoser.diagnose(target, fresh=True)
            calls[target] = frozenset(emulator.traffic.counts())
    finally:
        diagnoser.close()
    return Baseline(diagnoses, calls, store.answers)


def diagnose_all(baseline: Baseline, denied: str) -> list[Diagnosis]:
    """Every scenario, by a diagnoser whose store never saw an answer to `denied`."""
    diagnoser = Diagnoser(Settings(diagnosis_ttl=0), Replay(baseline.answers, denied))
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            return list(pool.map(diagnoser.diagnose, TARGETS))
    finally:
        diagnoser.close()


def outcome(diagnosis: Diagnosis) -> tuple[str, Cause | None, list[tuple[str, str]]]:
    """What a user reads first: the status, the cause, and each checklist step's status."""
    cause = diagnosis.cause.code if diagnosis.cause else None
    return diagnosis.status, cause, [(i.step.value, i.status) for i in diagnosis.checklist]


def problems(denied: str, needed: bool, before: Diagnosis, after: Diagnosis) -> list[str]:
    """What is wrong with `after`, made with `denied` refused, given `before`, made without."""
    if not needed:
        changed = outcome(after) != outcome(before)
        return [f"changed without needing {denied}: {outcome(after)}"] if changed else []
    was = before.cause.code if before.cause else None
    now = after.cause.code if after.cause else None
    said = []
    if now not in (was, Cause.UNKNOWN):
        said.append(f"cause {now} instead of {was} or unknown")
    if before.status != "healthy" and after.status == "healthy":
        said.append(f"healthy, but {before.status} with every read allowed")
    gaps = [gap for gap in after.gaps if gap.action == denied]
    if not gaps:
        said.append(f"no gap for {denied}, though the diagnosis needed it")
    for gap in gaps:
        # The first checklist step whose checks need the fact the denied read was for (a read
        # for what changed, such as the last healthy revision, hides no step).
        hidden = CHECKS.steps_hidden_by(gap)
        if not hidden:
            continue
        step = hidden[0]
        [item] = [i for i in after.checklist if i.step is step]
        # The step of the cause (proven, or the closest guess of an unknown one) shows what it
        # found, and what it could not read.
        cause = after.cause
        holds_cause = after.status != "healthy" and cause is not None and cause.step is step
        if item.status != "unknown" and not (holds_cause and item.status in ("failed", "warning")):
            said.append(f"step {step} is {item.status}, not unknown")
        if denied not in item.note:
            said.append(f"step {step}'s note does not name {denied}: {item.note!r}")
    return said


@pytest.mark.parametrize("denied", DENIED)
def test_a_denied_read_leaves_each_diagnosis_right_or_unknown(
    emulator: EmulatorServer, baseline: Baseline, denied: str
) -> None:
    with emulator.traffic.inject(Faults(deny=frozenset({denied}))):
        diagnoses = diagnose_all(baseline, denied)

    wrong = {
        target.label: said
        for target, diagnosis in zip(TARGETS, diagnoses, strict=True)
        if (
            said := problems(
                denied,
                denied in baseline.calls[target],
                baseline.diagnoses[target],
                diagnosis,
            )
        )
    }
    assert not wrong, "\n".join(f"{label}: {'; '.join(said)}" for label, said in wrong.items())
