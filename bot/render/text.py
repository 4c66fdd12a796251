"""The Diagnosis as a terminal report (rich): what an on-call engineer reads first comes first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from bot.model import Diagnosis, StepStatus
from bot.render.chart import insights_off_line
from bot.render.evidence import Line, shape
from bot.render.glance import State, cause_title, impact_bits, shown_note, state
from bot.render.history import (
    changes_heading,
    changes_lines,
    history_line,
    seen_before_line,
)

STATE_STYLE: dict[State, str] = {
    "failing": "bold red",
    "recovering": "bold yellow",
    "healthy": "bold green",
    "unknown": "bold magenta",
}
MARKS: dict[StepStatus, tuple[str, str]] = {
    "failed": ("✘", "red"),
    "warning": ("!", "yellow"),
    "passed": ("✔", "green"),
    "skipped": ("–", "dim"),
    "unknown": ("?", "magenta"),
}
MAX_EVIDENCE = 6


class Copyable(Text):
    """A line to copy whole (a command, a link): printed unwrapped, the terminal wraps it."""


def render_report(diagnosis: Diagnosis, *, verbose: bool = False) -> list[RenderableType]:
    """One diagnosis in the card's order: the cause and its decisive line, the impact, the
    next step with its command as a block to copy, then the steps that did not pass (every
    step with `verbose`). No frame around it, so a command copies as one line."""
    shown, word = state(diagnosis), diagnosis.service_state.replace("-", " ")
    title = f"[{STATE_STYLE[shown]}]{word.upper()}[/] {escape(diagnosis.target.label)}"
    parts: list[RenderableType] = [Rule(title, align="left", style=STATE_STYLE[shown])]
    if diagnosis.summary and (diagnosis.cause is None or diagnosis.status == "healthy"):
        parts.append(Text(diagnosis.summary))
    if (cause := diagnosis.cause) is not None:
        parts.append(
            Text.from_markup(
                f"[bold]Cause[/] [cyan]{cause.code}[/] ({cause.step}): "
                f"{escape(cause_title(diagnosis) or cause.title)}"
            )
        )
        shaped = shape(cause.evidence)
        if shaped.decisive is not None:
            parts.append(Text(f"  › {shaped.decisive.text}", style="bold"))
        parts.extend(_evidence(shaped.rest))
    if bits := impact_bits(diagnosis, _time):
        parts.append(Text("  " + " · ".join(bits), style="dim"))
    if line := insights_off_line(diagnosis):
        parts.append(Text(f"  {line}", style="dim"))
    parts.extend(_time_section(diagnosis))
    if (step := diagnosis.next_step) is not None:
        parts.append(Text.from_markup(f"\n[bold]Next step[/] {escape(step.action)}"))
        if step.command:
            parts.extend(_command(step.command))
        if step.console_url:
            parts.append(Text(f"  {step.console_label or 'Console'}:", style="dim"))
            parts.append(Copyable(f"    {step.console_url}", style="dim"))
    parts.append(Text())
    parts.append(checklist_table(diagnosis, verbose=verbose))
    others = [f for f in diagnosis.findings if f != diagnosis.cause]
    if others and verbose:
        parts.append(Text.from_markup("\n[bold]Also found[/]"))
        for finding in others:
            parts.append(Text(f"  • [{finding.severity}] {finding.code}: {finding.title}"))
    parts.append(Text(_context(diagnosis), style="dim"))
    return parts


def _command(command: str) -> list[RenderableType]:
    """Each command on a line of its own, left unwrapped so the terminal wraps it and a copy
    gets it whole."""
    return [Copyable(f"    {line}", style="bold cyan") for line in command.splitlines()]


def _time(when: datetime) -> str:
    return f"{when:%H:%M} UTC"


def _time_section(diagnosis: Diagnosis) -> list[RenderableType]:
    """What changed since the last healthy revision, and what the archive held."""
    parts: list[RenderableType] = []
    if heading := changes_heading(diagnosis):
        parts.append(Text(f"\n{heading}", style="bold"))
        parts.extend(Text(f"  ~ {line}") for line in changes_lines(diagnosis))
    for line in (history_line(diagnosis), seen_before_line(diagnosis)):
        if line:
            parts.append(Text(f"\n{line}", style="dim"))
    return parts


def _evidence(lines: Sequence[Line]) -> list[RenderableType]:
    shown: list[RenderableType] = [
        Text(f"  · {line.text}", style="dim") for line in lines[:MAX_EVIDENCE]
    ]
    if len(lines) > MAX_EVIDENCE:
        shown.append(Text(f"  · … and {len(lines) - MAX_EVIDENCE} more", style="dim"))
    return shown


def checklist_table(diagnosis: Diagnosis, *, verbose: bool = True) -> RenderableType:
    """The steps that did not pass with their notes, one line for the rest; all with `verbose`."""
    table = Table(show_header=False, box=None, pad_edge=False, padding=(0, 1))
    shown = [
        i for i in diagnosis.checklist if verbose or i.status in ("failed", "warning", "unknown")
    ]
    for item in shown:
        mark, style = MARKS[item.status]
        table.add_row(
            Text(mark, style=style),
            Text(item.step.value, style="bold"),
            Text(shown_note(diagnosis, item.note)),
        )
    if verbose:
        return table
    rest = Text()
    for status in ("passed", "skipped"):
        steps = [i.step.value for i in diagnosis.checklist if i.status == status]
        if steps:
            mark, style = MARKS[status]
            rest.append(f"{mark} ", style=style).append(" · ".join(steps) + "   ")
    if diagnosis.checklist:
        rest.append("(--verbose: every step)", style="dim")
    return Group(table, rest)


def _context(diagnosis: Diagnosis) -> str:
    bits = [diagnosis.region]
    if diagnosis.account:
        bits.append(diagnosis.account)
    if diagnosis.task_arn:
        bits.append("task " + diagnosis.task_arn.rsplit("/", 1)[-1])
    return " · ".join(bits)


def summary_table(diagnoses: Sequence[Diagnosis]) -> Table:
    """The demo's overview: one row per service."""
    table = Table(title="ecs-why demo: one broken service per failure family", expand=True)
    table.add_column("service", style="bold", no_wrap=True)
    table.add_column("state", no_wrap=True)
    table.add_column("cause", style="cyan", no_wrap=True)
    table.add_column("next step", ratio=1, no_wrap=True, overflow="ellipsis")
    for diagnosis in diagnoses:
        shown = state(diagnosis)
        status = Text(diagnosis.service_state, style=STATE_STYLE[shown])
        cause = diagnosis.cause.code.value if diagnosis.cause else "—"
        action = diagnosis.next_step.action if diagnosis.next_step else "nothing to do"
        table.add_row(diagnosis.target.label, status, cause, action)
    return table


def print_reports(
    console: Console, diagnoses: Sequence[Diagnosis], *, verbose: bool = False
) -> None:
    for diagnosis in diagnoses:
        for part in render_report(diagnosis, verbose=verbose):
            console.print(part, soft_wrap=isinstance(part, Copyable))
        console.print()
