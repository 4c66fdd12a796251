"""Memory against the limit, from Container Insights: Slack's chart block, the JSON document's
`container_insights`, and, when Container Insights is off, how to turn it on. The same in words
is the cause's own evidence (bot/checks/memory.py): Details and the terminal's one line.

The chart is Slack's native `data_visualization` block, built as a plain dict: slack_sdk's
block models drop block types they do not know, so it never goes through them. Slack may not
take it (an older workspace, a client that cannot draw it): `without_chart` gives the same
message with the chart told in one line, for a second try (handlers/replies.py). On the card
the chart stands for the cause's Container Insights line, which Details keeps whole.
https://docs.slack.dev/reference/block-kit/blocks/data-visualization-block
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.model import Cause, ContainerInsights, Diagnosis, MemorySample

CHART = "data_visualization"
CHART_BLOCK = "ecs_why_memory"
CHART_SOURCE = "Container Insights"  # the source of the evidence the chart draws (checks/memory)
MAX_POINTS = 20  # a chart of a task's last minutes: enough to see the climb
TITLE_LIMIT = 50  # Slack's limit on a chart's title
LABEL_LIMIT = 20  # and on a data point's label
# Causes where memory is the question: there the chart shows, and a cluster without Container
# Insights says how to turn it on.
ABOUT_MEMORY = frozenset({Cause.OUT_OF_MEMORY, Cause.HEAP_EXHAUSTED})


@dataclass(frozen=True)
class MemoryView:
    """What the focus task's container (else the task) used in its last minutes."""

    insights: ContainerInsights
    container: str | None  # None: the task's samples
    samples: tuple[MemorySample, ...]
    limit: int | None  # MiB: the hard limit the cause names, else what Insights counts against

    @property
    def peak(self) -> int:
        return round(max(s.used for s in self.samples))


def memory_view(diagnosis: Diagnosis) -> MemoryView | None:
    """The samples of the container the cause is about, when the cause weighed them."""
    insights, cause = diagnosis.container_insights, diagnosis.cause
    # Only where the cause weighed them: the samples are of a task the cause is about.
    if insights is None or cause is None or cause.particulars.memory_peak is None:
        return None
    container = cause.where.container
    samples = insights.samples(container)
    if not samples:
        return None
    own = container if container and insights.containers.get(container) else None
    limit = cause.particulars.memory_limit
    if limit is None:
        limit = next((round(s.reserved) for s in reversed(samples) if s.reserved), None)
    return MemoryView(insights, own, samples, limit)


def insights_off_line(diagnosis: Diagnosis) -> str | None:
    """When memory is the question and Container Insights is off for the cluster: so, and the
    command that turns it on (a read failure says that instead)."""
    insights, cause = diagnosis.container_insights, diagnosis.cause
    if insights is None or cause is None or cause.code not in ABOUT_MEMORY:
        return None
    if insights.unread:
        return f"Container Insights could not be read ({insights.unread}): no memory chart."
    if insights.on or insights.setting is None:
        return None
    default = (
        f" (the account default is {insights.account_default}: the cluster predates it)"
        if insights.account_default in ("enabled", "enhanced")
        else ""
    )
    return (
        f"Container Insights is off for cluster {insights.cluster}{default}, so there is no "
        "memory to chart. Turn it on: `aws ecs update-cluster-settings --cluster "
        f"{insights.cluster} --settings name=containerInsights,value=enhanced`"
    )


def chart_block(diagnosis: Diagnosis) -> dict[str, Any] | None:
    """The line chart of memory against its limit, as a raw block; None when there is nothing
    to chart or memory is not the question."""
    view = memory_view(diagnosis)
    cause = diagnosis.cause
    if view is None or cause is None or cause.code not in ABOUT_MEMORY:
        return None
    shown = view.samples[-MAX_POINTS:]
    labels = _labels(shown)
    series = [_series("Memory used (MiB)", labels, [round(s.used) for s in shown])]
    if view.limit:
        series.append(_series("Limit (MiB)", labels, [view.limit] * len(shown)))
    return {
        "type": CHART,
        "block_id": CHART_BLOCK,
        "title": chart_title(view),
        "chart": {
            "type": "line",
            "series": series,
            "axis_config": {"categories": labels, "x_label": "UTC", "y_label": "MiB"},
        },
    }


def chart_title(view: MemoryView) -> str:
    """Whose memory and its peak against the limit: what the chart shows, in its title."""
    of = f" of {view.limit}" if view.limit else ""
    title = f"Memory of {view.container or 'the task'}: peak {view.peak}{of} MiB"
    return title if len(title) <= TITLE_LIMIT else f"Memory: peak {view.peak}{of} MiB"


def _labels(samples: tuple[MemorySample, ...]) -> list[str]:
    """One label a minute; a date once the minutes span two days (labels must differ)."""
    days = {s.at.date() for s in samples}
    shape = "%H:%M" if len(days) == 1 else "%d %H:%M"
    return [s.at.strftime(shape)[:LABEL_LIMIT] for s in samples]


def _series(name: str, labels: list[str], values: list[int]) -> dict[str, Any]:
    return {
        "name": name,
        "data": [
            {"label": label, "value": value} for label, value in zip(labels, values, strict=True)
        ],
    }


def without_chart(blocks: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """The blocks with each chart told in one line instead, or None when they hold none
    (nothing to try again)."""
    if not blocks or not any(b.get("type") == CHART for b in blocks):
        return None
    return [_in_words(b) if b.get("type") == CHART else b for b in blocks]


def _in_words(chart: dict[str, Any]) -> dict[str, Any]:
    """A chart as a context line: its title (whose memory, its peak and limit) and its span.
    Only our words and numbers and an ECS container name (letters, digits, - and _): nothing
    to escape."""
    labels = chart["chart"]["axis_config"]["categories"]
    span = f", {labels[0]}–{labels[-1]} UTC" if labels else ""
    text = f":bar_chart: {chart['title']} ({CHART_SOURCE}, per-minute averages{span})"
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def insights_json(diagnosis: Diagnosis) -> dict[str, Any] | None:
    """The JSON document's `container_insights`: the setting, and what the samples show."""
    insights = diagnosis.container_insights
    if insights is None:
        return None
    view = memory_view(diagnosis)
    samples = view.samples if view else ()
    return {
        "cluster": insights.cluster,
        "setting": insights.setting,
        "account_default": insights.account_default,
        "log_group": insights.group,
        "task_id": insights.task_id,
        "container": view.container if view else None,
        "peak_mib": view.peak if view else None,
        "limit_mib": view.limit if view else None,
        "samples": [
            {
                "at": s.at.isoformat(),
                "memory_mib": s.used,
                "memory_reserved_mib": s.reserved,
                "cpu_units": s.cpu_used,
            }
            for s in samples
        ],
        "unread": insights.unread,
    }
