"""Container Insights performance log events as AWS documents them, read into samples: the
task's own, by its id, whatever else the group holds.

Source of the event's shape: the "Type: Container" example of
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-reference-performance-logs-ECS.html
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.aws.insights import performance_group, with_samples
from bot.model import ContainerInsights

TASK = "7ac4dfba69214411b4783a3b8189c9ba"
DOCUMENTED = {
    "Version": "0",
    "Type": "Container",
    "ContainerName": "sleep",
    "TaskId": TASK,
    "TaskDefinitionFamily": "sleep360",
    "TaskDefinitionRevision": "1",
    "ContainerInstanceId": "0d7650e6dec34c1a9200f72098071e8f",
    "EC2InstanceId": "i-0c470579dbcdbd2f3",
    "ClusterName": "MyCluster",
    "Image": "busybox",
    "ContainerKnownStatus": "RUNNING",
    "Timestamp": 1623963900000,
    "CpuUtilized": 0.0,
    "CpuReserved": 10.0,
    "MemoryUtilized": 0,
    "MemoryReserved": 10,
    "StorageReadBytes": 0,
    "StorageWriteBytes": 0,
    "NetworkRxBytes": 0,
    "NetworkRxDropped": 0,
    "NetworkRxErrors": 0,
    "NetworkRxPackets": 14,
    "NetworkTxBytes": 0,
    "NetworkTxDropped": 0,
    "NetworkTxErrors": 0,
    "NetworkTxPackets": 0,
}
EMPTY = ContainerInsights(cluster="MyCluster", group=performance_group("MyCluster"))


def test_the_documented_container_event_is_a_sample_of_its_container() -> None:
    found = with_samples(EMPTY, TASK, [json.dumps(DOCUMENTED)])

    [sample] = found.containers["sleep"]
    assert sample.at == datetime(2021, 6, 17, 21, 5, tzinfo=UTC)
    assert (sample.used, sample.reserved, sample.cpu_reserved) == (0, 10, 10)
    assert found.task == ()
    assert found.task_id == TASK


def test_only_the_task_s_own_task_events_count_once_each_oldest_first() -> None:
    def task_event(task: str, minute: int, used: int) -> str:
        at = 1623963900000 + minute * 60_000
        fields = {"Type": "Task", "TaskId": task, "Timestamp": at, "MemoryUtilized": used}
        return json.dumps(DOCUMENTED | fields | {"ContainerName": None})

    messages = [
        task_event(TASK, 2, 300),
        task_event(TASK, 1, 200),
        task_event(TASK, 2, 300),  # delivered twice
        task_event("another-task", 1, 999),
        task_event(TASK + "0", 1, 999),
        "not json",
        json.dumps({"Type": "Task", "TaskId": TASK}),  # no numbers
    ]
    found = with_samples(EMPTY, TASK, messages)

    assert [s.used for s in found.task] == [200, 300]
    assert found.containers == {}
