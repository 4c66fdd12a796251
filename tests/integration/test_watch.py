"""`ecs-why watch --once` against the emulator's event archive: the real command, as a
subprocess, reading what was written into the log group as EventBridge writes it."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from bot.demo.archive_events import OOM_REASON, service_action, task_stopped
from bot.demo.archive_events import write_events as write
from bot.demo.scenarios import SCENARIOS
from bot.demo.traffic import EmulatorServer
from bot.model import Cause
from tests.integration.conftest import run_cli

CLUSTER, SERVICE = "production", "api-service"


def archive(env: dict[str, str], events: list[dict[str, Any]]) -> dict[str, str]:
    """A fresh archive group holding `events`; the environment that points the bot at it."""
    group = f"/aws/events/ecs-why-{uuid.uuid4().hex[:8]}"
    write(boto3.client("logs"), group, events, stream="events")
    return {**env, "ECS_WHY_EVENTS_LOG_GROUP": group}


def watch_json(env: dict[str, str], *args: str) -> list[dict[str, Any]]:
    result = run_cli(env, "watch", *args, "--once", "--format", "json")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def ago(minutes: float) -> datetime:
    return datetime.now(UTC) - timedelta(minutes=minutes)


def test_ten_stops_of_one_cause_are_one_incident_updated_to_ten(account: dict[str, str]) -> None:
    stops = [
        task_stopped(cluster=CLUSTER, service=SERVICE, at=ago(20 - n), exit_code=137,
                     reason=OOM_REASON, revision=7)
        for n in range(10)
    ]  # fmt: skip
    other = task_stopped(cluster=CLUSTER, service="someone-elses", at=ago(5))
    env = archive(account, [*stops, other])
    updates = watch_json(env, f"{CLUSTER}/{SERVICE}")
    assert [u["state"] for u in updates] == ["open"] + ["updated"] * 9
    assert [u["stops"] for u in updates] == list(range(1, 11))
    assert len({u["incident"] for u in updates}) == 1
    last = updates[-1]
    assert last["incident"] == f"123456789012:us-east-1:{CLUSTER}:{SERVICE}:out-of-memory:7"
    assert last["cause"]["code"] == "out-of-memory"
    assert OOM_REASON in " ".join(last["cause"]["evidence"])
    assert last["target"] | {"task_arn": None} == {
        "account": "123456789012",
        "account_name": None,
        "region": "us-east-1",
        "cluster": CLUSTER,
        "service": SERVICE,
        "task_arn": None,
        "revision": 7,
    }
    stopped = [datetime.fromisoformat(s["detail"]["stoppedAt"]) for s in (stops[0], stops[-1])]
    assert [datetime.fromisoformat(last[k]) for k in ("first", "last")] == stopped


def test_a_second_cause_is_a_second_incident_and_steady_state_recovers_both(
    account: dict[str, str],
) -> None:
    events = [
        task_stopped(cluster=CLUSTER, service=SERVICE, at=ago(9)),
        task_stopped(cluster=CLUSTER, service=SERVICE, at=ago(8), exit_code=137, reason=OOM_REASON),
        service_action(cluster=CLUSTER, service=SERVICE, at=ago(2)),
    ]
    updates = watch_json(archive(account, events), f"{CLUSTER}/*")
    assert [(u["state"], u["cause"]["code"]) for u in updates] == [
        ("open", "app-crash"),
        ("open", "out-of-memory"),
        ("recovered", "app-crash"),
        ("recovered", "out-of-memory"),
    ]
    assert updates[-1]["recovered"] is not None


def test_malformed_lines_duplicates_and_other_accounts_change_nothing(
    account: dict[str, str],
) -> None:
    stop = task_stopped(cluster=CLUSTER, service=SERVICE, at=ago(3))
    # An account the bot does not read, as the event's ARNs name it (the envelope may say anything).
    ours = task_stopped(cluster=CLUSTER, service=SERVICE, at=ago(2))
    foreign = json.loads(json.dumps(ours).replace(ours["account"], "999999999999"))
    env = archive(account, [stop, stop, foreign])
    logs = boto3.client("logs")
    logs.put_log_events(
        logGroupName=env["ECS_WHY_EVENTS_LOG_GROUP"],
        logStreamName="events",
        logEvents=[{"timestamp": int(ago(1).timestamp() * 1000), "message": "{not an event"}],
    )
    updates = watch_json(env, SERVICE)
    assert [(u["state"], u["stops"]) for u in updates] == [("open", 1)]


def test_without_an_archive_it_says_how_to_set_one_up(account: dict[str, str]) -> None:
    env = {**account, "ECS_WHY_EVENTS_LOG_GROUP": "/aws/events/nowhere"}
    result = run_cli(env, "watch", SERVICE, "--once")
    assert result.returncode == 0
    assert result.stdout == ""
    assert "deploy/event-archive.yaml" in result.stderr


def test_a_task_or_a_bad_target_is_refused_before_any_aws_call(
    account: dict[str, str], emulator: EmulatorServer
) -> None:
    emulator.traffic.reset()
    task = "arn:aws:ecs:us-east-1:123456789012:task/production/0123456789abcdef0123456789abcdef"
    result = run_cli(account, "watch", task, "--once")
    assert result.returncode == 2
    assert "cluster/*" in result.stderr
    assert run_cli(account, "watch", "bad target!", "--once").returncode == 2
    assert emulator.traffic.total() == 0


def test_an_account_the_bot_does_not_know_is_a_clear_error(account: dict[str, str]) -> None:
    result = run_cli(account, "watch", "prod:production/*", "--once")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "ecs-why: unknown account 'prod': expected one of none are configured (ECS_WHY_ACCOUNTS)"
    )


def test_console_urls_are_targets_on_the_command_line(account: dict[str, str]) -> None:
    case = next(s for s in SCENARIOS if s.cause == Cause.OUT_OF_MEMORY)
    url = (
        f"https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/{case.cluster}/services/"
        f"{case.service}/health?region=us-east-1"
    )
    result = run_cli(account, "diagnose", url, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["cause"]["code"] == "out-of-memory"
    stop = task_stopped(cluster=case.cluster, service=case.service, at=ago(1))
    assert [u["stops"] for u in watch_json(archive(account, [stop]), url)] == [1]


def test_the_demo_feed_makes_incidents_that_open_count_and_recover(
    account: dict[str, str],
) -> None:
    from bot.aws.watch_reads import Reader
    from bot.cache import MemoryStore
    from bot.demo.feed import STOPS_BEFORE_RECOVERY, demo_incidents
    from bot.service import Diagnoser
    from bot.settings import Settings

    diagnoser = Diagnoser(Settings(), MemoryStore())
    reader = Reader(Settings(), f"/aws/events/ecs-why-{uuid.uuid4().hex[:8]}")
    try:
        lines = demo_incidents(boto3.client("ecs"), boto3.client("logs"), reader, ago(0))
    finally:
        diagnoser.close()
    oom = [line for line in lines if "search-indexer" in line]
    assert [line.split()[0] for line in oom] == ["OPEN"] + ["UPDATED"] * (
        STOPS_BEFORE_RECOVERY - 1
    ) + ["RECOVERED"]
    assert "out-of-memory" in oom[0]
    assert f"{STOPS_BEFORE_RECOVERY} stops" in oom[-1]


def test_a_service_quiet_for_ten_minutes_and_running_what_it_should_has_recovered(
    account: dict[str, str],
) -> None:
    stop = task_stopped(cluster=CLUSTER, service="healthy-service", at=ago(15))
    updates = watch_json(archive(account, [stop]), f"{CLUSTER}/healthy-service")
    assert [u["state"] for u in updates] == ["open", "recovered"]
    busy = task_stopped(cluster=CLUSTER, service="healthy-service", at=ago(3))
    assert [u["state"] for u in watch_json(archive(account, [busy]), "healthy-service")] == ["open"]
    failing = next(s for s in SCENARIOS if s.cause == Cause.OUT_OF_MEMORY)
    quiet = task_stopped(cluster=failing.cluster, service=failing.service, at=ago(15))
    target = f"{failing.cluster}/{failing.service}"
    assert [u["state"] for u in watch_json(archive(account, [quiet]), target)] == ["open"]
