"""Evidence as a reader wants it: the line that proves the cause first, each message once.

The checks keep every line they saw; a card shows them shaped: the decisive line (the app's
own error, else AWS's message, else the configuration that proves it) leads, a service event
that repeats is quoted once with how often and since when, AWS's boilerplate sentence goes,
a reason ECS cut short says so with "…", and the counts ("4 of 4 recent stopped tasks") are
said once, beside the cause rather than among the quotes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# What AWS appends to many service events; it says nothing about this service.
_BOILERPLATE = re.compile(r"\s*For more information, see the Troubleshooting section\b.*$")
# AWS cuts stopped reasons at 255 characters without saying so.
# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html (stoppedReason)
REASON_CUT = 255
_TASK_COUNT = re.compile(r"^(\d+) of (\d+) recent stopped tasks show this$")
_ONE_TASK = "The stopped task shows this"
_EVENT_COUNT = re.compile(r"^(\d+) current service events say so$")
_ONE_EVENT = "A current service event says so"
_EVENT = re.compile(r'^service event(?: at (\d\d:\d\d))?: "(.*)"$')
_QUOTED = re.compile(r'^(?P<label>[^"]*?): "(?P<text>.*)"$')
_REASON_LABELS = re.compile(r"^(stoppedReason|container \S+|stopCode \S+, stoppedReason)$")
_LOG = re.compile(r"(^|\s)log$")
_EXIT = re.compile(r"^container \S+ exited with code \d+$")
_ERROR = re.compile(
    r"error|exception|fatal|panic|traceback|denied|refused|not found|no such|cannot|"
    r"segmentation|sigterm|killed|unable|invalid|missing",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Line:
    """One line of evidence: a label in words and, for a message, the raw text it quotes."""

    label: str
    quoted: str | None = None

    @property
    def text(self) -> str:
        return f'{self.label}: "{self.quoted}"' if self.quoted is not None else self.label


@dataclass(frozen=True)
class Evidence:
    decisive: Line | None
    rest: tuple[Line, ...]
    tasks: str | None  # "4 of 4 recent stopped tasks", when the cause is counted in tasks
    events: int  # how many current service events show it


def shape(evidence: Sequence[str]) -> Evidence:
    """The evidence of a finding, decisive line first, repeats folded, counts taken out."""
    tasks: str | None = None
    events = 0
    lines: list[Line] = []
    repeats: dict[str, list[str]] = {}  # event message → the times it was seen
    for raw in evidence:
        if m := _TASK_COUNT.match(raw):
            tasks = f"{m.group(1)} of {m.group(2)} recent stopped tasks"
        elif raw == _ONE_TASK:
            tasks = "the stopped task"
        elif m := _EVENT_COUNT.match(raw):
            events = int(m.group(1))
        elif raw == _ONE_EVENT:
            events = 1
        elif m := _EVENT.match(raw):
            message = _BOILERPLATE.sub("", m.group(2))
            if message not in repeats:
                lines.append(Line("service event", message))
                repeats[message] = []
            if m.group(1):
                repeats[message].append(m.group(1))
        else:
            lines.append(_line(raw))
    lines = [_with_repeats(line, repeats, events) for line in dict.fromkeys(lines)]
    decisive = _decisive(lines)
    rest = tuple(line for line in lines if line is not decisive)
    return Evidence(decisive, rest, tasks, events)


def _line(raw: str) -> Line:
    m = _QUOTED.match(raw)
    if m is None:
        return Line(raw)
    label, text = m.group("label"), _BOILERPLATE.sub("", m.group("text"))
    if _REASON_LABELS.match(label) and len(text) >= REASON_CUT - 2 and not text.endswith("…"):
        text += "…"
    return Line(label, text)


def _with_repeats(line: Line, repeats: dict[str, list[str]], events: int) -> Line:
    if line.label != "service event" or line.quoted not in repeats:
        return line
    times = sorted(repeats[line.quoted])
    count = max(len(times), events if len(repeats) == 1 else 0)
    if count <= 1:
        label = f"service event at {times[0]}" if times else "service event"
    elif times and count == len(times):
        label = f"service event ×{count} since {times[0]}"
    else:
        label = f"service event ×{count}" + (f", last at {times[-1]}" if times else "")
    return Line(label, line.quoted)


def _decisive(lines: list[Line]) -> Line | None:
    """The app's own error line, else the first message or proof that is not a bare exit code."""
    logged = [
        line for line in lines if _LOG.search(line.label) and _ERROR.search(line.quoted or "")
    ]
    if logged:
        return logged[0]
    telling = [line for line in lines if not _EXIT.match(line.label)]
    return next(iter(telling or lines), None)
