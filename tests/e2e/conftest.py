"""The real bot over real HTTP (waitress) and Socket Mode, against a fake Slack and the demo
account in moto's emulator."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import boto3
import pytest

from bot.cache import MemoryStore, Store
from bot.demo.scenarios import SCENARIOS, build_account
from bot.demo.specs import Scenario
from bot.demo.traffic import EmulatorServer
from bot.model import Cause, Diagnosis, Target
from bot.service import Diagnoser
from bot.settings import Settings
from bot.slack.app import build_app
from tests.conftest import FAKE_AWS_ENV, reset_moto
from tests.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.harness import SIGNING_SECRET, BotServer, Settling


@pytest.fixture(scope="package")
def demo_account(emulator: EmulatorServer) -> Iterator[EmulatorServer]:
    """The demo account, built once for these tests; boto3 in this process points at it."""
    reset_moto(emulator.endpoint)
    with pytest.MonkeyPatch.context() as env:
        env.delenv("AWS_PROFILE", raising=False)
        for name, value in FAKE_AWS_ENV.items():
            env.setenv(name, value)
        env.setenv("AWS_ENDPOINT_URL", emulator.endpoint)
        build_account(aws())
        yield emulator


def aws() -> boto3.Session:
    return boto3.Session(region_name=FAKE_AWS_ENV["AWS_REGION"])


def scenario(cause: Cause) -> Scenario:
    return next(s for s in SCENARIOS if s.cause == cause)


def stopped_task_arns(case: Scenario) -> list[str]:
    """The scenario's stopped tasks, straight from the emulator (not through the bot)."""
    ecs = aws().client("ecs")
    arns = ecs.list_tasks(cluster=case.cluster, desiredStatus="STOPPED")["taskArns"]
    tasks = ecs.describe_tasks(cluster=case.cluster, tasks=arns)["tasks"] if arns else []
    return [t["taskArn"] for t in tasks if t.get("group") == f"service:{case.service}"]


def plant_log_lines(case: Scenario, lines: list[str]) -> None:
    """Appends `lines` to every log stream of the scenario's containers, as the app would."""
    ecs, logs = aws().client("ecs"), aws().client("logs")
    service = ecs.describe_services(cluster=case.cluster, services=[case.service])["services"][0]
    definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])
    now = int(time.time() * 1000)
    for container in definition["taskDefinition"]["containerDefinitions"]:
        group = container.get("logConfiguration", {}).get("options", {}).get("awslogs-group")
        if group is None:
            continue
        for stream in logs.describe_log_streams(logGroupName=group)["logStreams"]:
            logs.put_log_events(
                logGroupName=group,
                logStreamName=stream["logStreamName"],
                logEvents=[{"timestamp": now + n, "message": line} for n, line in enumerate(lines)],
            )


@dataclass
class Recording:
    """The real Diagnoser, remembering what it was asked (so a test can say nothing ran)."""

    inner: Diagnoser
    calls: list[tuple[Target, bool]] = field(default_factory=list)

    def diagnose(
        self, target: Target, *, fresh: bool = False, since: timedelta | None = None
    ) -> Diagnosis:
        self.calls.append((target, fresh))
        return self.inner.diagnose(target, fresh=fresh, since=since)

    def answered(self, target: Target, *, since: timedelta | None = None) -> bool:
        return self.inner.answered(target, since=since)


def bot_settings(slack: FakeSlack, *, socket_mode: bool = False) -> Settings:
    return Settings(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=None if socket_mode else SIGNING_SECRET,
        slack_app_token=APP_TOKEN if socket_mode else None,
        slack_api_url=slack.api_url,
        redis_url=None,
        diagnosis_workers=4,
    )


LISTENER_THREADS = 5  # as many as Bolt's own listener pool has


@dataclass
class Bot:
    slack: FakeSlack
    http: BotServer
    diagnoser: Recording
    emulator: EmulatorServer
    listeners: Settling  # Bolt's listener pool
    jobs: Settling  # the bot's own pool, where the listeners hand their slow work

    def settle(self) -> None:
        """Waits until everything the requests sent so far have started has finished.

        What a test says did *not* happen is asserted after this, never after a sleep: a
        request's listener is in Bolt's pool before its HTTP answer returns, and hands its
        work to the bot's pool before it ends."""
        self.listeners.settle()
        self.jobs.settle()


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@contextmanager
def running_bot(
    slack: FakeSlack,
    emulator: EmulatorServer,
    store: Store | None = None,
    channels: dict[str, list[str]] | None = None,
    **settings_: Any,
) -> Iterator[Bot]:
    """One bot instance over HTTP; `store` shared with other instances when given; `settings_`
    are Settings fields to change."""
    settings = bot_settings(slack).model_copy(update={"channels": channels or {}, **settings_})
    store = store or MemoryStore()
    diagnoser = Diagnoser(settings, store)
    recording = Recording(diagnoser)
    with (
        Settling(LISTENER_THREADS, "bolt-listeners") as listeners,
        Settling(settings.diagnosis_workers, "diagnoses") as jobs,
    ):
        app = build_app(settings, recording, store, executor=jobs)
        app.listener_runner.listener_executor = listeners
        with BotServer(app, settings) as http:
            yield Bot(slack, http, recording, emulator, listeners, jobs)
    diagnoser.close()


@pytest.fixture
def bot(slack: FakeSlack, demo_account: EmulatorServer) -> Iterator[Bot]:
    with running_bot(slack, demo_account) as running:
        yield running
