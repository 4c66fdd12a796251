"""A poisoned event archive: lines nested 5,000 deep, times of year 1 or without a zone, fields
of the wrong type, a line over CloudWatch's size, written into the emulator's archive group
beside real stops. The bot's follower, `ecs-why watch` and `ecs-why diagnose --since` skip each
bad line, count it, say so once, and carry on with the good ones."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from bot.aws.archive import capture_group
from bot.demo.archive_events import lines, task_stopped
from bot.demo.traffic import EmulatorServer
from tests.e2e.test_watches import OOM, showing, watch, watching
from tests.fake_slack import FakeSlack

if TYPE_CHECKING:
    from mypy_boto3_logs.type_defs import InputLogEventTypeDef


def stop(at: datetime, **detail: Any) -> dict[str, Any]:
    event = task_stopped(cluster=OOM.cluster, service=OOM.service, at=at)
    event["detail"].update(detail)
    return event


def poisoned(at: datetime) -> list[str]:
    """Bad lines, each naming the service (so a diagnosis's filtered read returns them too)."""
    year_one = stop(at, stoppedAt="0001-01-01T00:00:00Z", createdAt="0001-01-01T00:00:00Z")
    wrong_type = stop(at, version="5")
    return [
        '{"a":' * 5000 + json.dumps(OOM.service) + "}" * 5000,
        *lines([year_one, wrong_type]),
        json.dumps({"note": OOM.service, "pad": "x" * 300_000}),
        f"{OOM.service} is not JSON {{[",
    ]


def put_lines(group: str, stamped: list[tuple[datetime, str]]) -> None:
    logs, stream = boto3.client("logs"), uuid.uuid4().hex
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    events: list[InputLogEventTypeDef] = [
        {"timestamp": int(at.timestamp() * 1000), "message": line} for at, line in stamped
    ]
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)


def run_cli(group: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ECS_WHY_EVENTS_LOG_GROUP": group}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_bad_lines_are_skipped_counted_and_said_once_and_good_ones_still_count(
    slack: FakeSlack, demo_account: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.watch.follow")
    with watching(slack, demo_account) as setup:
        watch(setup.bot, f"{OOM.cluster}/*")
        now = datetime.now(UTC)
        bad = poisoned(now)
        zone_less = stop(now, stoppedAt=f"{now:%Y-%m-%dT%H:%M:%S}", time=f"{now:%Y-%m-%dT%H:%M:%S}")
        good = lines([stop(now), zone_less, stop(now)])
        put_lines(setup.group, [(now, line) for line in [good[0], *bad, *good[1:]]])
        # The zone-less time is read as UTC (as AWS writes its times): three stops, one card.
        showing(slack, OOM, "3 stops", "chat.postMessage")
        setup.stop(OOM)  # polls go on past the bad lines, which are never read again
        showing(slack, OOM, "4 stops")
        warned = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
        assert warned == [
            f"{len(bad)} lines of {setup.group} skipped (the first: nested deeper than 32)"
        ]
        assert not [r for r in caplog.records if r.exc_info]  # no traceback

        watched = run_cli(setup.group, "watch", f"{OOM.cluster}/*", "--once", "--format", "json")
        assert watched.returncode == 0, watched.stderr
        assert "Traceback" not in watched.stderr
        assert f"{len(bad)} lines of {setup.group} skipped" in watched.stderr
        updates = [json.loads(line) for line in watched.stdout.splitlines()]
        assert updates[-1]["stops"] == 4
        assert updates[-1]["cause"]["code"]

        # A diagnosis prefers AWS's own capture of the cluster, read by the same parser: the
        # same bad lines there are skipped and counted the same way.
        capture = capture_group(OOM.cluster)
        with contextlib.suppress(boto3.client("logs").exceptions.ResourceAlreadyExistsException):
            boto3.client("logs").create_log_group(logGroupName=capture)
        put_lines(capture, [(now, line) for line in [good[0], *bad, *good[1:]]])
        diagnosed = run_cli(
            setup.group,
            "diagnose",
            f"{OOM.cluster}/{OOM.service}",
            "--since",
            "1h",
            "--format",
            "json",
            "--no-cache",
        )
        assert diagnosed.returncode == 0, diagnosed.stderr
        assert "Traceback" not in diagnosed.stderr
        history = json.loads(diagnosed.stdout)["history"]
        assert history["archive_source"] == "aws-event-capture"
        assert history["skipped"] == len(bad)
        assert history["stops"] >= 4
