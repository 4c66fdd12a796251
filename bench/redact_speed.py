"""How much `redact` costs on a log tail: ~10k realistic lines, compared with `str.lower()`.

Run: python -m bench.redact_speed. The lines are mostly clean, as a real tail is; some mention
URLs, keys or tokens without holding a secret (they pass the pre-check and run the rows their
words hint at), and a few hold one. Both passes run in this process, so the ratio is stable
across machines.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from bot.redact import redact

LINES = 10_000
ROUNDS = 15
SEED = 7

CLEAN = (
    '10.0.{a}.{b} - - [01/May/2024:12:{m:02d}:{s:02d} +0000] "GET /v1/orders/{n} HTTP/1.1" 200 {n}',
    '{{"level":"info","ts":"2024-05-01T12:{m:02d}:{s:02d}Z","msg":"order processed","id":{n}}}',
    "2024-05-01 12:{m:02d}:{s:02d},123 INFO  [main] c.e.api.OrderService - fetched {n} rows",
    "    at com.example.api.OrderController.list(OrderController.java:{n})",
    "task {hex32} stopped: Essential container in task exited",
    'Traceback (most recent call last): File "/app/worker.py", line {n}, in run',
    "connected to postgres://db.internal:5432/orders in {n}ms",
    "GET https://api.example.com/v1/health 200 {n}ms",
    "refreshing token cache, {n} entries",
    "cache_key=order:{n} hit=true",
    "pulled 123456789012.dkr.ecr.us-east-1.amazonaws.com/api@sha256:{hex64}",
    "arn:aws:ecs:us-east-1:123456789012:task/prod/{hex32} RUNNING",
)
DIRTY = (
    "boto3: using AKIAIOSFODNN7EXAMPLE for s3.amazonaws.com",
    "connecting to postgresql://app:Sup3rS3cret@db.internal:5432/orders",
    "DB_PASSWORD=correct-horse-battery-staple",
    "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.SflKxwRJSMeKKF2QT4fwpMeJf36",
    "posting with xoxb-0000000000-0000000000000-EXAMPLEexampleEXAMPLEex failed",
)
DIRTY_SHARE = 0.03


def make_lines(count: int, seed: int) -> list[str]:
    """A deterministic mix of clean lines with numbers and ids, and a few with secrets."""
    rng = random.Random(seed)
    lines = []
    for _ in range(count):
        if rng.random() < DIRTY_SHARE:
            lines.append(rng.choice(DIRTY))
            continue
        lines.append(
            rng.choice(CLEAN).format(
                a=rng.randrange(256),
                b=rng.randrange(256),
                m=rng.randrange(60),
                s=rng.randrange(60),
                n=rng.randrange(100_000),
                hex32=f"{rng.getrandbits(128):032x}",
                hex64=f"{rng.getrandbits(256):064x}",
            )
        )
    return lines


def one_pass(step: Callable[[str], object], lines: list[str]) -> float:
    start = time.perf_counter()
    for line in lines:
        step(line)
    return time.perf_counter() - start


def best_seconds(lines: list[str]) -> tuple[float, float]:
    """The fastest of ROUNDS passes each of redact and str.lower, taken in turns so that a busy
    machine slows both alike; the minimum is the run least disturbed by anything else."""
    redact_s = lower_s = float("inf")
    for _ in range(ROUNDS):
        redact_s = min(redact_s, one_pass(redact, lines))
        lower_s = min(lower_s, one_pass(str.lower, lines))
    return redact_s, lower_s


def main() -> None:
    lines = make_lines(LINES, SEED)
    changed = sum(redact(line) != line for line in lines)
    redact_s, lower_s = best_seconds(lines)
    per_line = {"redact": redact_s / len(lines), "str.lower": lower_s / len(lines)}
    print(f"{len(lines)} lines, {changed} with a secret; best of {ROUNDS} interleaved rounds")
    for name, seconds in per_line.items():
        print(f"{name:>9}: {1 / seconds:12,.0f} lines/s {seconds * 1e6:8.2f} µs/line")
    print(f"redact costs {redact_s / lower_s:.0f}x a str.lower() pass per line")


if __name__ == "__main__":
    main()
