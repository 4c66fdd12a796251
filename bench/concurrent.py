"""Do diagnoses running at once wait for one another? Six at once against one alone.

The bot answers many people: six diagnoses of different services started together, each on a
thread of the bot's own pool, against the emulator with a latency per request, should each
take about as long as one alone (target: at most 1.3 times).

    python -m bench.concurrent [--latency 0.25] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import boto3

from bot.cache import MemoryStore
from bot.demo.emulator import emulator_env
from bot.demo.scenarios import SCENARIOS, build_account
from bot.demo.traffic import EmulatorServer
from bot.model import Target
from bot.service import Diagnoser
from bot.settings import Settings

TARGETS = [Target(cluster=s.cluster, service=s.service) for s in SCENARIOS[:6]]


def timed(diagnoser: Diagnoser, target: Target) -> float:
    started = time.perf_counter()
    diagnoser.diagnose(target, fresh=True)
    return time.perf_counter() - started


def one_and_six(latency: float, runs: int) -> tuple[float, float]:
    """Median seconds of one diagnosis alone, and of the slowest of six started together."""
    alone, together = [], []
    for _ in range(runs):
        diagnoser = Diagnoser(Settings(diagnosis_ttl=0), MemoryStore())
        try:
            timed(diagnoser, TARGETS[0])  # the clients, made once as in the bot
            alone.append(timed(diagnoser, TARGETS[0]))
            with ThreadPoolExecutor(len(TARGETS)) as bot:
                together.append(max(bot.map(partial(timed, diagnoser), TARGETS)))
        finally:
            diagnoser.close()
    return statistics.median(alone), statistics.median(together)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--latency", type=float, default=0.25)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    server = EmulatorServer().start()
    os.environ.update(emulator_env(server.endpoint))
    build_account(boto3.Session())
    server.traffic.latency = args.latency
    alone, together = one_and_six(args.latency, args.runs)
    server.stop()
    print(f"at {args.latency * 1000:.0f} ms per request, median of {args.runs} runs:")
    print(f"  one diagnosis alone: {alone:.2f} s; six at once, the slowest: {together:.2f} s")
    print(f"  ratio: {together / alone:.2f}x (target <= 1.3x)")


if __name__ == "__main__":
    main()
