"""Secrets planted where a careless team puts them (the app's log, the container's environment,
its command and its health check) in a service of an emulator of its own: none reaches the
CLI's JSON, text or blocks, nor the card, Details or Fetch logs the fake Slack receives."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import timedelta

import boto3
import pytest
from moto.iam.models import AccessKey, iam_backends

from bot.demo.emulator import emulator_env
from bot.demo.specs import Scenario, ServiceSpec, Stop, container, fargate_task, repeat
from bot.demo.traffic import EmulatorServer
from bot.model import Cause, Step
from bot.render.blocks import ACTION_DETAILS, ACTION_LOGS
from tests.e2e.conftest import running_bot
from tests.e2e.test_http_mode import card_for, click, posts_in
from tests.fake_slack import FakeSlack
from tests.integration.conftest import run_cli
from tests.message_planting import ESSENTIAL_EXITED, build_planted_account

PASSWORD = "Plant3d-db-Passw0rd"
ROOT_PASSWORD = "Plant3dR00tPw"
HEALTH_PASSWORD = "Plant3d-health-pw"
ENV_PASSWORD = "Plant3d-env-value"
AZURE_KEY = "cGxhbnRlZGF6dXJla2V5cGxhbnRlZGF6dXJla2V5cGxhbnRlZGF6dXJla2V5cGxhbnRlZA=="
SENDGRID = "SG.PlantedSendGridKey0000.PlantedSendGridSecretPart000000000000000000"
BASIC = base64.b64encode(b"deploy:Plant3d-basic-pw").decode()
KEY_BODY = (
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCplanted0000000000",
    "plantedKeyBodyLine2plantedKeyBodyLine2plantedKeyBodyLine2plantedKe",
)
SECRETS = (
    *(PASSWORD, ROOT_PASSWORD, HEALTH_PASSWORD, ENV_PASSWORD, AZURE_KEY, SENDGRID, BASIC),
    *KEY_BODY,
)
LOGS = (
    "Loaded configuration from environment",
    "-----BEGIN PRIVATE KEY-----",
    *KEY_BODY,
    "-----END PRIVATE KEY-----",
    f"+ mysql -h db.internal -u root -p{ROOT_PASSWORD} orders",
    f"+ ./migrate --password {PASSWORD} --host db.internal",
    f"storage: DefaultEndpointsProtocol=https;AccountName=leaky;AccountKey={AZURE_KEY}",
    f"mail: sendgrid key {SENDGRID} rejected",
    f"proxy: retrying with Basic {BASIC}",
    f"Error: password authentication failed: postgres://app:{PASSWORD}@db.internal:5432/app",
)
TARGET = "leaky/leaky-api"
LEAKY_ACCOUNT = "210987654321"
SPEC = ServiceSpec(
    Scenario("leaky-api", "leaky", Cause.APP_CRASH, Step.EXIT_CODE, "", "secrets planted"),
    fargate_task(
        container(
            "leaky-api",
            "{registry}/leaky-api:1.0.0",
            command=["./server", "--db-password", PASSWORD],
            health_check={
                "command": ["CMD-SHELL", f"curl -fsu admin:{HEALTH_PASSWORD} localhost:8080/"],
                "interval": 30,
                "timeout": 5,
                "retries": 3,
            },
            environment={"DB_PASSWORD": ENV_PASSWORD},
        ),
        task_role="app-task-role",
    ),
    desired=1,
    stops=repeat(Stop(ESSENTIAL_EXITED, exit_code=1, ran=timedelta(minutes=3), logs=LOGS), 2),
)


@pytest.fixture(scope="module")
def leaky(emulator: EmulatorServer) -> Iterator[dict[str, str]]:
    """The leaky service in an account of its own (moto tells accounts apart by access key,
    so the demo account's roles and policies are not in the way); yields that environment,
    which this process's boto3 uses too."""
    with pytest.MonkeyPatch.context() as patch:
        env = emulator_env(emulator.endpoint)
        for name, value in env.items():
            patch.setenv(name, value)
        patch.delenv("AWS_PROFILE", raising=False)
        key = _access_key(LEAKY_ACCOUNT)
        env |= {
            "AWS_ACCESS_KEY_ID": key.access_key_id,
            "AWS_SECRET_ACCESS_KEY": key.secret_access_key,
        }
        for name, value in env.items():
            patch.setenv(name, value)
        # A fresh session: boto3's default one keeps the keys it first found (another module's).
        session = boto3.Session()
        assert session.client("sts").get_caller_identity()["Account"] == LEAKY_ACCOUNT
        build_planted_account(session, [SPEC])
        yield env


def _access_key(account: str) -> AccessKey:
    """An access key of a user in `account`, made in the emulator (this process's moto): no
    API call can make a user in an account one is not in."""
    iam = iam_backends[account]["aws"]
    if "leaky" not in iam.users:
        iam.create_user("us-east-1", "leaky")
    return iam.create_access_key("leaky")


def leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def test_the_cli_prints_none_of_them(leaky: dict[str, str]) -> None:
    env = leaky
    for fmt in ("json", "text", "blocks"):
        result = run_cli(env, "diagnose", TARGET, "--format", fmt, "--verbose")
        assert result.returncode == 0, result.stderr
        assert leaks(result.stdout + result.stderr) == [], fmt
    document = json.loads(run_cli(env, "diagnose", TARGET, "--format", "json").stdout)
    assert document["cause"]["step"] == "exit-code"
    assert "[REDACTED]" in json.dumps(document)  # the quoted line, with its password hidden


def test_the_card_details_and_fetched_logs_show_none_of_them(
    leaky: dict[str, str], emulator: EmulatorServer
) -> None:
    with FakeSlack() as slack, running_bot(slack, emulator) as bot:
        _, card = card_for(bot, TARGET)
        click(bot, ACTION_DETAILS, card)
        (details,) = posts_in(bot, card["ts"])
        click(bot, ACTION_LOGS, card)
        posts_in(bot, card["ts"], 2)
        bot.settle()
        said = json.dumps([call.body for call in slack.calls], ensure_ascii=False)
    assert leaks(said) == []
    assert "--db-password [REDACTED]" in json.dumps(details.body)
    assert "admin:[REDACTED]" in json.dumps(details.body)
    assert "[REDACTED:private-key]" in said
    assert "-u root -p[REDACTED] orders" in said
