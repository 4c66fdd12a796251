"""The Diagnosis as a terminal report (rich): what an on-call engineer reads first comes first."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.model import Diagnosis, StepStatus
from bot.render.history import changes_heading, changes_lines, history_line

STATUS_STYLE = {"failing": "bold red", "healthy": "bold green", "unknown": "bold yellow"}
MARKS: dict[StepStatus, tuple[str, str]] = {
    "failed": ("✘", "red"),
    "warning": ("!", "yellow"),
    "passed": ("✔", "green"),
    "skipped": ("–", "dim"),
    "unknown": ("?", "magenta"),
}
MAX_EVIDENCE = 6


def render_report(diagnosis: Diagnosis) -> RenderableType:
    """One diagnosis as a panel: cause and evidence, the checklist, the next step."""
    parts: list[RenderableType] = []
    if diagnosis.summary:
        parts.append(Text(diagnosis.summary))
    if (cause := diagnosis.cause) is not None:
        parts.append(
            Text.from_markup(f"\n[bold]Cause[/] [cyan]{cause.code}[/]: {escape(cause.title)}")
        )
        parts.extend(_evidence(cause.evidence))
    parts.extend(_time_section(diagnosis))
    parts.append(Text())
    parts.append(checklist_table(diagnosis))
    if diagnosis.next_step is not None:
        parts.append(Text.from_markup(f"\n[bold]Next step[/] {escape(diagnosis.next_step.action)}"))
    others = [f for f in diagnosis.findings if f != diagnosis.cause]
    if others:
        parts.append(Text.from_markup("\n[bold]Also found[/]"))
        for finding in others:
            parts.append(Text(f"  • [{finding.severity}] {finding.code}: {finding.title}"))
    style = STATUS_STYLE[diagnosis.status]
    title = f"[{style}]{diagnosis.status.upper()}[/] {escape(diagnosis.target.label)}"
    subtitle = escape(_context(diagnosis))
    return Panel(Group(*parts), title=title, subtitle=subtitle, title_align="left", expand=True)


def _time_section(diagnosis: Diagnosis) -> list[RenderableType]:
    """What changed since the last healthy revision, and what the archive held."""
    parts: list[RenderableType] = []
    if heading := changes_heading(diagnosis):
        parts.append(Text(f"\n{heading}", style="bold"))
        parts.extend(Text(f"  ~ {line}") for line in changes_lines(diagnosis))
    if line := history_line(diagnosis):
        parts.append(Text(f"\n{line}", style="dim"))
    return parts


def _evidence(evidence: Sequence[str]) -> list[RenderableType]:
    lines: list[RenderableType] = [
        Text(f"  › {line}", style="dim") for line in evidence[:MAX_EVIDENCE]
    ]
    if len(evidence) > MAX_EVIDENCE:
        lines.append(Text(f"  › … and {len(evidence) - MAX_EVIDENCE} more", style="dim"))
    return lines


def checklist_table(diagnosis: Diagnosis) -> Table:
    table = Table(show_header=False, box=None, pad_edge=False, padding=(0, 1))
    for item in diagnosis.checklist:
        mark, style = MARKS[item.status]
        table.add_row(Text(mark, style=style), Text(item.step.value, style="bold"), Text(item.note))
    return table


def _context(diagnosis: Diagnosis) -> str:
    bits = [diagnosis.region]
    if diagnosis.account:
        bits.append(diagnosis.account)
    if diagnosis.task_arn:
        bits.append("task " + diagnosis.task_arn.rsplit("/", 1)[-1])
    if diagnosis.stopped_tasks:
        bits.append(f"{diagnosis.stopped_tasks} stopped recently")
    return " · ".join(bits)


def summary_table(diagnoses: Sequence[Diagnosis]) -> Table:
    """The demo's overview: one row per service."""
    table = Table(title="ecs-why demo: one broken service per failure family", expand=True)
    table.add_column("service", style="bold", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("cause", style="cyan", no_wrap=True)
    table.add_column("next step", ratio=1, no_wrap=True, overflow="ellipsis")
    for diagnosis in diagnoses:
        status = Text(diagnosis.status, style=STATUS_STYLE[diagnosis.status])
        cause = diagnosis.cause.code.value if diagnosis.cause else "—"
        action = diagnosis.next_step.action if diagnosis.next_step else "nothing to do"
        table.add_row(diagnosis.target.label, status, cause, action)
    return table


def print_reports(console: Console, diagnoses: Sequence[Diagnosis]) -> None:
    for diagnosis in diagnoses:
        console.print(render_report(diagnosis))
