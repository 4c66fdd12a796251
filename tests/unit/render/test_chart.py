"""Memory against the limit on every surface: the card's chart block (a raw dict), its one-line
fallback, the terminal line, the JSON field, and how to turn Container Insights on."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from rich.console import Console

from bot.model import ContainerInsights, Diagnosis, MemorySample, Task
from bot.render.blocks import render_card, render_details
from bot.render.chart import (
    MAX_POINTS,
    TITLE_LIMIT,
    chart_block,
    chart_title,
    insights_off_line,
    memory_view,
    without_chart,
)
from bot.render.json import diagnosis_to_json
from bot.render.text import render_report
from tests import facts_builder as fb

OOM = "OutOfMemoryError: Container killed due to memory usage"
GROUP = f"/aws/ecs/containerinsights/{fb.CLUSTER}/performance"


def sampled(task: Task, minutes: int) -> ContainerInsights:
    """A task whose memory climbs to its 1024 MiB limit over `minutes`."""
    assert task.stopped_at is not None
    samples = tuple(
        MemorySample(
            at=task.stopped_at - timedelta(minutes=minutes - i),
            used=400 + 624 * (i + 1) / minutes,
            reserved=1024,
            cpu_used=120.5,
        )
        for i in range(minutes)
    )
    return ContainerInsights(
        cluster=fb.CLUSTER, setting="enabled", group=GROUP, task_id=task.task_id, task=samples
    )


def oom(insights: ContainerInsights | None = None, minutes: int = 6) -> Diagnosis:
    stop = fb.stopped(exit_code=137, container_reason=OOM, ran_for=timedelta(minutes=40))
    return fb.diagnose(fb.failing(stop, container_insights=insights or sampled(stop, minutes)))


def off(setting: str = "disabled", default: str | None = None) -> ContainerInsights:
    return ContainerInsights(
        cluster=fb.CLUSTER, setting=setting, account_default=default, group=GROUP
    )


def test_samples_of_a_task_the_cause_is_not_about_are_not_charted() -> None:
    newest = fb.stopped(1, exit_code=1, ran_for=timedelta(minutes=40))
    killed = [
        fb.stopped(n, exit_code=137, container_reason=OOM, ran_for=timedelta(minutes=40))
        for n in (2, 3)
    ]
    diagnosis = fb.diagnose(fb.failing(newest, *killed, container_insights=sampled(newest, 5)))

    assert diagnosis.cause is not None
    assert diagnosis.cause.code == "out-of-memory"
    assert chart_block(diagnosis) is None


def test_the_chart_is_a_line_of_memory_against_the_limit() -> None:
    chart = chart_block(oom())

    assert chart is not None
    assert chart["type"] == "data_visualization"
    assert len(chart["title"]) <= TITLE_LIMIT
    body = chart["chart"]
    assert body["type"] == "line"
    assert [s["name"] for s in body["series"]] == ["Memory used (MiB)", "Limit (MiB)"]
    used, limit = ([p["value"] for p in s["data"]] for s in body["series"])
    assert used[-1] == 1024
    assert used == sorted(used)
    assert set(limit) == {1024}
    for series in body["series"]:
        assert [p["label"] for p in series["data"]] == body["axis_config"]["categories"]


def test_a_long_stretch_is_cut_to_its_last_twenty_minutes() -> None:
    chart = chart_block(oom(minutes=45))

    assert chart is not None
    categories = chart["chart"]["axis_config"]["categories"]
    assert len(categories) == MAX_POINTS == len(set(categories))
    assert chart["chart"]["series"][0]["data"][-1]["value"] == 1024


def test_the_card_carries_the_chart_as_a_raw_block_and_its_words_as_fallback() -> None:
    diagnosis = oom()
    blocks = render_card(diagnosis)

    charts = [b for b in blocks if b["type"] == "data_visualization"]
    assert charts == [chart_block(diagnosis)]
    assert blocks.index(charts[0]) == 2  # under the cause and its numbers
    assert charts[0]["title"] == "Memory of the task: peak 1024 of 1024 MiB"
    # The chart stands for the Container Insights line on the card; Details keeps it whole.
    sentence = "task memory peaked at 1024 MiB of its 1024 MiB limit (per-minute averages"
    assert sentence not in json.dumps(blocks)
    assert sentence in json.dumps(render_details(diagnosis))
    chartless = without_chart(blocks)
    assert chartless is not None
    told = chartless[2]["elements"][0]["text"]
    assert told.startswith(":bar_chart: Memory of the task: peak 1024 of 1024 MiB")
    assert "Container Insights, per-minute averages" in told
    assert chartless[:2] + chartless[3:] == [b for b in blocks if b is not charts[0]]
    assert without_chart(chartless) is None


def test_a_long_container_name_leaves_the_title_its_peak() -> None:
    view = memory_view(oom())
    assert view is not None
    long = replace(view, container="a-container-whose-name-is-longer-than-the-title")
    assert chart_title(long) == "Memory: peak 1024 of 1024 MiB"


def test_no_chart_where_memory_is_not_the_question() -> None:
    stop = fb.stopped(exit_code=1)
    diagnosis = fb.diagnose(
        fb.failing(stop, container_insights=sampled(stop, 5), log_streams=(fb.logs(stop, "boom"),))
    )

    assert diagnosis.cause is not None
    assert diagnosis.cause.code == "app-crash"
    assert chart_block(diagnosis) is None
    assert insights_off_line(diagnosis) is None


def test_container_insights_off_says_how_to_turn_it_on() -> None:
    diagnosis = oom(off())

    assert chart_block(diagnosis) is None
    line = insights_off_line(diagnosis)
    assert line is not None
    assert line.startswith("Container Insights is off for cluster production")
    assert (
        "`aws ecs update-cluster-settings --cluster production "
        "--settings name=containerInsights,value=enhanced`"
    ) in line
    assert "update-cluster-settings" in json.dumps(render_card(diagnosis))


def test_an_account_default_the_cluster_predates_is_named() -> None:
    line = insights_off_line(oom(off(default="enhanced")))
    assert line is not None
    assert "the account default is enhanced" in line


def test_a_refused_read_says_so_instead_of_off() -> None:
    unread = off("enabled").model_copy(update={"unread": "access denied"})
    assert insights_off_line(oom(unread)) == (
        "Container Insights could not be read (access denied): no memory chart."
    )


def test_the_terminal_says_it_in_one_line() -> None:
    console = Console(width=400, record=True)
    for part in render_report(oom()):
        console.print(part)
    lines = [line for line in console.export_text().splitlines() if "Container Insights" in line]

    assert len(lines) == 1
    assert "task memory peaked at 1024 MiB of its 1024 MiB limit" in lines[0]


def test_json_adds_container_insights_beside_the_pinned_fields() -> None:
    document = diagnosis_to_json(oom())
    found = document["container_insights"]

    assert {"target", "status", "cause", "findings", "checklist", "next_step"} <= set(document)
    assert found["setting"] == "enabled"
    assert found["log_group"] == GROUP
    assert (found["peak_mib"], found["limit_mib"], len(found["samples"])) == (1024, 1024, 6)
    assert found["samples"][0]["cpu_units"] == 120.5
    assert diagnosis_to_json(oom(off()))["container_insights"]["samples"] == []
