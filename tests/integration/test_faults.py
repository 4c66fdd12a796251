"""AWS faults against the emulator holding the demo account: throttling, slowness, refusals.

Faults are injected at the emulator's door (`bot.demo.traffic.Faults`), in each protocol's own
error shape, so botocore's real parsing and retries and our own handling all run. Each test
diagnoses in this process with a store that caches nothing, so every read reaches the emulator.
Unreachable endpoints are covered in test_cli.py, the read-only guard in test_aws_collect.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.cache import MemoryStore
from bot.demo.scenarios import SCENARIOS
from bot.demo.traffic import EmulatorServer, Faults
from bot.model import Cause, Diagnosis, Step, Target
from bot.service import Diagnoser
from bot.settings import Settings

POLICY = Path(__file__).resolve().parents[2] / "deploy" / "iam-policy.json"

# Between them these read every service the bot uses: ECS on Fargate and on EC2 instances,
# logs, roles, ECR images, subnets and routes, target groups.
SAMPLED = (
    "healthy-service",
    "invoice-renderer",
    "search-indexer",
    "checkout-api",
    "inventory-api",
    "fraud-scorer",
    "legacy-nginx",
    "catalog-service",
)
SAMPLE = tuple(
    Target(cluster=s.cluster, service=s.service) for s in SCENARIOS if s.service in SAMPLED
)
[HEALTHY] = [t for t in SAMPLE if t.service == "healthy-service"]
SERVICES = {"ecs", "logs", "iam", "ec2", "ecr", "elasticloadbalancing"}


class NothingCached(MemoryStore):
    """A store that keeps only locks: every diagnosis asks AWS again."""

    def get(self, key: str) -> bytes | None:
        return None

    def set(self, key: str, value: bytes, ttl: float) -> None:
        pass


@pytest.fixture(scope="module")
def diagnoser(account: dict[str, str]) -> Iterator[Diagnoser]:
    """One diagnoser for the module: its clients are made once, and it caches nothing."""
    shared = Diagnoser(Settings(), NothingCached())
    yield shared
    shared.close()


def diagnose_all(diagnoser: Diagnoser, *targets: Target) -> list[Diagnosis]:
    """Diagnoses of `targets`, made at once."""
    with ThreadPoolExecutor(max_workers=len(targets)) as pool:
        return list(pool.map(diagnoser.diagnose, targets))


@pytest.fixture(scope="module")
def baseline(diagnoser: Diagnoser) -> dict[Target, Diagnosis]:
    """What each sampled service is diagnosed as when AWS answers every request."""
    return dict(zip(SAMPLE, diagnose_all(diagnoser, *SAMPLE), strict=True))


def outcome(diagnosis: Diagnosis) -> tuple[str, str | None, list[tuple[str, str]]]:
    """What a user reads first: the status, the cause, and each checklist step's status."""
    cause = diagnosis.cause.code.value if diagnosis.cause else None
    return diagnosis.status, cause, [(i.step.value, i.status) for i in diagnosis.checklist]


def note(diagnosis: Diagnosis, step: Step) -> tuple[str, str]:
    [item] = [i for i in diagnosis.checklist if i.step is step]
    return item.status, item.note


def policy_actions() -> set[str]:
    statements = json.loads(POLICY.read_text())["Statement"]
    return {
        a
        for s in statements
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }


# --------------------------------------------------------------------------- throttling


def test_throttling_30_percent_of_requests_changes_no_diagnosis(
    emulator: EmulatorServer, diagnoser: Diagnoser, baseline: dict[Target, Diagnosis]
) -> None:
    emulator.traffic.reset()

    with emulator.traffic.inject(Faults(throttle=0.3)):
        throttled = diagnose_all(diagnoser, *SAMPLE)

    for target, diagnosis in zip(SAMPLE, throttled, strict=True):
        assert outcome(diagnosis) == outcome(baseline[target]), target.label
        assert diagnosis.gaps == (), target.label
    injected, total = emulator.traffic.injected(), emulator.traffic.total()
    assert 0.2 <= sum(injected.values()) / total <= 0.4
    assert {op.partition(":")[0] for op in emulator.traffic.counts()} >= SERVICES
    assert {code for _, code in injected} >= {
        "ThrottlingException",  # ECS, logs
        "Throttling",  # IAM, ELB
        "RequestLimitExceeded",  # EC2
    }


def test_ecr_throttle_exception_is_retried(
    emulator: EmulatorServer, diagnoser: Diagnoser, baseline: dict[Target, Diagnosis]
) -> None:
    """ECR's own throttling code, which botocore does not retry by itself."""
    [target] = [t for t in SAMPLE if t.service == "checkout-api"]  # its tag is not in ECR
    emulator.traffic.reset()

    with emulator.traffic.inject(Faults(throttle=1.0, throttle_only=frozenset({"ecr"}))):
        [diagnosis] = diagnose_all(diagnoser, target)

    assert emulator.traffic.injected()[("ecr:DescribeImages", "ThrottleException")] >= 2
    assert outcome(diagnosis) == outcome(baseline[target])
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.IMAGE_NOT_FOUND
    assert diagnosis.gaps == ()


# --------------------------------------------------------------------------- slowness


def test_a_slow_aws_returns_what_is_known_at_the_deadline(
    emulator: EmulatorServer, account: dict[str, str]
) -> None:
    # latency <= deadline < 2 * latency: the tasks (two round trips, the first beside
    # DescribeServices) come in before the deadline, the reads three deep do not.
    deadline, latency = 1.5, 1.0
    [target] = [t for t in SAMPLE if t.service == "search-indexer"]
    diagnoser = Diagnoser(Settings(diagnosis_deadline=deadline), NothingCached())
    try:
        diagnoser.diagnose(target)  # makes the clients, so the clock measures AWS alone
        emulator.traffic.latency = latency
        started = time.monotonic()
        diagnosis = diagnoser.diagnose(target)
        elapsed = time.monotonic() - started
    finally:
        emulator.traffic.latency = 0.0
        diagnoser.close()

    # Finding the service is one round trip; every read after it shares the deadline. Waiting
    # for every read would take ~4.2 round trips (4.2 s); the bound sits half-way, so a busy
    # machine (CI runs the tests two at a time on two cores) does not decide it.
    assert elapsed < deadline + latency + 0.9, f"{elapsed:.2f}s"
    timed_out = {gap.action for gap in diagnosis.gaps if gap.message == "timed out"}
    assert timed_out >= {"iam:GetRole", "ecr:DescribeImages"}
    for step, action in [
        (Step.LOGS, "logs:DescribeLogGroups"),
        (Step.IMAGE, "ecr:DescribeImages"),
        (Step.IAM, "iam:GetRole"),
        (Step.NETWORK, "ec2:DescribeRouteTables"),
    ]:
        assert note(diagnosis, step) == ("unknown", f"could not call {action}: timed out")
    # What was not read is not guessed: unread routes are not "no route to the internet"; the
    # stopped tasks, read beside the service, still say what they say.
    assert diagnosis.cause is not None
    assert diagnosis.cause.code not in {Cause.NO_ROUTE_TO_INTERNET, Cause.MISSING_VPC_ENDPOINT}


# --------------------------------------------------------------------------- refusals

DENIED_STEP = {
    "iam": Step.IAM,
    "logs": Step.LOGS,
    "ec2": Step.NETWORK,
    "ecr": Step.IMAGE,
    "elasticloadbalancing": Step.HEALTH_CHECK,
}


@pytest.mark.parametrize("service", DENIED_STEP)
def test_a_service_refused_leaves_its_step_unknown_naming_the_action(
    emulator: EmulatorServer,
    diagnoser: Diagnoser,
    baseline: dict[Target, Diagnosis],
    service: str,
) -> None:
    with emulator.traffic.inject(Faults(deny=frozenset({service}))):
        [diagnosis] = diagnose_all(diagnoser, HEALTHY)

    status, text = note(diagnosis, DENIED_STEP[service])
    assert status == "unknown"
    match = re.fullmatch(r"could not call (\S+): access denied", text)
    assert match, text
    assert match[1].startswith(f"{service}:")
    assert match[1] in policy_actions(), "the note names an action the policy grants"
    expected = [
        (step, "unknown" if step == DENIED_STEP[service].value else status)
        for step, status in outcome(baseline[HEALTHY])[2]
    ]
    assert outcome(diagnosis) == ("healthy", None, expected)


def test_one_operation_refused_is_named_exactly(
    emulator: EmulatorServer, diagnoser: Diagnoser
) -> None:
    with emulator.traffic.inject(Faults(deny=frozenset({"iam:GetRole"}))):
        [diagnosis] = diagnose_all(diagnoser, HEALTHY)

    assert note(diagnosis, Step.IAM) == ("unknown", "could not call iam:GetRole: access denied")


def test_ecs_refused_exits_3_naming_the_action(
    emulator: EmulatorServer, account: dict[str, str]
) -> None:
    with emulator.traffic.inject(Faults(deny=frozenset({"ecs"}))):
        result = subprocess.run(
            [sys.executable, "-m", "bot", "diagnose", HEALTHY.label, "--no-cache"],
            env=account,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert result.returncode == 3, result.stderr
    assert "ecs:DescribeServices" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# --------------------------------------------------------------------------- optional reads


def test_an_optional_read_that_fails_costs_one_attempt_and_is_remembered(
    emulator: EmulatorServer, account: dict[str, str], baseline: dict[Target, Diagnosis]
) -> None:
    """The deployments lineage answers HTTP 500: tried once (no retries, no back-off), the
    diagnosis unchanged, and not asked again for a while."""
    diagnoser = Diagnoser(Settings(), NothingCached())
    [target] = [t for t in SAMPLE if t.service == "search-indexer"]
    try:
        emulator.traffic.reset()
        with emulator.traffic.inject(Faults(fail=frozenset({"ecs:ListServiceDeployments"}))):
            [first] = diagnose_all(diagnoser, target)
            assert emulator.traffic.counts()["ecs:ListServiceDeployments"] == 1
            [second] = diagnose_all(diagnoser, target)
        assert emulator.traffic.counts()["ecs:ListServiceDeployments"] == 1  # remembered
        assert outcome(first) == outcome(second) == outcome(baseline[target])
    finally:
        diagnoser.close()


def test_failing_optional_reads_leave_the_retry_budget_of_the_others_whole(
    emulator: EmulatorServer, account: dict[str, str]
) -> None:
    """Eight diagnoses whose optional read fails, then DescribeServices throttled twice in a
    row: it is still retried through (the optional reads have a client of their own)."""
    targets = [t for t in SAMPLE if t.service != "legacy-nginx"][:4]
    diagnosers = [Diagnoser(Settings(), NothingCached()) for _ in range(2)]
    try:
        with emulator.traffic.inject(Faults(fail=frozenset({"ecs:ListServiceDeployments"}))):
            for diagnoser in diagnosers:
                diagnose_all(diagnoser, *targets)
        emulator.traffic.reset()
        throttled = Faults(throttle=1.0, throttle_only=frozenset({"ecs:DescribeServices"}))
        with emulator.traffic.inject(throttled):
            after = [d.diagnose(targets[0]) for d in diagnosers]
        assert emulator.traffic.injected()[("ecs:DescribeServices", "ThrottlingException")] >= 2
        assert all(d.status != "unknown" for d in after)
        assert all(not d.gaps for d in after)
    finally:
        for diagnoser in diagnosers:
            diagnoser.close()


def test_a_database_read_that_fails_costs_one_attempt_and_keeps_the_cause(
    emulator: EmulatorServer, account: dict[str, str]
) -> None:
    """rds:DescribeDBInstances answers HTTP 500 for ledger-worker: tried once, the cause the
    same (only the rule to add is missing), the failure shown as a gap hiding no step, and
    not asked again for a while."""
    diagnoser = Diagnoser(Settings(), NothingCached())
    [target] = [
        Target(cluster=s.cluster, service=s.service)
        for s in SCENARIOS
        if s.service == "ledger-worker"
    ]
    try:
        full = diagnoser.diagnose(target)
        emulator.traffic.reset()
        with emulator.traffic.inject(Faults(fail=frozenset({"rds:DescribeDBInstances"}))):
            [first] = diagnose_all(diagnoser, target)
            [second] = diagnose_all(diagnoser, target)
        assert emulator.traffic.counts()["rds:DescribeDBInstances"] == 1  # once, remembered
        assert full.cause is not None
        assert first.cause is not None
        assert first.cause.code is full.cause.code is Cause.DEPENDENCY_UNREACHABLE
        assert [g.action for g in first.gaps] == ["rds:DescribeDBInstances"]
        assert [i.status for i in first.checklist] == [i.status for i in full.checklist]
        assert first.cause.particulars.ingress_group is None
        assert full.cause.particulars.ingress_group is not None
        assert second.cause is not None
        assert second.cause.code is Cause.DEPENDENCY_UNREACHABLE
    finally:
        diagnoser.close()
