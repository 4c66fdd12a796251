"""The longest chain of requests one diagnosis waits for, read from when each request was sent
and answered at the emulator: independent of how busy this machine is.

A request depends (at most) on those answered before it was sent; its depth is one more than
the deepest of those. With a latency well above the bot's own work between two requests, the
deepest request is the number of round trips the diagnosis cannot do without.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from bot.demo.traffic import EmulatorServer, operation_of

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Timeline:
    """WSGI middleware in front of the emulator (behind its latency): when each request came
    in and was answered, in seconds of `time.monotonic`."""

    def __init__(self, app: WsgiApp, latency: Callable[[], float]) -> None:
        self.app, self._latency = app, latency
        self._spans: list[tuple[float, float, str]] = []
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO", "").startswith("/moto-api"):
            return self.app(environ, start_response)
        # The latency was slept before this is called: the request was sent that long ago.
        sent = time.monotonic() - self._latency()
        body = environ["wsgi.input"].getvalue()  # Traffic has read it into a BytesIO
        answer = list(self.app(environ, start_response))
        with self._lock:
            self._spans.append((sent, time.monotonic(), operation_of(environ, body)))
        return answer

    def reset(self) -> None:
        with self._lock:
            self._spans.clear()

    def spans(self) -> list[tuple[float, float]]:
        """When each request since the last reset was sent and answered, in order sent."""
        with self._lock:
            return sorted((sent, answered) for sent, answered, _ in self._spans)

    def longest_chain(self) -> tuple[int, list[str]]:
        """The depth of the deepest requests since the last reset, and their operations."""
        with self._lock:
            spans = sorted(self._spans)
        depths: list[int] = []
        for sent, _, _ in spans:
            before = [
                d for (_, answered, _), d in zip(spans, depths, strict=False) if answered < sent
            ]
            depths.append(1 + max(before, default=0))
        deepest = max(depths, default=0)
        return deepest, sorted(
            {op for (_, _, op), d in zip(spans, depths, strict=True) if d == deepest}
        )


def timed_emulator() -> tuple[EmulatorServer, Timeline]:
    """An emulator (not started yet) with a Timeline in front of it, behind its latency."""
    server = EmulatorServer()
    timeline = Timeline(server.traffic.app, lambda: server.traffic.latency)
    server.traffic.app = timeline
    return server, timeline
