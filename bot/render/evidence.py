"""Evidence in words: the one place where the checks' typed evidence becomes prose.

`said` words one item (the JSON document's `evidence` strings, the Details view); a card
shows a finding's items shaped: the decisive line (the app's
own error, else AWS's message, else the configuration that proves it) leads, a service event
that repeats is quoted once with how often and since when, AWS's boilerplate sentence goes,
a reason ECS cut short says so with "…", and the counts ("4 of 4 recent stopped tasks") are
said once, beside the cause rather than among the quotes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.model import Evidence, Kind

# What AWS appends to many service events; it says nothing about this service.
_BOILERPLATE = re.compile(r"\s*For more information, see the Troubleshooting section\b.*$")
# AWS cuts stopped reasons at 255 characters without saying so.
# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html (stoppedReason)
REASON_CUT = 255
_QUOTED_KINDS = frozenset({Kind.MESSAGE, Kind.EVENT, Kind.LOG, Kind.APP})
_ERROR = re.compile(
    r"error|exception|fatal|panic|traceback|denied|refused|not found|no such|cannot|"
    r"segmentation|sigterm|killed|unable|invalid|missing",
    re.IGNORECASE,
)


def clock(at: datetime) -> str:
    """A time of day in UTC, as the terminal and the JSON document say it."""
    return f"{at:%H:%M}"


def share(tasks: int, stopped: int) -> str:
    """How many of the recent stopped tasks show something, in words."""
    if tasks == stopped == 1:
        return "The stopped task shows this"
    return f"{tasks} of {stopped} recent stopped tasks show this"


def _label(item: Evidence) -> str:
    """The words before a quoted text: where it came from."""
    if item.kind is Kind.EVENT:
        return "service event" + (f" at {item.when:%H:%M}" if item.when else "")
    if item.kind is Kind.LOG:
        return f"{item.source} log" if item.source else "log"
    return item.source


def said(item: Evidence) -> str:
    """One piece of evidence as one line of words, as the JSON document and Details show it."""
    match item.kind:
        case Kind.TASKS:
            return share(item.count, item.total)
        case Kind.EVENTS:
            return (
                f"{item.count} current service events say so"
                if item.count > 1
                else "A current service event says so"
            )
        case Kind.EXIT:
            return f"{item.source} exited with code {item.text}"
        case Kind.UNCONFIRMED:
            return f"could not confirm: {item.text}"
        case Kind.UNREAD:
            return item.text
        case kind if kind in _QUOTED_KINDS:
            label = _label(item)
            return f'{label}: "{item.text}"' if label else f'"{item.text}"'
    return f"{item.source}: {item.text}" if item.source else item.text


def evidence_lines(evidence: Iterable[Evidence]) -> tuple[str, ...]:
    """Every piece of evidence in words, in order."""
    return tuple(said(item) for item in evidence)


@dataclass(frozen=True)
class Line:
    """One line of evidence: a label in words and, for a message, the raw text it quotes."""

    label: str
    quoted: str | None = None

    @property
    def text(self) -> str:
        return f'{self.label}: "{self.quoted}"' if self.quoted is not None else self.label


@dataclass(frozen=True)
class Shaped:
    decisive: Line | None
    rest: tuple[Line, ...]
    tasks: str | None  # "4 of 4 recent stopped tasks", when the cause is counted in tasks
    events: int  # how many current service events show it


def shape(evidence: Sequence[Evidence], when: Callable[[datetime], str] = clock) -> Shaped:
    """The evidence of a finding, decisive line first, repeats folded, counts taken out; a
    time said by `when` (a Slack date token on a card)."""
    tasks: str | None = None
    events = 0
    shown: list[tuple[Line, Evidence]] = []
    repeats: dict[str, list[datetime]] = {}  # event message → the times it was seen
    for item in evidence:
        if item.kind is Kind.TASKS:
            one = item.count == item.total == 1
            tasks = (
                "the stopped task" if one else f"{item.count} of {item.total} recent stopped tasks"
            )
        elif item.kind is Kind.EVENTS:
            events = item.count
        elif item.kind is Kind.EVENT:
            message = _BOILERPLATE.sub("", item.text)
            if message not in repeats:
                shown.append((Line("service event", message), item))
                repeats[message] = []
            if item.when:
                repeats[message].append(item.when)
        else:
            shown.append((_line(item), item))
    unique: dict[Line, Evidence] = {}
    for line, item in shown:
        unique.setdefault(line, item)  # each line once, with the item it first came from
    kept = [(_with_repeats(line, repeats, events, when), item) for line, item in unique.items()]
    decisive = _decisive(kept)
    rest = tuple(line for line, _ in kept if line is not decisive)
    return Shaped(decisive, rest, tasks, events)


def _line(item: Evidence) -> Line:
    if item.kind not in _QUOTED_KINDS or not _label(item):
        return Line(said(item))
    text = _BOILERPLATE.sub("", item.text)
    if item.kind is Kind.MESSAGE and len(text) >= REASON_CUT - 2 and not text.endswith("…"):
        text += "…"
    return Line(_label(item), text)


def _with_repeats(
    line: Line, repeats: dict[str, list[datetime]], events: int, when: Callable[[datetime], str]
) -> Line:
    if line.label != "service event" or line.quoted not in repeats:
        return line
    times = [when(at) for at in sorted(repeats[line.quoted])]
    count = max(len(times), events if len(repeats) == 1 else 0)
    if count <= 1:
        label = f"service event at {times[0]}" if times else "service event"
    elif times and count == len(times):
        label = f"service event ×{count} since {times[0]}"
    else:
        label = f"service event ×{count}" + (f", last at {times[-1]}" if times else "")
    return Line(label, line.quoted)


def _decisive(kept: list[tuple[Line, Evidence]]) -> Line | None:
    """The app's own error line, else the first message or proof that is not a bare exit code."""
    logged = [
        line for line, item in kept if item.kind is Kind.LOG and _ERROR.search(line.quoted or "")
    ]
    if logged:
        return logged[0]
    telling = [line for line, item in kept if item.kind is not Kind.EXIT]
    return next(iter(telling or [line for line, _ in kept]), None)
