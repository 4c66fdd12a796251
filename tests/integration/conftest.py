"""The demo account in the emulator, and the real CLI run against it."""

from __future__ import annotations

import os
import subprocess
import sys

import boto3
import pytest

from bot.demo.scenarios import build_account
from bot.demo.traffic import EmulatorServer
from tests.conftest import FAKE_AWS_ENV, reset_moto


@pytest.fixture(scope="module")
def account(emulator: EmulatorServer) -> dict[str, str]:
    """The demo account, built once; returns the environment that points the CLI at it."""
    reset_moto(emulator.endpoint)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env |= FAKE_AWS_ENV | {"AWS_ENDPOINT_URL": emulator.endpoint}
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    previous = os.environ.get("AWS_ENDPOINT_URL")
    os.environ["AWS_ENDPOINT_URL"] = emulator.endpoint
    try:
        build_account(session)
    finally:
        if previous is None:
            del os.environ["AWS_ENDPOINT_URL"]
        else:
            os.environ["AWS_ENDPOINT_URL"] = previous
    return env


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
