"""What the real `ecs-why` prints, as a subprocess against moto's server: no planted secret in
its JSON or text, no AWS response body in its log even at DEBUG, and text output to a terminal
that takes only ASCII."""

from __future__ import annotations

import json

from bot.demo.scenarios import PLANTED_SECRETS
from tests.integration.conftest import run_cli

TARGET = "production/payments-api"  # its log holds PLANTED_SECRETS
SECRETS = ("hunter2", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")


def test_the_planted_secrets_are_in_the_log_the_cli_reads() -> None:
    assert all(any(secret in line for line in PLANTED_SECRETS) for secret in SECRETS)


def test_json_and_text_output_hold_no_planted_secret(account: dict[str, str]) -> None:
    for fmt in ("json", "text", "blocks"):
        result = run_cli(account, "diagnose", TARGET, "--format", fmt, "--verbose")
        assert result.returncode == 0, result.stderr
        for secret in SECRETS:
            assert secret not in result.stdout, fmt
            assert secret not in result.stderr, fmt
    document = json.loads(run_cli(account, "diagnose", TARGET, "--format", "json").stdout)
    assert document["cause"]["code"] == "app-crash"


def test_at_debug_no_aws_response_body_reaches_the_log(account: dict[str, str]) -> None:
    result = run_cli({**account, "LOG_LEVEL": "DEBUG"}, "diagnose", TARGET, "--no-cache")
    assert result.returncode == 0, result.stderr
    assert "DEBUG bot.service: read payments-api:" in result.stderr  # DEBUG is on for us
    for body in ("Response body", "containerDefinitions", "taskDefinitionArn", "stoppedReason"):
        assert body not in result.stderr
    assert "Starting new HTTP connection" not in result.stderr  # urllib3's DEBUG
    assert "Event before-parameter-build" not in result.stderr  # botocore's DEBUG
    for secret in SECRETS:
        assert secret not in result.stderr


def test_text_output_to_an_ascii_only_terminal_is_whole(account: dict[str, str]) -> None:
    wide = run_cli(account, "diagnose", TARGET, "--verbose")
    narrow = run_cli({**account, "PYTHONIOENCODING": "ascii"}, "diagnose", TARGET, "--verbose")
    assert narrow.returncode == 0, narrow.stderr
    assert narrow.stdout.isascii()
    assert narrow.stdout.count("\n") == wide.stdout.count("\n")
    assert "Next step" in narrow.stdout
