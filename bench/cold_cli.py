"""How long does a cold `ecs-why diagnose` take, start to exit, against the emulator at 0 ms?

The CLI runs as a subprocess (a new interpreter each time, as a user runs it) against moto's
server in this process; beside it, the floor: a new interpreter that imports boto3 and makes
one DescribeServices call. Five runs or more, the median of each. The project's modules are
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
from bot.demo.emulator import emulated_aws, emulator_env
from bot.demo.scenarios import build_account

FLOOR = """
import sys, boto3
cluster, service = sys.argv[1].split("/")
boto3.client("ecs").describe_services(cluster=cluster, services=[service])
"""


def timed(command: Sequence[str], env: dict[str, str]) -> float:
    """Seconds from start to exit of `command`, which must succeed."""
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def cold_times(target: str, runs: int, env: dict[str, str]) -> tuple[list[float], list[float]]:
    """The CLI's times and the floor's, run after run (alternating: a busy moment costs both)."""
    cli = [sys.executable, "-m", "bot", "diagnose", target, "--format", "json", "--no-cache"]
    floor = [sys.executable, "-c", FLOOR, target]
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        times[0].append(timed(cli, env))
        times[1].append(timed(floor, env))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--target", default="production/healthy-service")
    args = parser.parse_args()
    compileall.compile_dir(Path(bot.__file__).parent, quiet=1)
    with emulated_aws() as endpoint, tempfile.TemporaryDirectory() as home:
        env = emulator_env(endpoint) | {"XDG_CACHE_HOME": home, "HOME": home}
        env.pop("REDIS_URL", None)
        session = boto3.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 - the emulator's fake credentials
            region_name="us-east-1",
        )
        build_account(session, endpoint_url=endpoint)
        cli, floor = cold_times(args.target, args.runs, env)
    print(f"cold `ecs-why diagnose {args.target}` at 0 ms, median of {args.runs} runs")
    print(f"  ecs-why: {statistics.median(cli):.2f} s  (runs: {_list(cli)})")
    print(f"  floor (python + boto3 + one call): {statistics.median(floor):.2f} s")
    print(f"  ratio: {statistics.median(cli) / statistics.median(floor):.1f}x the floor")


def _list(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


if __name__ == "__main__":
    main()
