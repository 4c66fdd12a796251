"""What reading the event archive costs for one service, in an archive of 10,000 events.

The archive holds the events of 50 services (200 each), written as EventBridge writes them.
One service's diagnosis reads it with one FilterLogEvents query filtered on the service (plus
its pages); the bench prints its requests and bytes beside a scan of the whole group.

    python -m bench.archive_cost [--events 10000] [--services 50]
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3

from bot.archive import filter_term
from bot.aws.archive import read_archive
from bot.demo.emulator import emulator_env
from bot.demo.traffic import EmulatorServer

if TYPE_CHECKING:
    from mypy_boto3_logs.type_defs import InputLogEventTypeDef

GROUP = "/aws/events/ecs-why"
ACCOUNT, REGION, CLUSTER = "123456789012", "us-east-1", "production"


def stop_event(service: str, number: int, at: datetime) -> str:
    arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/{CLUSTER}/{number:032x}"
    detail = {
        "clusterArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{CLUSTER}",
        "containers": [{"name": service, "exitCode": 137, "lastStatus": "STOPPED"}],
        "desiredStatus": "STOPPED",
        "group": f"service:{service}",
        "lastStatus": "STOPPED",
        "stopCode": "EssentialContainerExited",
        "stoppedAt": at.isoformat().replace("+00:00", "Z"),
        "stoppedReason": "Essential container in task exited",
        "taskArn": arn,
        "taskDefinitionArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{service}:3",
        "version": 4,
    }
    return json.dumps(
        {
            "version": "0",
            "id": f"{number:08x}-0000-0000-0000-000000000000",
            "detail-type": "ECS Task State Change",
            "source": "aws.ecs",
            "account": ACCOUNT,
            "time": at.isoformat().replace("+00:00", "Z"),
            "region": REGION,
            "resources": [arn],
            "detail": detail,
        }
    )


class Bytes:
    """Sums the bytes of FilterLogEvents answers (botocore's after-call hook)."""

    def __init__(self) -> None:
        self.total = 0

    def __call__(self, http_response: Any, **_: Any) -> None:
        self.total += len(http_response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description="archive read cost for one service")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--services", type=int, default=50)
    args = parser.parse_args()

    server = EmulatorServer().start()
    os.environ.update(emulator_env(server.endpoint))
    logs = boto3.client("logs")
    logs.create_log_group(logGroupName=GROUP)
    now = datetime.now(UTC)
    services = [f"service-{index:02d}" for index in range(args.services)]
    for batch in range(0, args.events, 1000):
        logs.create_log_stream(logGroupName=GROUP, logStreamName=f"batch-{batch}")
        events: list[InputLogEventTypeDef] = []
        for number in range(batch, min(batch + 1000, args.events)):
            at = now - timedelta(minutes=args.events - number)
            events.append(
                {
                    "timestamp": int(at.timestamp() * 1000),
                    "message": stop_event(services[number % len(services)], number, at),
                }
            )
        logs.put_log_events(logGroupName=GROUP, logStreamName=f"batch-{batch}", logEvents=events)
    since = now - timedelta(minutes=args.events + 1)
    target = services[7]

    print(f"archive: {args.events} events of {args.services} services in {GROUP}")
    print(f"{'read':<38} {'requests':>9} {'bytes':>11} {'stops':>6}")
    counted = Bytes()
    logs.meta.events.register("after-call.cloudwatch-logs.FilterLogEvents", counted)
    server.traffic.reset()
    read = read_archive(logs, GROUP, cluster=CLUSTER, service=target, since=since)
    filtered = (server.traffic.total(), counted.total)
    print(
        f"{'one service (filter ' + filter_term(target) + ')':<38} {filtered[0]:>9} "
        f"{filtered[1]:>11} {len(read.stops):>6}"
    )

    counted.total = 0
    server.traffic.reset()
    pages = logs.get_paginator("filter_log_events").paginate(
        logGroupName=GROUP, startTime=int(since.timestamp() * 1000)
    )
    scanned = sum(len(page["events"]) for page in pages)
    whole = (server.traffic.total(), counted.total)
    print(f"{'the whole group, unfiltered':<38} {whole[0]:>9} {whole[1]:>11} {scanned:>6}")
    # moto pages by count only (10,000 events); AWS also stops a page at 1 MB, so a real scan
    # of this group would take about 11 requests.
    print(f"bytes read: {whole[1] / max(filtered[1], 1):.0f}x fewer than a scan")
    server.stop()


if __name__ == "__main__":
    main()
