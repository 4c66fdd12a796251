"""The Diagnosis as a Slack card, built with slack_sdk's Block Kit models.

This module owns Slack's limits: every string from AWS is escaped (no `<!channel>` from a log
line) and cut to fit, so the card validates for any input and stays readable on a phone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    LinkButtonElement,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.model import Diagnosis, StepStatus, Target

# Shared with handlers/actions.py: one name for each button.
ACTION_LOGS = "ecs_why_logs"
ACTION_RERUN = "ecs_why_rerun"
ACTION_DETAILS = "ecs_why_details"
ACTION_CONSOLE = "ecs_why_console"

SECTION_LIMIT = 3000
HEADER_LIMIT = 150
CONTEXT_LIMIT = 2000
# Slack rejects messages whose blocks add up to much more than this, though no doc says so.
CARD_BUDGET = 12_000
MAX_EVIDENCE = 5
EVIDENCE_LINE = 400

STATUS_ICON = {
    "failing": ":red_circle:",
    "healthy": ":large_green_circle:",
    "unknown": ":grey_question:",
}
STEP_ICON: dict[StepStatus, str] = {
    "failed": ":x:",
    "warning": ":warning:",
    "passed": ":white_check_mark:",
    "skipped": ":heavy_minus_sign:",
    "unknown": ":grey_question:",
}


def escape(text: str) -> str:
    """Slack mrkdwn control characters, so AWS data can never mention, link or format."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def code(text: str, limit: int = EVIDENCE_LINE) -> str:
    """Inline code that a backtick in the data cannot close early."""
    return "`" + escape(cut(text.replace("`", "'").replace("\n", " "), limit)) + "`"


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def target_value(target: Target) -> str:
    """What a button carries back to us: the resolved target, small and parseable."""
    return json.dumps(target.model_dump(exclude_none=True), separators=(",", ":"))


def console_url(diagnosis: Diagnosis) -> str:
    region, target = diagnosis.region, diagnosis.target
    base = f"https://{region}.console.aws.amazon.com/ecs/v2/clusters/{target.cluster}"
    if target.service:
        return f"{base}/services/{target.service}/health?region={region}"
    return f"{base}/tasks/{target.task_id}/configuration?region={region}"


def _headline(diagnosis: Diagnosis) -> str:
    return f"{diagnosis.target.label} is {diagnosis.status}"


def fallback_text(diagnosis: Diagnosis) -> str:
    """The notification and screen-reader text: the whole answer in one line."""
    head = _headline(diagnosis)
    if diagnosis.cause is None:
        return head
    return cut(f"{head}: {diagnosis.cause.code} — {diagnosis.cause.title}", 300)


def render_card(diagnosis: Diagnosis) -> list[dict[str, Any]]:
    """The card as Block Kit JSON, validated by the models."""
    blocks: list[Block] = [
        HeaderBlock(
            text=PlainTextObject(
                text=cut(
                    f"{STATUS_ICON[diagnosis.status]} {fallback_text(diagnosis)}", HEADER_LIMIT
                ),
                emoji=True,
            )
        ),
        _section(_cause_text(diagnosis)),
        _section(_checklist_text(diagnosis)),
    ]
    if diagnosis.next_step is not None:
        blocks.append(_section(f"*Next step:* {escape(diagnosis.next_step.action)}"))
    blocks.append(_buttons(diagnosis))
    blocks.append(DividerBlock())
    blocks.append(
        ContextBlock(
            elements=[MarkdownTextObject(text=cut(_context_text(diagnosis), CONTEXT_LIMIT))]
        )
    )
    card = [block.to_dict() for block in blocks]
    return _fit(card)


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=cut(text, SECTION_LIMIT)))


def _cause_text(diagnosis: Diagnosis) -> str:
    cause = diagnosis.cause
    if cause is None:
        return escape(diagnosis.summary or "No stopped tasks and nothing failing.")
    lines = [f"*{escape(cause.title)}*", f"`{cause.code}` · step _{cause.step}_"]
    if cause.tasks and diagnosis.stopped_tasks:
        same = "all of them" if cause.tasks == diagnosis.stopped_tasks else f"{cause.tasks} of them"
        lines.append(f"{diagnosis.stopped_tasks} tasks stopped recently; {same} for this reason.")
    lines.extend(f"> {code(line)}" for line in cause.evidence[:MAX_EVIDENCE])
    if len(cause.evidence) > MAX_EVIDENCE:
        lines.append(f"_…and {len(cause.evidence) - MAX_EVIDENCE} more: see Details_")
    return "\n".join(lines)


def _checklist_text(diagnosis: Diagnosis) -> str:
    lines = ["*Checklist*"]
    for item in diagnosis.checklist:
        lines.append(f"{STEP_ICON[item.status]} *{item.step}* {escape(cut(item.note, 200))}")
    return "\n".join(lines)


def _buttons(diagnosis: Diagnosis) -> ActionsBlock:
    value = target_value(diagnosis.target)
    elements: list[ButtonElement] = []
    if diagnosis.task_arn:
        elements.append(ButtonElement(text="Fetch logs", action_id=ACTION_LOGS, value=value))
    elements.append(ButtonElement(text="Re-run", action_id=ACTION_RERUN, value=value))
    elements.append(ButtonElement(text="Details", action_id=ACTION_DETAILS, value=value))
    elements.append(
        LinkButtonElement(text="AWS console", url=console_url(diagnosis), action_id=ACTION_CONSOLE)
    )
    return ActionsBlock(block_id="ecs_why_actions", elements=elements)


def _context_text(diagnosis: Diagnosis) -> str:
    bits = [f"cluster *{escape(diagnosis.target.cluster or '?')}*", escape(diagnosis.region)]
    if diagnosis.task_arn:
        bits.append(f"task `{escape(diagnosis.task_arn.rsplit('/', 1)[-1])}`")
    stamp = int(diagnosis.diagnosed_at.timestamp())
    when = f"{diagnosis.diagnosed_at:%Y-%m-%d %H:%M} UTC"
    bits.append(f"checked <!date^{stamp}^{{date_short_pretty}} {{time}}|{when}>")
    return " · ".join(bits)


def _fit(card: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keeps the card within Slack's total size by shortening its longest sections."""
    while len(json.dumps(card)) > CARD_BUDGET:
        longest = max(
            (b for b in card if b["type"] == "section"), key=lambda b: len(b["text"]["text"])
        )
        longest["text"]["text"] = cut(longest["text"]["text"], len(longest["text"]["text"]) // 2)
    return card


def details_blocks(lines: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """A titled list of (heading, mrkdwn body) sections, for the Details view."""
    blocks = [_section(f"*{escape(heading)}*\n{body}").to_dict() for heading, body in lines]
    return _fit(blocks[:45])
