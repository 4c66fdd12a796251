"""`ecs-why serve` and `ecs-why demo --serve` as real processes: a clear one-line error when a
token is missing, and in HTTP mode health, 404s and a card for a signed slash command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from bot.demo.traffic import EmulatorServer
from bot.model import Cause
from tests.conftest import FAKE_AWS_ENV, free_port
from tests.e2e.conftest import scenario
from tests.fake_slack import BOT_TOKEN, FakeSlack
from tests.harness import SIGNING_SECRET, BotClient, form, slash_command


def environment(**variables: str) -> dict[str, str]:
    """This process's environment without any Slack or AWS setting, plus `variables`."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "AWS_", "REDIS_"))}
    return keep | variables


def ecs_why(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "bot", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({}, "ecs-why: SLACK_BOT_TOKEN is not set: set it to the app's bot token (xoxb-…)"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN}, "ecs-why: SLACK_SIGNING_SECRET is not set"),
    ],
)
def test_a_missing_token_is_one_clear_line(variables: dict[str, str], message: str) -> None:
    result = ecs_why("serve", env=environment(**variables))
    assert result.returncode == 1
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_token_slack_refuses_is_one_clear_line(slack: FakeSlack) -> None:
    variables = {"SLACK_BOT_TOKEN": "xoxb-wrong", "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    result = ecs_why("serve", env=environment(SLACK_API_URL=slack.api_url, **variables))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "ecs-why: Slack refused SLACK_BOT_TOKEN (invalid_auth): check the token"
    )


@contextmanager
def serving(args: list[str], env: dict[str, str], port: int) -> Iterator[BotClient]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *args], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:  # noqa: S310
                    assert response.read() == b"ok"
                    break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, process.stderr and process.stderr.read()
                assert time.monotonic() < deadline, "the bot never answered /healthz"
                time.sleep(0.2)
        yield BotClient(url)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


def test_serve_in_http_mode_answers_a_signed_slash_command(
    slack: FakeSlack, demo_account: EmulatorServer
) -> None:
    port = free_port()
    env = environment(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.api_url,
        PORT=str(port),
        AWS_ENDPOINT_URL=demo_account.endpoint,
        **FAKE_AWS_ENV,
    )
    case = scenario(Cause.OUT_OF_MEMORY)
    with serving(["serve"], env, port) as bot:
        assert bot.request("", method="GET", path="/nothing-here").status == 404
        url = slack.new_response_url()
        response = bot.signed(form(slash_command(f"{case.cluster}/{case.service}", url)))
        assert response.status == 200
        (card,) = slack.wait_for("response_url", where=lambda c: c.path in url)
        assert "out-of-memory" in card.body["text"]


def test_demo_serve_runs_the_bot_against_the_emulated_account(slack: FakeSlack) -> None:
    port = free_port()
    env = environment(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.api_url,
        PORT=str(port),
    )
    case = scenario(Cause.OUT_OF_MEMORY)
    with serving(["demo", "--serve"], env, port) as bot:
        url = slack.new_response_url()
        assert bot.signed(form(slash_command(case.service, url))).status == 200
        (card,) = slack.wait_for("response_url", where=lambda c: c.path in url, timeout=60)
        assert "out-of-memory" in card.body["text"]
