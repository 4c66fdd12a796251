"""Reading the facts the way every check needs: what the recent tasks and events say, and how
many of them say it, so a service is judged on the pattern of its failures, not on one task.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.checks.base import GUESS, NAMED, UNCONFIRMED, VAGUE, Knowledge
from bot.checks.patterns import RULES, STEADY_STATE, STOP_CODES, classify, classify_log
from bot.checks.policy import decide
from bot.model import (
    Cause,
    ContainerDefinition,
    Evidence,
    Fact,
    Facts,
    Finding,
    Gap,
    Kind,
    Role,
    ServiceEvent,
    Severity,
    Step,
    Task,
    Where,
)
from bot.parse.arns import name_of
from bot.truncate import shorten

# Stops that are nobody's configuration mistake.
DELIBERATE = frozenset(
    {
        Cause.DEPLOYMENT_OR_SCALE_IN,
        Cause.STOPPED_BY_USER,
        Cause.SPOT_INTERRUPTION,
        Cause.INFRASTRUCTURE,
    }
)

# ECS repeats an unresolved service event only every six hours, so a failure event that old
# may still be the current one.
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages.html
EVENT_WINDOW = timedelta(hours=6)

_QUOTE_LIMIT = 400  # AWS cuts reasons at 255; service events and log lines run longer
_ERRORISH = re.compile(
    r"error|exception|fatal|panic|traceback|failed|refused|denied|cannot|could not|not found"
    r"|missing|invalid",
    re.IGNORECASE,
)


def quote(text: str, limit: int = _QUOTE_LIMIT) -> str:
    """Text as evidence: on one line, and short enough for a card."""
    return shorten(" ".join(text.split()), limit)


# --------------------------------------------------------------------------- what was not read
#
# A check must not conclude from the absence of facts it could not read: these say which
# refused (or timed-out) read hid the facts a conclusion needs.


def unread(facts: Facts, *of: Fact) -> Gap | None:
    """The gap that kept one of these facts from being read, if any."""
    return next((gap for gap in facts.gaps if gap.fact in of), None)


def tasks_unread(facts: Facts) -> Gap | None:
    """The gap that hid the service's tasks, and so their stop reasons and exit codes."""
    return unread(facts, Fact.TASKS)


def definition_unread(facts: Facts) -> Gap | None:
    """The gap that hid the task definition: containers, roles, logging, ports."""
    return unread(facts, Fact.TASK_DEFINITIONS) if facts.task_definition is None else None


def logs_unread(facts: Facts) -> Gap | None:
    """The gap that kept the focus task's last log lines, the app's own words, from being read."""
    task = facts.focus_task
    if task is None or any(stream.task_id == task.task_id for stream in facts.log_streams):
        return None
    if task.task_definition_arn not in facts.task_definitions:
        return unread(facts, Fact.TASK_DEFINITIONS)  # which containers log where is unknown
    return unread(facts, Fact.LOG_STREAMS)


def unconfirmed(finding: Finding, gap: Gap) -> Finding:
    """The finding as a lead only: `gap` hid the facts that could confirm or overturn it."""
    evidence = (
        *finding.evidence,
        Evidence(kind=Kind.UNCONFIRMED, text=gap.note, source=gap.action),
    )
    return finding.model_copy(update={"confidence": UNCONFIRMED, "evidence": evidence})


# --------------------------------------------------------------------------- messages


@dataclass(frozen=True)
class Sighting:
    """One task or service event that shows a cause, with the words that show it."""

    cause: Cause
    step: Step
    said: Evidence
    meaning: str
    task: Task | None = None
    container: str | None = None  # the container whose reason it is


def task_sighting(task: Task) -> Sighting | None:
    """What a stopped task's reasons say, by the most specific rule across all of them.

    None when only the exit code can tell (an essential container exited), or when the task
    says nothing at all.
    """
    matches = [
        (RULES.index(rule), rule, container, text)
        for container, text in _task_messages(task)
        if (rule := classify(text))
    ]
    if matches:
        _, rule, container, text = min(matches, key=lambda match: match[0])
        label = f"container {container}" if container else "stoppedReason"
        said = _message(label, text)
        return Sighting(rule.cause, rule.step, said, rule.meaning, task, container)
    said = _message(f"stopCode {task.stop_code}, stoppedReason", task.stopped_reason or "")
    if task.stop_code in STOP_CODES:
        cause = STOP_CODES[task.stop_code]
        return Sighting(cause, Step.STOPPED_REASON, said, f"stop code {task.stop_code}", task)
    if task.stopped_reason and not any(c.exit_code is not None for c in task.containers):
        return Sighting(Cause.UNKNOWN, Step.STOPPED_REASON, said, "an unrecognised reason", task)
    return None


def _message(source: str, text: str) -> Evidence:
    return Evidence(kind=Kind.MESSAGE, text=quote(text), source=source)


def _task_messages(task: Task) -> list[tuple[str | None, str]]:
    """Each reason the task gives: (None, its stoppedReason), (container, its reason)."""
    messages: list[tuple[str | None, str]] = (
        [(None, task.stopped_reason)] if task.stopped_reason else []
    )
    return messages + [(c.name, c.reason) for c in task.containers if c.reason]


def current_events(facts: Facts) -> list[ServiceEvent]:
    """Service events since the service was last steady, newest first."""
    recent: list[ServiceEvent] = []
    for event in facts.service.events if facts.service else ():
        if STEADY_STATE in event.message:
            break
        if event.created_at and facts.collected_at - event.created_at > EVENT_WINDOW:
            break
        recent.append(event)
    return recent


def sightings(facts: Facts) -> list[Sighting]:
    """Every recent stopped task and current service event that a rule recognises."""
    found = [s for task in facts.stopped_tasks if (s := task_sighting(task))]
    for event in current_events(facts):
        if rule := classify(event.message):
            said = Evidence(kind=Kind.EVENT, text=quote(event.message), when=event.created_at)
            found.append(Sighting(rule.cause, rule.step, said, rule.meaning))
    return found


LOOKS_FIXED = (
    "It looks fixed since: AWS named this cause when the tasks stopped, but today's "
    "configuration no longer shows it; diagnose again once a new task has started (or force a "
    "new deployment) to confirm"
)


def looks_fixed(finding: Finding, *proof: Evidence) -> Finding:
    """The cause AWS named, though the configuration read now contradicts it: the message is
    the first witness, and the fix may simply have landed since."""
    title = f"{finding.title} (when the tasks stopped; it looks fixed since)"
    evidence = (*finding.evidence, *proof, Evidence(kind=Kind.NOTE, text=LOOKS_FIXED))
    particulars = finding.particulars.model_copy(update={"fixed_since": True})
    return finding.model_copy(
        update={"title": title, "evidence": evidence, "particulars": particulars}
    )


def with_evidence(finding: Finding, *items: Evidence) -> Finding:
    """The finding with more evidence after its own."""
    return finding.model_copy(update={"evidence": (*finding.evidence, *items)})


def share(tasks: int, stopped: int) -> Evidence:
    """How many of the recent stopped tasks show something."""
    return Evidence(kind=Kind.TASKS, count=tasks, total=stopped)


def config(text: str, source: str = "") -> Evidence:
    """The configuration as read now, in words."""
    return Evidence(kind=Kind.CONFIG, text=text, source=source)


def contrary(text: str) -> Evidence:
    """What the configuration shows now against the cause: "yet `text`"."""
    return Evidence(kind=Kind.CONTRARY, text=f"yet {text}")


def note(text: str) -> Evidence:
    """What ecs-why reads in what it saw, in words."""
    return Evidence(kind=Kind.NOTE, text=text)


def log_line(line: str, container: str = "") -> Evidence:
    """A line the app logged, as evidence of the failure."""
    return Evidence(
        kind=Kind.LOG, text=quote(line), source=f"container {container}" if container else ""
    )


def app_said(line: str, what: str = "") -> Evidence:
    """A line the app logged about its start or a health check, and what it shows."""
    return Evidence(kind=Kind.APP, text=quote(line), source=what)


@dataclass(frozen=True)
class Tally:
    """Every sighting of one cause across the recent stopped tasks and service events."""

    cause: Cause
    step: Step
    sightings: tuple[Sighting, ...]
    stopped: int  # how many recent stopped tasks there are in all

    @property
    def tasks(self) -> int:
        return len({s.task.arn for s in self.sightings if s.task})

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        counts = [share(self.tasks, self.stopped)] if self.tasks else []
        if events := sum(1 for s in self.sightings if s.task is None):
            counts.append(Evidence(kind=Kind.EVENTS, count=events))
        quotes = list(dict.fromkeys(s.said for s in self.sightings))
        return tuple(counts + quotes[:3])

    def finding(
        self, knowledge: Knowledge, where: Where, words: Mapping[str, object] | None = None
    ) -> Finding:
        """What these messages say, as a finding of `knowledge` (as sure as the words are);
        about the container whose reason says it, when `where` names none (the title keeps
        the names it was given)."""
        confidence = (NAMED, VAGUE, GUESS)[knowledge.vagueness]
        finding = knowledge.finding(
            self.evidence,
            where,
            words,
            confidence=confidence,
            tasks=self.tasks,
            step=self.step,
            observed=True,
        )
        named = next((s.container for s in self.sightings if s.container), None)
        if where.container is not None or named is None:
            return finding
        return finding.model_copy(update={"where": where.model_copy(update={"container": named})})


def tallies(facts: Facts, causes: Collection[Cause]) -> list[Tally]:
    """The sightings of the given causes, one tally per cause (and step), most common first."""
    groups: dict[tuple[Cause, Step], list[Sighting]] = {}
    for sighting in sightings(facts):
        if sighting.cause in causes:
            groups.setdefault((sighting.cause, sighting.step), []).append(sighting)
    found = [
        Tally(c, s, tuple(group), len(facts.stopped_tasks)) for (c, s), group in groups.items()
    ]
    return sorted(found, key=lambda tally: -len(tally.sightings))


# --------------------------------------------------------------------------- the service


def service_short(facts: Facts) -> str | None:
    """Says so when the service runs fewer tasks than it wants."""
    service = facts.service
    if service is None or service.running >= service.desired:
        return None
    return f"the service runs {service.running} of {service.desired} desired tasks"


def in_trouble(facts: Facts) -> bool:
    """Whether anything actually fails, as opposed to a configuration that merely could."""
    if service_short(facts):
        return True
    if any(s.cause not in DELIBERATE for s in sightings(facts)):
        return True
    return any(failed_exit(facts, task) for task in facts.stopped_tasks)


def none_started(facts: Facts) -> bool:
    """Recent tasks stopped and none of them, nor any live task, ever started a container."""
    if not facts.stopped_tasks or any(t.last_status == "RUNNING" for t in facts.running_tasks):
        return False
    return all(
        task.started_at is None and all(c.exit_code is None for c in task.containers)
        for task in facts.stopped_tasks
    )


NO_CONTAINER_STARTED = "No container started: the tasks stopped before any could run"


def config_severity(facts: Facts) -> Severity:
    """A configuration fault is an error while tasks fail, and a warning while they run."""
    return "error" if in_trouble(facts) else "warning"


# --------------------------------------------------------------------------- containers


def essential(facts: Facts, task: Task) -> list[str]:
    """Names of the task's essential containers (all of them when the definition is unknown)."""
    definition = facts.task_definitions.get(task.task_definition_arn)
    if definition is None:
        return [c.name for c in task.containers]
    return [c.name for c in definition.containers if c.essential]


def failed_exit(facts: Facts, task: Task) -> bool:
    """An essential container stopped the task by exiting, and a service task should not."""
    if task_sighting(task) is not None:
        return False
    exits = [c.exit_code for c in task.containers if c.name in essential(facts, task)]
    in_service = (task.group or "").startswith("service:")
    return any(code is not None and (code != 0 or in_service) for code in exits)


def container_definitions(facts: Facts) -> tuple[ContainerDefinition, ...]:
    definition = facts.task_definition
    return definition.containers if definition else ()


def log_lines(facts: Facts, task: Task, container: str) -> tuple[str, ...]:
    """The tail of a container's awslogs stream, when it was read."""
    for stream in facts.log_streams:
        if stream.task_id == task.task_id and stream.container == container:
            return stream.lines
    return ()


@dataclass(frozen=True)
class LogHit:
    """A stopped task whose container logged a line the log table recognises."""

    task: Task
    container: str
    said: Evidence


def log_hits(facts: Facts, cause: Cause) -> list[LogHit]:
    """For each recent stopped task, the last log line that the log table reads as `cause`."""
    hits: dict[str, LogHit] = {}
    for task in facts.stopped_tasks:
        for container in task.containers:
            for line in log_lines(facts, task, container.name):
                if (rule := classify_log(line)) and rule.cause is cause:
                    said = log_line(line, container.name)
                    hits[task.arn] = LogHit(task, container.name, said)
    return list(hits.values())


def hit_evidence(facts: Facts, hits: list[LogHit]) -> tuple[Evidence, ...]:
    """How many recent stopped tasks logged it, and (some of) the lines they logged."""
    lines = list(dict.fromkeys(hit.said for hit in hits))
    return (share(len(hits), len(facts.stopped_tasks)), *lines[:3])


def last_meaningful(lines: Iterable[str], count: int = 3) -> tuple[str, ...]:
    """The last lines that look like an error, else simply the last lines."""
    kept = [line.strip() for line in lines if line.strip()]
    errors = [line for line in kept if _ERRORISH.search(line)]
    return tuple((errors or kept)[-count:])


# --------------------------------------------------------------------------- roles


def policies_readable(facts: Facts) -> bool:
    """Policy verdicts need the account (for ARNs) and every IAM read to have succeeded."""
    return facts.account is not None and unread(facts, Fact.ROLES) is None


def role_named(facts: Facts, arn: str | None) -> Role | None:
    return facts.roles.get(arn) if arn else None


def role_name(arn: str | None) -> str | None:
    return name_of(arn) if arn else None


def role_label(arn: str | None) -> str:
    return role_name(arn) or "<none>"


def denial(role: Role, action: str, *resources: str) -> Evidence | None:
    """Evidence that `role` may not call `action` on any of `resources`, or None if it may."""
    documents = [policy.document for policy in role.policies]
    if any(decide(documents, action, resource).allowed for resource in resources):
        return None
    for policy in role.policies:
        verdict = decide([policy.document], action, resources[0])
        if verdict.reason == "explicit-deny" and verdict.statement is not None:
            return config(_statement(verdict.statement), f"role {role.name}, policy {policy.name}")
    attached = ", ".join(p.name for p in role.policies) or "none"
    return config(
        f"no statement in its policies ({attached}) allows {action} on {resources[0]}",
        f"role {role.name}",
    )


def _statement(statement: Mapping[str, Any]) -> str:
    return quote(json.dumps(dict(statement), separators=(", ", ": ")))
