"""The real `ecs-why` command, as a subprocess, against moto's server over HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.demo.scenarios import SCENARIOS
from bot.demo.specs import Scenario
from bot.demo.traffic import EmulatorServer
from bot.model import STEPS, Cause
from tests.integration.conftest import run_cli


def diagnose_json(env: dict[str, str], target: str, *extra: str) -> dict[str, Any]:
    result = run_cli(env, "diagnose", target, "--format", "json", *extra)
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


FAILING = [
    s
    for s in SCENARIOS
    if s.cause not in (None, Cause.DEPLOYMENT_OR_SCALE_IN) and s.step is not None
]


@pytest.mark.parametrize("scenario", FAILING, ids=[s.service for s in FAILING])
def test_each_broken_service_gets_its_cause(account: dict[str, str], scenario: Scenario) -> None:
    since = ("--since", f"{int(scenario.since.total_seconds()) // 3600}h") if scenario.since else ()
    document = diagnose_json(account, f"{scenario.cluster}/{scenario.service}", *since)
    assert scenario.cause is not None
    assert scenario.step is not None
    cause = document["cause"]
    assert (cause["code"], cause["step"]) == (scenario.cause.value, scenario.step.value), cause
    assert any(scenario.evidence in line for line in cause["evidence"]), cause["evidence"]
    checklist = {item["step"]: item["status"] for item in document["checklist"]}
    assert list(checklist) == [step.value for step in STEPS]
    assert checklist[scenario.step.value] == "failed"
    assert document["findings"][0]["code"] == cause["code"]
    assert document["next_step"]["action"]
    if scenario.cause.value != "deployment-or-scale-in":
        assert document["status"] == "failing"


def test_the_demo_covers_every_cause_code() -> None:
    from bot.model import Cause

    covered = {s.cause for s in SCENARIOS if s.cause is not None}
    assert len(covered) >= 16
    assert {s.step for s in SCENARIOS if s.step is not None} == set(STEPS)
    missing = set(Cause) - covered - {Cause.UNKNOWN}
    assert not missing, f"no demo scenario for {sorted(missing)}"


def test_healthy_service_is_healthy(account: dict[str, str]) -> None:
    document = diagnose_json(account, "production/healthy-service")
    assert document["status"] == "healthy"
    assert all(item["status"] != "failed" for item in document["checklist"])


def test_tasks_replaced_by_a_deployment_are_not_a_failure(account: dict[str, str]) -> None:
    document = diagnose_json(account, "production/deploying-service")
    assert document["status"] == "healthy"
    assert document["cause"] is None or document["cause"]["code"] == "deployment-or-scale-in"


def test_service_found_without_cluster_and_by_task_arn(account: dict[str, str]) -> None:
    by_name = diagnose_json(account, FAILING[0].service)
    assert by_name["target"]["cluster"] == FAILING[0].cluster
    task_arn = by_name["target"]["task_arn"]
    assert task_arn
    by_task = diagnose_json(account, task_arn)
    assert by_task["cause"]["code"] == by_name["cause"]["code"]
    assert by_task["target"]["service"] == FAILING[0].service


def test_text_and_blocks_formats(account: dict[str, str]) -> None:
    scenario = FAILING[0]
    text = run_cli(account, "diagnose", f"{scenario.cluster}/{scenario.service}")
    assert text.returncode == 0, text.stderr
    assert scenario.cause is not None
    assert scenario.cause.value in text.stdout
    assert "stopped-reason" in text.stdout
    blocks = run_cli(
        account, "diagnose", f"{scenario.cluster}/{scenario.service}", "--format", "blocks"
    )
    assert blocks.returncode == 0, blocks.stderr
    card = json.loads(blocks.stdout)
    assert card[0]["type"] == "header"
    assert any(b["type"] == "actions" for b in card)


BAD_TARGETS = ["", "../../etc", "x" * 10_000, "arn:aws:ecs:us-east-1:12:task/x", "a b c", "-"]


@pytest.mark.parametrize("target", BAD_TARGETS, ids=["empty", "path", "10kB", "arn", "spaces", "-"])
def test_malformed_target_exits_2_without_calling_aws(
    account: dict[str, str], emulator: EmulatorServer, target: str
) -> None:
    emulator.traffic.reset()
    result = run_cli(account, "diagnose", target)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert emulator.traffic.total() == 0


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("no-such-service", "no-such-service"),
        ("no-such-cluster/api", "no-such-cluster"),
    ],
)
def test_unknown_service_or_cluster_exits_2(
    account: dict[str, str], target: str, words: str
) -> None:
    result = run_cli(account, "diagnose", target)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreachable_aws_exits_3(account: dict[str, str]) -> None:
    env = account | {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1"}
    result = run_cli(env, "diagnose", "production/api-service")
    assert result.returncode == 3, result.stderr
    assert "127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr


def test_aws_region_is_honoured_like_the_other_sdks_do(account: dict[str, str]) -> None:
    env = {k: v for k, v in account.items() if k != "AWS_DEFAULT_REGION"}
    document = diagnose_json(env | {"AWS_REGION": "us-east-1"}, FAILING[0].service)
    assert document["target"]["region"] == "us-east-1"
