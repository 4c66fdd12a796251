"""What reading an archive line defensively costs (bot/events.py), beside a bare `json.loads`.

Run: python -m bench.intake_cost. A real-shaped stop (the demo's "ECS Task State Change"), then
the worst lines a hostile archive can hold within the size cap: brackets and quotes all the way
(the depth count's worst case) and a line just over the cap. Both readers run in this process,
taken in turns, so the ratio is stable across machines.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime

from bot.demo.archive_events import lines, task_stopped
from bot.events import MAX_LINE, parse_event

ROUNDS = 7
NOW = datetime.now(UTC)


def best_micros(step: Callable[[str], object], line: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(repeat):
            step(line)
        best = min(best, (time.perf_counter() - start) / repeat)
    return best * 1e6


def main() -> None:
    (stop,) = lines([task_stopped(cluster="production", service="api", at=NOW)])
    real = best_micros(lambda line: parse_event(line, NOW), stop, 2_000)
    bare = best_micros(json.loads, stop, 2_000)
    print(
        f"a real stop ({len(stop)} B): {real:.1f} µs, json.loads {bare:.1f} µs ({real / bare:.1f}×)"
    )
    hostile = {
        "brackets in strings": '["' + '[{"\\\\"' * (MAX_LINE // 6 - 1) + '"]',
        "5,000 deep": '{"a":' * 5000 + "1" + "}" * 5000,
        "all brackets (cap)": "[" * MAX_LINE,
        "over the cap": "[" * (MAX_LINE + 1),
    }
    for name, line in hostile.items():
        cost = best_micros(lambda x: parse_event(x, NOW), line, 5) / 1000
        print(f"{name} ({len(line) // 1024} KiB): {cost:.2f} ms")


if __name__ == "__main__":
    main()
