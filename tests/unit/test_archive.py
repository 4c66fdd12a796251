"""Archive lines → the service's stops: de-duplicated, malformed lines skipped and counted."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bot.archive import filter_term, parse_lines
from tests.facts_builder import ACCOUNT, CLUSTER, CLUSTER_ARN, NOW, REGION, SERVICE

SINCE = NOW - timedelta(hours=12)


def task_change(number: int, *, version: int = 4, hours_ago: int = 9, **detail: Any) -> str:
    """One "ECS Task State Change" line, shaped as the ECS developer guide shows it:
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html"""
    arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/{CLUSTER}/{number:032x}"
    stopped_at = NOW - timedelta(hours=hours_ago)
    fields: dict[str, Any] = {
        "clusterArn": CLUSTER_ARN,
        "containers": [
            {
                "name": "app",
                "exitCode": 137,
                "reason": "OutOfMemoryError: Container killed due to memory usage",
                "lastStatus": "STOPPED",
                "imageDigest": "sha256:" + "a" * 64,
            }
        ],
        "createdAt": (stopped_at - timedelta(minutes=5)).isoformat().replace("+00:00", "Z"),
        "desiredStatus": "STOPPED",
        "group": f"service:{SERVICE}",
        "lastStatus": "STOPPED",
        "startedBy": "ecs-svc/9223370545345641169",
        "stopCode": "EssentialContainerExited",
        "stoppedAt": stopped_at.isoformat().replace("+00:00", "Z"),
        "stoppedReason": "Essential container in task exited",
        "taskArn": arn,
        "taskDefinitionArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/api:7",
        "version": version,
    }
    return event("ECS Task State Change", fields | detail, [arn])


def event(detail_type: str, detail: dict[str, Any], resources: list[str]) -> str:
    return json.dumps(
        {
            "version": "0",
            "id": "3317b2af-7005-947d-b652-f55e762e571a",
            "detail-type": detail_type,
            "source": "aws.ecs",
            "account": ACCOUNT,
            "time": "2024-05-01T03:00:00Z",
            "region": REGION,
            "resources": resources,
            "detail": detail,
        }
    )


def parse(*lines: str) -> Any:
    return parse_lines(lines, cluster=CLUSTER, service=SERVICE, since=SINCE, now=NOW)


def test_stops_of_the_service_are_read_as_tasks() -> None:
    parsed = parse(task_change(1), task_change(2, hours_ago=10))

    assert [t.task_id for t in parsed.stops] == [f"{1:032x}", f"{2:032x}"]
    stop = parsed.stops[0]
    assert (stop.stop_code, stop.containers[0].exit_code) == ("EssentialContainerExited", 137)
    assert stop.stopped_at == NOW - timedelta(hours=9)
    assert stop.containers[0].image_digest == "sha256:" + "a" * 64


def test_the_same_change_delivered_twice_counts_once() -> None:
    parsed = parse(task_change(1), task_change(1), task_change(2))

    assert len(parsed.stops) == 2
    assert parsed.duplicates == 1


def test_a_task_that_changed_several_times_is_its_last_change() -> None:
    stopping = task_change(1, version=3, lastStatus="DEACTIVATING", stoppedAt=None)
    parsed = parse(task_change(1, version=4), stopping)

    [stop] = parsed.stops
    assert stop.last_status == "STOPPED"
    assert parsed.duplicates == 0


def test_malformed_lines_are_skipped_and_counted_never_fatal() -> None:
    lines = (
        "not json at all",
        json.dumps(["a", "list"]),
        json.dumps({"source": "aws.ec2", "detail-type": "EC2 Instance State-change Notification"}),
        task_change(3, version="four"),  # type: ignore[arg-type]
        task_change(4, createdAt="yesterday"),
        task_change(1),
    )
    parsed = parse(*lines)

    assert [t.task_id for t in parsed.stops] == [f"{1:032x}"]
    assert parsed.skipped == 5


def test_other_services_and_clusters_and_older_stops_are_left_out() -> None:
    parsed = parse(
        task_change(1, group="service:api-v2"),
        task_change(2, clusterArn=f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/staging"),
        task_change(3, hours_ago=13),
        task_change(4),
    )

    assert [t.task_id for t in parsed.stops] == [f"{4:032x}"]
    assert parsed.skipped == 0


def test_service_and_deployment_events_of_the_service_are_kept() -> None:
    service_arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{CLUSTER}/{SERVICE}"
    deployment = event(
        "ECS Deployment State Change",
        {
            "eventType": "ERROR",
            "eventName": "SERVICE_DEPLOYMENT_FAILED",
            "deploymentId": "ecs-svc/123",
            "updatedAt": "2024-05-01T03:00:00.000Z",
            "reason": "ECS deployment circuit breaker: task failed to start.",
        },
        [service_arn],
    )
    other = event("ECS Service Action", {"eventName": "SERVICE_STEADY_STATE"}, [service_arn + "2"])
    parsed = parse(deployment, other)

    [kept] = parsed.service_events
    assert kept.message.startswith("SERVICE_DEPLOYMENT_FAILED: ECS deployment circuit breaker")


def test_the_filter_is_the_service_name_as_one_quoted_term() -> None:
    assert filter_term("api-service") == '"api-service"'
