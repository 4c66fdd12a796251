"""The Diagnosis as Slack messages (the card, its details, its logs) built with Block Kit models.

This module owns Slack's limits and its safety: every string that comes from AWS is redacted
(no token reaches a channel) and escaped (no `<!channel>` from a log line can mention, link or
format), and everything is cut to fit, so the messages validate for any input and stay readable
on a phone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    LinkButtonElement,
    MarkdownTextObject,
    SectionBlock,
)

from bot import console
from bot.clean import clean_lines, clean_text
from bot.model import (
    EXPLAINED,
    ContainerDefinition,
    Diagnosis,
    Evidence,
    LogStream,
    StepStatus,
    Target,
    TaskDefinition,
)
from bot.parse.arns import name_of
from bot.render.chart import chart_block, insights_off_line
from bot.render.evidence import Line, evidence_lines, shape
from bot.render.glance import Stops, cause_title, headline, impact_bits, shown_note, state
from bot.render.history import (
    changes_lines,
    changes_summary,
    history_line,
    seen_before_line,
)
from bot.render.pages import NAV_BLOCKS, NAV_ROOM, nav, paginate
from bot.truncate import shorten

# Shared with handlers/actions.py: one name for each button.
ACTION_LOGS = "ecs_why_logs"
ACTION_RERUN = "ecs_why_rerun"
ACTION_DETAILS = "ecs_why_details"
ACTION_DETAILS_PAGE = "ecs_why_details_page"  # Details' Previous and Next: {"target", "page"}
ACTION_CONSOLE = "ecs_why_console"
ACTION_RESOURCE = "ecs_why_resource"  # a link to the resource at fault: only acknowledged
ACTIONS_BLOCK = "ecs_why_actions"
LOG_STREAM = "Log stream"  # the label of a cause's link to its log stream (bot/checks/fixes.py)
COMMAND_BLOCK = "ecs_why_command"
VERDICT_BLOCK = "ecs_why_verdict"  # the cause section's block_id: state:code:timestamp

# https://docs.slack.dev/reference/block-kit/blocks
SECTION_LIMIT = 3000
HEADER_LIMIT = 150
CONTEXT_LIMIT = 2000
MAX_BLOCKS = 50
# Slack rejects messages whose blocks add up to much more than this, though no doc says so.
CARD_BUDGET = 12_000
# Per-line caps, so one runaway string cannot push the rest of the card out.
TITLE_LINE = 300
EVIDENCE_LINE = 400
NOTE_LINE = 200
ACTION_LINE = 800
STEP_LINE = 80  # a step's note on the card: one line; Details has it whole
LOG_TAIL = 40  # lines per stream shown in a thread; the file upload has them all
CUT_NOTE = "_…cut to fit_"
LINE_WIDTH = 90  # characters of a line at Slack's desktop width (tests/card_lines.py counts so)
QUOTE_LINE = 160  # the decisive line on the card: two lines at most; Details has it whole
_DATE_TOKEN = re.compile(r"<!date\^\d+\^[^|<>]*\|[^<>]*>")

STATUS_ICON = {
    "failing": ":red_circle:",
    "recovering": ":large_yellow_circle:",
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


# --------------------------------------------------------------------------- text helpers


def escape(text: str) -> str:
    """Slack mrkdwn control characters, so data can never mention, link or format."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def safe(text: str, limit: int = SECTION_LIMIT) -> str:
    """A string from AWS made fit for a channel: secrets redacted, cut, then escaped, and
    without backticks (a look-alike, U+02CB, keeps it readable) so it cannot open or close a
    code span."""
    return escape(shorten(clean_text(text).replace("`", "ˋ"), limit))


def code(text: str, limit: int = EVIDENCE_LINE) -> str:
    """Inline code that a backtick or newline in the data cannot break out of."""
    return "`" + safe(text.replace("\n", " "), limit) + "`"


def target_value(target: Target) -> str:
    """What a button carries back to us: the resolved target, small and parseable."""
    return json.dumps(target.model_dump(exclude_none=True), separators=(",", ":"))


def fallback_text(diagnosis: Diagnosis) -> str:
    """The notification and screen-reader text: the whole answer in one line, escaped like
    the blocks (a name from AWS can neither mention nor link)."""
    head = escape(clean_text(headline(diagnosis)))
    if diagnosis.cause is None:
        return head
    return shorten(
        f"{head}: {diagnosis.cause.code} — {escape(clean_text(diagnosis.cause.title))}", 300
    )


# --------------------------------------------------------------------------- the card


@dataclass(frozen=True)
class Verdict:
    """What a card said, read back from it: so a second diagnosis can say what changed."""

    state: str
    code: str | None
    at: datetime


def render_card(
    diagnosis: Diagnosis,
    earlier: Verdict | None = None,
    stops: Stops | None = None,
    room: int = LINE_WIDTH,
) -> list[dict[str, Any]]:
    """The card as Block Kit JSON, validated by the models and within Slack's limits.

    The cause and its decisive line come first, then the impact, the next step (its command
    in a code block of its own), the steps that did not pass, and the buttons. A healthy card
    is its headline and one line of numbers (always the second block). Under an incident
    header, `stops` are the incident's own. Beside a chart the numbers keep to `room`
    characters, one line.
    """
    chart = chart_block(diagnosis) if diagnosis.status != "healthy" else None
    blocks: list[Block] = [
        SectionBlock(
            block_id=_verdict_id(diagnosis),
            text=_mrkdwn(_clip(_cause_text(diagnosis), SECTION_LIMIT)),
        ),
        _context(_impact_text(diagnosis, stops, room if chart is not None else None)),
    ]
    if diagnosis.status != "healthy" or diagnosis.stopped_tasks:
        blocks += _failing_blocks(diagnosis)
    if earlier is not None:
        blocks.append(_context(_what_changed(earlier, diagnosis)))
    blocks.append(_buttons(diagnosis))
    rendered = [block.to_dict() for block in blocks]
    if chart is not None:
        # Under the cause and its numbers, a raw dict (bot.render.chart) whose title says the
        # peak: it stands for the Container Insights line, which Details keeps whole.
        rendered[2:2] = [chart]
    return _fit(rendered)


def _failing_blocks(diagnosis: Diagnosis) -> list[Block]:
    """What changed and what happened before, the next step and its command, and one line of
    the steps: the rest of the evidence is in Details, so the card stays within 15 lines."""
    blocks: list[Block] = []
    if line := insights_off_line(diagnosis):
        blocks.append(_context(prose(line, ACTION_LINE)))
    if line := changes_summary(diagnosis):
        blocks.append(_context(safe(line, ACTION_LINE)))
    said = [history_line(diagnosis, slack_date), seen_before_line(diagnosis, slack_date)]
    if lines := [line for line in said if line]:
        blocks.append(_context(escape_around_dates(clean_text(" ".join(lines)))))
    if (step := diagnosis.next_step) is not None:
        blocks.append(_section(f"*Next step* {prose(step.action, ACTION_LINE)}"))
        if step.command:
            blocks.append(
                SectionBlock(block_id=COMMAND_BLOCK, text=_mrkdwn(command_block(step.command)))
            )
    blocks.append(_context(_checklist_text(diagnosis)))
    return blocks


def escape_around_dates(text: str) -> str:
    """`text` escaped but for the Slack date tokens in it (our own, built by `slack_date`)."""
    parts, tokens = _DATE_TOKEN.split(text), [*_DATE_TOKEN.findall(text), ""]
    return "".join(escape(part) + token for part, token in zip(parts, tokens, strict=True))


def busy_card(blocks: Sequence[dict[str, Any]], note: str) -> list[dict[str, Any]]:
    """The same card with its buttons swapped for `note`, while they are at work."""
    return [
        _context(note).to_dict() if block.get("block_id") == ACTIONS_BLOCK else dict(block)
        for block in blocks
    ]


def earlier_verdict(blocks: Sequence[dict[str, Any]]) -> Verdict | None:
    """The verdict a card of ours carries in its cause section's block_id, if it is one."""
    for block in blocks:
        parts = str(block.get("block_id", "")).split(":")
        if len(parts) == 4 and parts[0] == VERDICT_BLOCK and parts[3].isdigit():
            when = datetime.fromtimestamp(int(parts[3]), UTC)
            return Verdict(state=parts[1], code=parts[2] or None, at=when)
    return None


def _verdict_id(diagnosis: Diagnosis) -> str:
    code = diagnosis.cause.code.value if diagnosis.cause else ""
    return f"{VERDICT_BLOCK}:{state(diagnosis)}:{code}:{int(diagnosis.diagnosed_at.timestamp())}"


def _what_changed(earlier: Verdict, diagnosis: Diagnosis) -> str:
    now = state(diagnosis)
    code = diagnosis.cause.code.value if diagnosis.cause else None
    was = f"*{earlier.state}*" + (f" (`{earlier.code}`)" if earlier.code else "")
    if (earlier.state, earlier.code) == (now, code):
        return f":repeat: Diagnosed again: no change since {slack_date(earlier.at)}, still {was}."
    shown = f"*{now}*" + (f" (`{code}`)" if code else "")
    return f":repeat: Diagnosed again: was {was} at {slack_date(earlier.at)}, now {shown}."


def _mrkdwn(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text)


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=_mrkdwn(_clip(text, SECTION_LIMIT)))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=shorten(text, CONTEXT_LIMIT))])


def prose(text: str, limit: int = SECTION_LIMIT) -> str:
    """Our own sentence, whose `code spans` stay code: escaped and redacted, never altered
    otherwise (with an odd backtick from the data in it, it is shown as plain data)."""
    text = shorten(clean_text(text), limit)
    if text.count("`") % 2:
        return safe(text, limit)
    parts = text.split("`")
    return "".join(
        escape(part) if n % 2 == 0 else f"`{escape(part)}`" for n, part in enumerate(parts)
    )


def command_block(command: str) -> str:
    """A command in a code block of its own, copyable as written: only &, < and > are escaped
    (Slack shows them back as they were), nothing else is touched."""
    return f"```{escape(clean_text(command))}```"


def _cause_text(diagnosis: Diagnosis) -> str:
    icon = STATUS_ICON[state(diagnosis)]
    head = f"{icon} *{escape(headline(diagnosis))}*"
    cause, title = diagnosis.cause, cause_title(diagnosis)
    if cause is None or title is None:
        return head
    # The code beside the headline, so the title has its line to itself.
    head += f" · `{cause.code}`"
    if diagnosis.status == "healthy":
        return f"{head}\n{safe(title, TITLE_LINE)}"
    lines = [head, f"*{safe(title, TITLE_LINE)}*"]
    decisive = shape(cause.evidence, slack_time).decisive
    if decisive is not None and not _said_in(decisive, title):
        lines.append(f"> {_evidence_line(decisive, QUOTE_LINE)}")
    return "\n".join(lines)


def _said_in(line: Line, title: str) -> bool:
    """Whether the title already quotes the line: each message once on a card."""
    said = (line.quoted if line.quoted is not None else line.label).strip().rstrip("…")
    return bool(said) and said.lower() in title.lower()


def _evidence_line(line: Line, limit: int = EVIDENCE_LINE) -> str:
    """Words as words and the raw message as code."""
    if line.quoted is None:
        return _dated(line.label, limit)
    return f"{_dated(line.label, NOTE_LINE)}: {code(line.quoted, limit)}"


def _dated(text: str, limit: int) -> str:
    """`safe`, for a text of ours that holds date tokens."""
    return escape_around_dates(clean_text(shorten(text, limit)).replace("`", "ˋ"))


def _quoted(evidence: Sequence[Evidence]) -> list[str]:
    """Every line as it was read, for Details (the card shows only the decisive one)."""
    return [f"> {code(line)}" for line in evidence_lines(evidence)]


def _impact_text(diagnosis: Diagnosis, stops: Stops | None = None, room: int | None = None) -> str:
    """The numbers; with `room` (a card that also carries a chart), the first bits that fit it
    as a reader sees them (a date as its fallback), the revision going first."""
    bits = impact_bits(diagnosis, slack_date, stops)
    if room is not None:
        plain = impact_bits(diagnosis, date_fallback, stops)
        while len(bits) > 1 and len(" · ".join(plain)) > room:
            bits, plain = bits[:-1], plain[:-1]
    if diagnosis.status == "healthy" and not diagnosis.stopped_tasks:
        bits.append(f"checked {slack_date(diagnosis.diagnosed_at)}")
    return (
        " · ".join(escape(bit) if "<!date" not in bit else bit for bit in bits)
        or "no service counts"
    )


def _checklist_text(diagnosis: Diagnosis) -> str:
    """The steps that need a look besides the cause's own (one line each), then one line for
    all the rest; a step the cause explains is not said again."""
    cause = diagnosis.cause
    own = cause.step if cause is not None else None
    lines = [
        f"{STEP_ICON[item.status]} *{item.step}* "
        + safe(shown_note(diagnosis, item.note), STEP_LINE)
        for item in diagnosis.checklist
        if item.status in ("failed", "warning", "unknown")
        and item.step != own
        and not item.note.startswith(EXPLAINED)
    ]
    rest = [
        f"{STEP_ICON[status]} "
        + " · ".join(i.step.value for i in diagnosis.checklist if i.status == status)
        for status in ("passed", "skipped")
        if any(i.status == status for i in diagnosis.checklist)
    ]
    if rest:
        lines.append("  ".join(rest))
    return "\n".join(lines)


def _logged(diagnosis: Diagnosis) -> bool:
    """Whether the task the card is about left a log stream: only then is Fetch logs offered
    (a task stopped before any container ran has none, nor has a deleted log group)."""
    task = diagnosis.task_arn
    if task is None or not diagnosis.stopped_tasks:
        return False
    return any(stream.task_id == name_of(task) and stream.found for stream in diagnosis.log_streams)


def _buttons(diagnosis: Diagnosis) -> ActionsBlock:
    """Buttons that always lead somewhere, one of them primary on a failing card: the action the
    cause declares (its logs, else the resource at fault), else whichever of them is there,
    else the service in the console. Fetch logs only where the task left a log stream, and
    then no second way to the same logs."""
    value = target_value(diagnosis.target)
    step = diagnosis.next_step
    failing = diagnosis.status != "healthy"
    logs = _logged(diagnosis)
    link = step if step is not None and step.console_url and step.console_label else None
    if link is not None and (not failing or (logs and link.console_label == LOG_STREAM)):
        link = None
    declared = step.primary if step is not None else "resource"
    primary = (
        None
        if not failing
        else "logs"
        if logs and (declared == "logs" or link is None)
        else "resource"
        if link is not None
        else "console"
    )
    elements: list[ButtonElement] = []
    if logs:
        style = "primary" if primary == "logs" else None
        elements.append(
            ButtonElement(text="Fetch logs", action_id=ACTION_LOGS, value=value, style=style)
        )
    if link is not None and link.console_url and link.console_label:
        elements.append(
            LinkButtonElement(
                text=shorten(link.console_label, 75),
                url=link.console_url,
                action_id=ACTION_RESOURCE,
                style="primary" if primary == "resource" else None,
            )
        )
    elements.append(ButtonElement(text="Diagnose again", action_id=ACTION_RERUN, value=value))
    elements.append(ButtonElement(text="Details", action_id=ACTION_DETAILS, value=value))
    elements.append(
        LinkButtonElement(
            text="AWS console",
            url=console.ecs_target(diagnosis.region, diagnosis.target),
            action_id=ACTION_CONSOLE,
            style="primary" if primary == "console" else None,
        )
    )
    return ActionsBlock(block_id=ACTIONS_BLOCK, elements=elements)


def slack_date(when: datetime) -> str:
    # Shown in each reader's own time zone: https://docs.slack.dev/messaging/formatting-message-text#date-formatting
    return f"<!date^{int(when.timestamp())}^{{date_short_pretty}} {{time}}|{date_fallback(when)}>"


def date_fallback(when: datetime) -> str:
    """What `slack_date` shows a client that cannot render the token: its width on a card."""
    return f"{when:%Y-%m-%d %H:%M} UTC"


def slack_time(when: datetime) -> str:
    """A time of day in the reader's own zone."""
    return f"<!date^{int(when.timestamp())}^{{time}}|{when:%H:%M} UTC>"


def _fit(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keeps a message within Slack's block count and total size by shortening long sections."""
    blocks = blocks[:MAX_BLOCKS]
    while len(json.dumps(blocks)) > CARD_BUDGET:
        longest = max(
            (b for b in blocks if b["type"] == "section" and b.get("block_id") != COMMAND_BLOCK),
            key=lambda b: len(b["text"]["text"]),
        )
        longest["text"]["text"] = _clip(longest["text"]["text"], len(longest["text"]["text"]) // 2)
    return blocks


def _clip(text: str, limit: int) -> str:
    """A mrkdwn text within `limit`, cut cleanly: at a line break, never inside a span or entity."""
    if len(text) <= limit:
        return text
    head = text[: max(limit - len(CUT_NOTE) - 4, 1)]
    if (newline := head.rfind("\n")) > 0:
        head = head[:newline]
    else:
        if head.count("`") % 2:
            head = head[: head.rfind("`")]
        if (amp := head.rfind("&")) != -1 and ";" not in head[amp:]:
            head = head[:amp]
    fence = "```" if head.count("```") % 2 else ""
    return f"{head.rstrip()}…{fence}\n{CUT_NOTE}"


# --------------------------------------------------------------------------- details


def details_blocks(
    lines: Sequence[tuple[str, str]], page: int = 0, value: Callable[[int], str] = str
) -> list[dict[str, Any]]:
    """A titled list of (heading, mrkdwn body) sections, for the Details view: page `page` of
    it, with buttons to the others that carry `value(n)`."""
    sections = [_section(f"*{escape(heading)}*\n{body}").to_dict() for heading, body in lines]
    shown = paginate(sections, page, blocks=MAX_BLOCKS - NAV_BLOCKS, size=CARD_BUDGET - NAV_ROOM)
    return _fit(shown.blocks + nav(shown, ACTION_DETAILS_PAGE, value))


def render_details(diagnosis: Diagnosis, page: int = 0) -> list[dict[str, Any]]:
    """The evidence behind each checklist step, then the task-definition facts that matter:
    page `page` of them, when they do not fit in one message."""
    sections = [(f"Details: {diagnosis.target.label}", _details_intro(diagnosis))]
    for item in diagnosis.checklist:
        body = [safe(item.note, ACTION_LINE)]
        for finding in diagnosis.findings:
            if finding.step == item.step:
                title = safe(finding.title, TITLE_LINE)
                body.append(f"• *{title}* (`{finding.code}`, {finding.severity})")
                body += _quoted(finding.evidence)
        sections.append((f"{STEP_ICON[item.status]} {item.step}", "\n".join(body)))
    if (definition := diagnosis.task_definition) is not None:
        sections.append(
            (
                f"Task definition {definition.family}:{definition.revision}",
                _definition_text(definition),
            )
        )
        sections += [(f"Container {c.name}", _container_text(c)) for c in definition.containers]
    target = json.loads(target_value(diagnosis.target))
    return details_blocks(sections, page, lambda n: json.dumps({"target": target, "page": n}))


def _details_intro(diagnosis: Diagnosis) -> str:
    """The summary, where and when, what changed (all of it), and what could not be read."""
    lines = [safe(diagnosis.summary, ACTION_LINE)] if diagnosis.summary else []
    where = [f"cluster *{escape(diagnosis.target.cluster or '?')}*", escape(diagnosis.region)]
    if diagnosis.task_arn:
        where.append(f"task {code(diagnosis.task_arn)}")
    if diagnosis.stopped_at is not None:
        where.append(f"stopped {slack_date(diagnosis.stopped_at)}")
    where.append(f"checked {slack_date(diagnosis.diagnosed_at)}")
    lines.append(" · ".join(where))
    lines += [f"• {code(line)}" for line in changes_lines(diagnosis)]
    lines += [f":grey_question: {safe(gap.note, NOTE_LINE)}" for gap in diagnosis.gaps]
    return "\n".join(lines)


def _definition_text(definition: TaskDefinition) -> str:
    platform = "/".join(filter(None, (definition.os_family, definition.cpu_architecture)))
    launch = ", ".join(definition.requires_compatibilities) or "EC2 or external"
    return "\n".join(
        [
            f"• network mode {code(definition.network_mode or 'bridge (default)')}"
            f" · for {escape(launch)}",
            f"• task size: CPU {code(definition.cpu or 'not set')}, "
            f"memory {code(definition.memory or 'not set')}",
            f"• platform {code(platform or 'LINUX/X86_64 (default)')}",
            f"• execution role {_role(definition.execution_role_arn)}",
            f"• task role {_role(definition.task_role_arn)}",
        ]
    )


def _role(arn: str | None) -> str:
    return code(arn) if arn else "_none_"


def _container_text(container: ContainerDefinition) -> str:
    lines = [
        f"• image {code(container.image)}" + ("" if container.essential else " (not essential)"),
        f"• CPU {container.cpu or '–'} · memory {_mib(container.memory)}"
        + (
            f" (reserved {_mib(container.memory_reservation)})"
            if container.memory_reservation
            else ""
        ),
    ]
    if container.port_mappings:
        ports = [
            f"{p.container_port}/{p.protocol}"
            + (f" → host {p.host_port}" if p.host_port not in (None, p.container_port) else "")
            for p in container.port_mappings
        ]
        lines.append(f"• ports {escape(', '.join(ports))}")
    if (check := container.health_check) is not None:
        lines.append(
            f"• health check {code(' '.join(check.command))}: every {check.interval} s, "
            f"timeout {check.timeout} s, {check.retries} retries, "
            f"start period {check.start_period} s"
        )
    else:
        lines.append("• no container health check")
    if container.log_driver:
        group = container.log_options.get("awslogs-group")
        lines.append(
            f"• logs {code(container.log_driver)}" + (f" → {code(group)}" if group else "")
        )
    if command := (*container.entry_point, *container.command):
        lines.append(f"• runs {code(' '.join(command))}")
    if container.secrets:
        lines.append("• secrets " + ", ".join(_names(s.name for s in container.secrets)))
    if container.environment_names:
        names = ", ".join(_names(container.environment_names))
        lines.append(f"• environment {names} _(values never shown)_")
    return "\n".join(lines)


def _names(names: Iterable[str]) -> list[str]:
    return [code(name, 80) for name in names]


def _mib(value: int | None) -> str:
    return f"{value} MiB" if value else "–"


# --------------------------------------------------------------------------- logs


def render_logs(
    streams: Sequence[LogStream], *, tail: int = LOG_TAIL
) -> tuple[list[dict[str, Any]], bool]:
    """Each stream's last lines as a code block, a tail that other tasks repeat shown once
    ("same in 2 other tasks"), a stream that does not exist left out while another does;
    False when lines were left out (send the file)."""
    found = [stream for stream in streams if stream.found] or list(streams)
    if not found:
        note = "_No log stream is known for this task (is its log driver `awslogs`?)._"
        return [_section(note).to_dict()], True
    alike: dict[tuple[str, tuple[str, ...]], list[LogStream]] = {}
    for stream in found:
        alike.setdefault((stream.container, stream.lines[-tail:]), []).append(stream)
    sections = [_log_section(same[0], tail, len(same) - 1) for same in alike.values()]
    blocks = [_section(text).to_dict() for text, _ in sections]
    complete = all(whole for _, whole in sections) and len(json.dumps(blocks)) <= CARD_BUDGET
    return _fit(blocks), complete


def _log_section(stream: LogStream, tail: int, others: int = 0) -> tuple[str, bool]:
    head = f"*{escape(stream.container)}* · {code(stream.group, 200)} {code(stream.stream, 200)}"
    if others:
        head += f" · same in {others} other {'task' if others == 1 else 'tasks'}"
    if not stream.found:
        return f"{head}\n_This log stream does not exist._", True
    if not stream.lines:
        return f"{head}\n_No log lines._", True
    lines = [safe(line) for line in clean_lines(stream.lines)[-tail:]]
    room = SECTION_LIMIT - len(head) - 10
    while len(lines) > 1 and sum(len(line) + 1 for line in lines) > room:
        lines.pop(0)  # the newest lines matter most: drop from the top
    body = "\n".join(lines)
    whole = len(lines) == len(stream.lines) and len(body) <= room
    return f"{head}\n```{_clip(body, room)}```", whole


def logs_file(streams: Sequence[LogStream]) -> str:
    """Every fetched line, redacted, as plain text for a file (files are never mrkdwn)."""
    parts = []
    for stream in streams:
        parts.append(f"== {stream.container} · {stream.group} · {stream.stream} ==")
        parts += clean_lines(stream.lines)
    return "\n".join(parts) + "\n"
