"""The demo account in the emulator, and the real CLI run against it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import boto3
import pytest
from moto.moto_api import state_manager

from bot.demo.emulator import emulator_env
from bot.demo.scenarios import build_account
from bot.demo.traffic import EmulatorServer
from tests.conftest import reset_moto


@contextmanager
def emptied_emulator(emulator: EmulatorServer) -> Iterator[dict[str, str]]:
    """A freshly reset emulator that this process's environment points boto3 at, for the
    block; yields that environment (for subprocesses too)."""
    reset_moto(emulator.endpoint)
    env = emulator_env(emulator.endpoint)
    with pytest.MonkeyPatch.context() as patch:
        for name in set(os.environ) - set(env):
            patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        yield env


@pytest.fixture
def aws(aws_env: str) -> Iterator[str]:
    """A fresh emulator whose tasks stay in the state a test puts them in."""
    previous = state_manager.get_transition("ecs::task")
    state_manager.set_transition("ecs::task", {"progression": "manual", "times": 10**9})
    yield aws_env
    state_manager.set_transition("ecs::task", previous)


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=8) as executor:
        yield executor


@pytest.fixture(scope="module")
def account(emulator: EmulatorServer) -> Iterator[dict[str, str]]:
    """The demo account, built once per module."""
    with emptied_emulator(emulator) as env:
        build_account(boto3.Session())
        yield env


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
