"""The real `ecs-why` command, as a subprocess, against moto's server over HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.demo.scenarios import SCENARIOS
from bot.demo.specs import Scenario
from bot.demo.traffic import EmulatorServer
from bot.model import STEPS
from tests.integration.conftest import run_cli


def diagnose_json(env: dict[str, str], target: str, *extra: str) -> dict[str, Any]:
    result = run_cli(env, "diagnose", target, "--format", "json", *extra)
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


# Issue 11 §1: replaced Spot, StopTask and host stops are healthy now (this list used to take
# every scenario with a cause but deployments).
FAILING = [s for s in SCENARIOS if s.failure]
EXPECTED = [s for s in SCENARIOS if not s.failure and s.cause is not None]


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
    assert document["status"] == scenario.status
    if scenario.state is not None:
        assert document["service_state"] == scenario.state


@pytest.mark.parametrize("scenario", EXPECTED, ids=[s.service for s in EXPECTED])
def test_expected_stops_that_were_replaced_are_healthy(
    account: dict[str, str], scenario: Scenario
) -> None:
    document = diagnose_json(account, f"{scenario.cluster}/{scenario.service}")
    assert scenario.cause is not None
    assert document["status"] == "healthy"
    cause = document["cause"]
    assert cause["code"] == scenario.cause.value
    assert document["findings"][0]["severity"] == "info"
    assert any(scenario.evidence in line for line in cause["evidence"]), cause["evidence"]
    assert all(item["status"] != "failed" for item in document["checklist"])


def test_healthy_service_is_healthy(account: dict[str, str]) -> None:
    document = diagnose_json(account, "production/healthy-service")
    assert document["status"] == "healthy"
    assert all(item["status"] != "failed" for item in document["checklist"])


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
    assert card[0]["type"] == "section"
    assert scenario.cause.value in card[0]["text"]["text"]
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
