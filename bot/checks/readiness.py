"""What the app's own log lines say about its start: when it was ready, on which port, and
what it answered to health checks. Health checks are judged in time against these.

These lines are not failures (the log table, `classify_log`, reads those): they are the
greetings servers print once they accept connections, and access-log lines of health checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.model import Facts, LogStream, Task

# A server saying it accepts connections, as common servers word it (Node and Express,
# Next.js, Spring Boot's Tomcat, Uvicorn/Gunicorn, Go's net/http wrappers, nginx-like).
_READY = re.compile(
    r"listening (on|at)\b|started server on|Tomcat started on port|Netty started on port"
    r"|Uvicorn running on|Listening at: |ready to accept connections|Started \S+ in [\d.]+ sec"
    r"|server (is )?(started|running|ready)\b|\bready\b.*\bport\b",
    re.IGNORECASE,
)
_PORT = re.compile(r"(?:port\(?s?\)?:?\s*|:)(\d{2,5})\b", re.IGNORECASE)
# An access-log line of a failed health check: the request, then its status code.
_HEALTH_RESPONSE = re.compile(
    r"\b(?:GET|HEAD) (\S*(?:health|status|ping|ready|live)\S*)[^\n]*?\s([45]\d\d)\b"
    r"|\b(?:GET|HEAD) (\S+)[^\n]*?\s([45]\d\d)\b[^\n]*ELB-HealthChecker",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Ready:
    """The app's first line saying it accepts connections, and when it said it."""

    line: str
    seconds: float | None  # after the container started; None when the time is not known
    port: int | None


def _streams(facts: Facts, task: Task, container: str) -> list[LogStream]:
    return [s for s in facts.log_streams if s.task_id == task.task_id and s.container == container]


def ready(facts: Facts, task: Task, container: str) -> Ready | None:
    """When (seconds after the task started) and on which port the app said it was ready."""
    for stream in _streams(facts, task, container):
        for index, line in enumerate(stream.lines):
            if not _READY.search(line):
                continue
            seconds = None
            if task.started_at and len(stream.times) == len(stream.lines):
                seconds = max(0.0, (stream.times[index] - task.started_at).total_seconds())
            port = _PORT.search(line.split("listening", 1)[-1])
            return Ready(line.strip(), seconds, int(port.group(1)) if port else None)
    return None


def health_responses(facts: Facts, task: Task, container: str) -> list[str]:
    """Access-log lines of health checks the app failed (a 503, a 404), newest last."""
    lines = [line for s in _streams(facts, task, container) for line in s.lines]
    return [line.strip() for line in lines if _HEALTH_RESPONSE.search(line)]


def command_port(command: tuple[str, ...]) -> int | None:
    """The port a health-check command calls (`curl -f http://localhost:8080/health`)."""
    found = re.search(r"(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\]):(\d{2,5})\b", " ".join(command))
    return int(found.group(1)) if found else None
