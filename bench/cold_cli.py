"""How long does a cold `ecs-why diagnose` take, start to exit, against the emulator at 0 ms?

The CLI runs as a subprocess (a new interpreter each time, as a user runs it) against moto's
server in this process; beside it, the floor: a new interpreter that imports boto3 and makes
one DescribeServices call. A first run of the CLI apart (it writes the pruned service models
the next runs read, `bot.aws.service_models`), five runs or more, the median of each, and where
the time goes: when the first request reached the emulator, when the last was answered, and
the emulator's own busy time (moto's work, which AWS does elsewhere). The project's modules are
compiled to bytecode first, as `pip install` leaves them (boto3's already are): a checkout run
with PYTHONDONTWRITEBYTECODE would compile ours from source at every start.

    python -m bench.cold_cli [--runs 5] [--target production/healthy-service]
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import boto3

import bot
from bench.chains import Timeline, timed_emulator
from bot.demo.backend_patch import prepare_emulator
from bot.demo.emulator import emulator_env
from bot.demo.scenarios import build_account

FLOOR = """
import sys, boto3
cluster, service = sys.argv[1].split("/")
boto3.client("ecs").describe_services(cluster=cluster, services=[service])
"""


Run = tuple[float, float, float, float]  # exit, first request, last answer, emulator busy


def timed(command: Sequence[str], env: dict[str, str], timeline: Timeline) -> Run:
    """Seconds from start to exit of `command`, which must succeed, and to its first request
    and last answer at the emulator; and the emulator's busy seconds."""
    timeline.reset()
    started = time.monotonic()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    ended = time.monotonic()
    spans = timeline.spans()
    busy, until = 0.0, 0.0
    for sent, answered in spans:  # the union of the requests' spans
        busy += max(0.0, answered - max(sent, until))
        until = max(until, answered)
    first, last = spans[0][0], max(answered for _, answered in spans)
    return ended - started, first - started, last - started, busy


def cold_times(
    target: str, runs: int, env: dict[str, str], timeline: Timeline
) -> tuple[Run, list[Run], list[Run]]:
    """The CLI's first run (nothing kept in its cache directory yet), then its runs and the
    floor's, one after the other (a busy moment costs both)."""
    cli = [sys.executable, "-m", "bot", "diagnose", target, "--format", "json", "--no-cache"]
    floor = [sys.executable, "-c", FLOOR, target]
    first = timed(cli, env, timeline)
    times: tuple[Run, list[Run], list[Run]] = (first, [], [])
    for _ in range(runs):
        times[1].append(timed(cli, env, timeline))
        times[2].append(timed(floor, env, timeline))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--target", default="production/healthy-service")
    args = parser.parse_args()
    compileall.compile_dir(Path(bot.__file__).parent, quiet=1)
    prepare_emulator()
    server, timeline = timed_emulator()
    server.start()
    try:
        with tempfile.TemporaryDirectory() as home:
            env = emulator_env(server.endpoint) | {"XDG_CACHE_HOME": home, "HOME": home}
            env.pop("REDIS_URL", None)
            session = boto3.Session(
                aws_access_key_id="testing",
                aws_secret_access_key="testing",  # noqa: S106 - the emulator's fake credentials
                region_name="us-east-1",
            )
            build_account(session, endpoint_url=server.endpoint)
            first, cli, floor = cold_times(args.target, args.runs, env, timeline)
    finally:
        server.stop()
    print(f"cold `ecs-why diagnose {args.target}` at 0 ms, median of {args.runs} runs")
    print(f"  ecs-why: {_median(cli, 0):.2f} s  (runs: {_list(cli)})")
    print(f"  its first run (nothing kept in its cache directory yet): {first[0]:.2f} s")
    print(f"  floor (python + boto3 + one call): {_median(floor, 0):.2f} s")
    print(f"  ratio: {_median(cli, 0) / _median(floor, 0):.1f}x the floor")
    for label, runs in (("ecs-why", cli), ("floor", floor)):
        print(
            f"  {label}: first request at {_median(runs, 1):.2f} s, last answer at"
            f" {_median(runs, 2):.2f} s, the emulator busy {_median(runs, 3):.2f} s of it"
        )


def _median(runs: list[Run], field: int) -> float:
    return statistics.median(run[field] for run in runs)


def _list(runs: list[Run]) -> str:
    return ", ".join(f"{run[0]:.2f}" for run in runs)


if __name__ == "__main__":
    main()
