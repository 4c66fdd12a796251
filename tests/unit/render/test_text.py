"""The terminal report: the card's order, commands that copy whole, a short checklist."""

from __future__ import annotations

import io

from rich.console import Console

from bot.model import STEPS, Evidence, Kind, NextStep, Step
from bot.render.text import print_reports
from tests.unit.render.test_blocks import diagnosis

COMMAND = (
    "aws logs get-log-events --log-group-name /ecs/app --log-stream-name "
    "ecs/app/0123456789abcdef0123456789abcdef --limit 50 --query 'events[].message'"
)


def report(*, verbose: bool = False) -> str:
    step = NextStep(step=Step.EXIT_CODE, action="Raise the memory limit.", command=COMMAND)
    sample = diagnosis(
        evidence=(
            Evidence(kind=Kind.NOTE, text="exit code 137"),
            Evidence(kind=Kind.LOG, text="java.lang.OutOfMemoryError"),
        )
    )
    out = io.StringIO()
    console = Console(file=out, width=80, color_system=None)
    print_reports(console, [sample.model_copy(update={"next_step": step})], verbose=verbose)
    return out.getvalue()


def test_the_report_leads_with_the_decisive_line_then_the_next_step_as_a_command() -> None:
    text = report()
    lines = text.splitlines()
    assert lines[0].startswith("DEGRADED production/api-service")
    assert lines[1].startswith("Cause out-of-memory (exit-code): ")
    assert lines[2] == '  › log: "java.lang.OutOfMemoryError"'
    assert text.index("› log:") < text.index("Next step") < text.index(COMMAND)
    assert f"    {COMMAND}" in lines  # one line, wider than the terminal: it copies whole


def test_the_checklist_is_short_unless_verbose() -> None:
    short, everything = report(), report(verbose=True)
    assert "(--verbose: every step)" in short
    assert all(step.value in everything for step in STEPS)
    assert "(--verbose: every step)" not in everything
