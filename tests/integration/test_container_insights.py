"""Container Insights against moto's server over HTTP: the cluster's setting, the account
default, and the stopped task's own events among every task's in the performance log."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.ecs.models import ecs_backends

from bot.aws.collect import collect_facts
from bot.aws.insights import performance_group
from bot.cache import MemoryStore
from bot.model import Target
from bot.render.blocks import render_card
from bot.service import Diagnoser
from bot.settings import Settings
from tests.integration.test_aws_collect import (
    ACCOUNT,
    REGION,
    build_account,
    json_error,
    make_clients,
    new_session,
    on_send,
)

GROUP = performance_group("prod")
# CloudWatch (and moto) drop events older than 14 days: the task stops now, in real time.
STOPPED_AT = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=3)
TARGET = Target(cluster="prod", service="api")


def task_id(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def stopped_now(arn: str) -> None:
    """The stopped task stops a few minutes ago (moto's API cannot set when)."""
    task = ecs_backends[ACCOUNT][REGION].tasks["prod"][arn]
    vars(task).update(stopped_at=STOPPED_AT, started_at=STOPPED_AT - timedelta(minutes=30))


def event(kind: str, task: str, minute: int, used: float, **more: Any) -> dict[str, Any]:
    at = STOPPED_AT - timedelta(minutes=minute)
    return {
        "Version": "0",
        "Type": kind,
        "TaskId": task,
        "ClusterName": "prod",
        "Timestamp": int(at.timestamp() * 1000),
        "CpuUtilized": 100.0,
        "CpuReserved": 256.0,
        "MemoryUtilized": used,
        "MemoryReserved": 512,
        **more,
    }


def write_performance(*streams: tuple[str, list[dict[str, Any]]]) -> None:
    """The cluster's performance log: one stream per task, as Fargate writes it."""
    logs = new_session().client("logs")
    logs.create_log_group(logGroupName=GROUP)
    for stream, events in streams:
        logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
        logs.put_log_events(
            logGroupName=GROUP,
            logStreamName=stream,
            logEvents=sorted(
                ({"timestamp": e["Timestamp"], "message": json.dumps(e)} for e in events),
                key=lambda e: e["timestamp"],
            ),
        )


def insights_on(setting: str = "enabled") -> tuple[str, str]:
    """The account with Container Insights on `prod`, and the log of the stopped task (its
    memory climbing to the limit), the running one and a third task in the same group."""
    account = build_account()
    stopped_now(account.stopped_task_arn)
    new_session().client("ecs").update_cluster(  # moto has no UpdateClusterSettings
        cluster="prod", settings=[{"name": "containerInsights", "value": setting}]
    )
    stopped, running = task_id(account.stopped_task_arn), task_id(account.running_task_arn)
    climbing = [event("Task", stopped, m, 512 - 40 * m) for m in range(6, 0, -1)]
    per_container = [
        event("Container", stopped, m, 500 - 40 * m, ContainerName="app") for m in (3, 2, 1)
    ]
    write_performance(
        (f"FargateTelemetry-{stopped}", climbing + per_container),
        (f"FargateTelemetry-{running}", [event("Task", running, m, 900) for m in (3, 2, 1)]),
        ("FargateTelemetry-other", [event("Task", f"{stopped}0", 1, 999)]),  # a longer id
    )
    return stopped, running


def test_the_stopped_task_s_own_samples_are_read_among_every_task_s(
    aws: str, pool: ThreadPoolExecutor
) -> None:
    stopped, _ = insights_on("enhanced")
    clients = make_clients()

    facts = collect_facts(TARGET, clients, now=STOPPED_AT, pool=pool)

    found = facts.container_insights
    assert found is not None
    assert (found.setting, found.task_id, found.unread) == ("enhanced", stopped, None)
    assert [s.used for s in found.task] == [272, 312, 352, 392, 432, 472]
    assert [s.at for s in found.task] == sorted(s.at for s in found.task)
    assert found.task[-1].at == STOPPED_AT - timedelta(minutes=1)
    assert [s.used for s in found.containers["app"]] == [380, 420, 460]
    assert clients.calls()["logs:FilterLogEvents"] == 1
    assert "ecs:ListAccountSettings" not in clients.calls()


def test_off_it_reads_the_account_default_and_no_log(aws: str, pool: ThreadPoolExecutor) -> None:
    account = build_account()
    stopped_now(account.stopped_task_arn)
    new_session().client("ecs").put_account_setting(name="containerInsights", value="enhanced")
    clients = make_clients()

    facts = collect_facts(TARGET, clients, now=STOPPED_AT, pool=pool)

    found = facts.container_insights
    assert found is not None
    assert (found.setting, found.account_default, found.task) == ("disabled", "enhanced", ())
    assert "logs:FilterLogEvents" not in clients.calls()


def test_a_refused_read_is_said_once_and_not_asked_again(
    aws: str, pool: ThreadPoolExecutor
) -> None:
    insights_on()
    clients = make_clients()
    on_send(
        clients.client("logs", optional=True),
        "cloudwatch-logs",
        json_error(400, "AccessDeniedException"),
    )

    first = collect_facts(TARGET, clients, now=STOPPED_AT, pool=pool)
    second = collect_facts(TARGET, clients, now=STOPPED_AT, pool=pool)

    assert first.container_insights is not None
    assert first.container_insights.unread == "access denied"
    assert first.gaps == ()  # an optional read: evidence missing, no checklist step unknown
    assert second.container_insights is not None
    assert second.container_insights.unread == "not available"
    assert clients.calls()["logs:FilterLogEvents"] == 1  # tried once: one attempt, remembered


def test_the_read_runs_beside_the_log_tails_not_after_them(aws: str) -> None:
    """Each request's depth is one more than the deepest answered before it was sent (a round
    trip of 0.2 s, far above the bot's own work, makes the order plain): the performance log
    is read no deeper than the log tails it stands beside."""
    insights_on()
    session = new_session()
    sent = threading.local()
    spans: list[tuple[float, float, str]] = []
    timing = [False]  # clients copy the session's hooks when made: registered first, off

    def send(**_: Any) -> None:
        sent.at = time.monotonic()
        if timing[0]:
            time.sleep(0.2)

    def named(model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["chain"] = f"{model.name}:{params.get('logGroupName')}"

    def answered(context: dict[str, Any], **_: Any) -> None:
        if timing[0]:
            spans.append((sent.at, time.monotonic(), context["chain"]))

    session.events.register("provide-client-params", named)
    session.events.register("before-send", send)
    session.events.register("after-call", answered)
    clients = make_clients(session)
    with ThreadPoolExecutor(max_workers=16) as pool:
        collect_facts(TARGET, clients, now=STOPPED_AT, pool=pool)  # makes the clients
        timing[0] = True
        facts = collect_facts(TARGET, clients, now=STOPPED_AT, pool=pool)

    assert facts.container_insights is not None
    assert len(facts.container_insights.task) == 6
    depth: dict[str, int] = {}
    for at, _, name in sorted(spans):
        before = [depth[n] for s, done, n in spans if done < at and n in depth]
        depth[name] = max(depth.get(name, 0), 1 + max(before, default=0))
    performance = depth[f"FilterLogEvents:{performance_group(TARGET.cluster or '')}"]
    tails = max(d for name, d in depth.items() if name.startswith("GetLogEvents"))
    assert performance <= tails, depth


def test_an_out_of_memory_card_charts_the_task_s_memory(aws: str) -> None:
    insights_on()
    diagnoser = Diagnoser(Settings(), MemoryStore())
    try:
        diagnosis = diagnoser.diagnose(TARGET)
    finally:
        diagnoser.close()

    assert diagnosis.cause is not None
    assert diagnosis.cause.code == "out-of-memory"
    # the container's own samples (enhanced observability) before the task's
    assert diagnosis.cause.particulars.memory_peak == 460
    [chart] = [b for b in render_card(diagnosis) if b["type"] == "data_visualization"]
    assert chart["title"] == "Memory of app: peak 460 of 512 MiB"
    assert [p["value"] for p in chart["chart"]["series"][0]["data"]] == [380, 420, 460]
