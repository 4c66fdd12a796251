"""Other accounts, through a role the bot assumes there (`prod:api-service`, `--account`)."""

from __future__ import annotations

import json

import pytest

from bot.cache import MemoryStore
from bot.demo.traffic import EmulatorServer
from bot.errors import TargetError
from bot.parse.target import parse_target
from bot.service import Diagnoser
from bot.settings import Account, Settings
from tests.integration.conftest import run_cli

ROLE = "arn:aws:iam::123456789012:role/ecs-why-reader"


def test_cli_diagnoses_through_an_assumed_role(
    account: dict[str, str], emulator: EmulatorServer
) -> None:
    env = account | {"ECS_WHY_ACCOUNTS": json.dumps({"prod": {"role_arn": ROLE}})}
    for target in (
        ["prod:production/payments-api"],
        ["production/payments-api", "--account", "prod"],
    ):
        emulator.traffic.reset()
        result = run_cli(env, "diagnose", *target, "--format", "json")
        assert result.returncode == 0, result.stderr
        document = json.loads(result.stdout)
        assert document["cause"]["code"] == "app-crash"
        assert document["target"]["account"] == "123456789012"
        assert emulator.traffic.counts()["sts:AssumeRole"] == 1  # read through the role


def test_unknown_account_is_a_bad_target(account: dict[str, str]) -> None:
    env = account | {"ECS_WHY_ACCOUNTS": json.dumps({"prod": {"role_arn": ROLE}})}
    result = run_cli(env, "diagnose", "staging:production/payments-api")
    assert result.returncode == 2
    assert "unknown account 'staging'" in result.stderr
    assert "prod" in result.stderr


def test_assumed_credentials_are_reused_until_they_near_expiry(
    account: dict[str, str], emulator: EmulatorServer
) -> None:
    settings = Settings(
        accounts={"prod": Account(role_arn=ROLE, external_id="ops-bot")}, diagnosis_ttl=0
    )
    diagnoser = Diagnoser(settings, MemoryStore())
    emulator.traffic.reset()
    try:
        for _ in range(3):
            diagnosis = diagnoser.diagnose(parse_target("prod:production/payments-api"), fresh=True)
            # The card's buttons carry the target: they must come back to the same account.
            assert diagnosis.target.account == "prod"
            assert diagnosis.cause is not None
            assert diagnosis.cause.code == "app-crash"
    finally:
        diagnoser.close()
    assert emulator.traffic.counts()["sts:AssumeRole"] == 1
    with pytest.raises(TargetError, match="unknown account"):
        Diagnoser(settings, MemoryStore()).diagnose(parse_target("dev:api"))
