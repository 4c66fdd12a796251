"""Do diagnoses running at once wait for one another? Six at once against each alone.

The bot answers many people: six diagnoses of different services started together, each on a
thread of the bot's own pool, against the emulator with a latency per request, should each
take about as long as it takes alone (target: at most 1.3 times). The emulator runs in a
process of its own (`bench.emulator_process`), as AWS does: only the bot's own work competes
for its interpreter. Beside it, the CPU a warm diagnosis costs the bot (target: 30 ms).

    python -m bench.concurrent [--latency 0.25] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from bench.emulator_process import Emulator, emulator_process
from bot.cache import MemoryStore
from bot.demo.emulator import emulator_env
from bot.demo.scenarios import SCENARIOS
from bot.model import Target
from bot.service import Diagnoser
from bot.settings import Settings

TARGETS = [Target(cluster=s.cluster, service=s.service) for s in SCENARIOS[:6]]


def timed(diagnoser: Diagnoser, target: Target) -> float:
    started = time.perf_counter()
    diagnoser.diagnose(target, fresh=True)
    return time.perf_counter() - started


@dataclass(frozen=True)
class Run:
    alone: list[float]  # each service's seconds alone
    together: list[float]  # and among the six
    cpu: float  # CPU seconds of one alone
    busy: tuple[float, float, float]  # while the six ran: the bot's CPU, the emulator's, wall


def one_run(diagnoser: Diagnoser, emulator: Emulator) -> Run:
    for target in TARGETS:  # the clients and immutable facts, made once as in the bot
        timed(diagnoser, target)
    cpu = time.process_time()
    alone = [timed(diagnoser, target) for target in TARGETS]
    cpu = (time.process_time() - cpu) / len(TARGETS)
    start = (time.process_time(), emulator.cpu_seconds(), time.perf_counter())
    with ThreadPoolExecutor(len(TARGETS)) as bot:
        together = list(bot.map(partial(timed, diagnoser), TARGETS))
    end = (time.process_time(), emulator.cpu_seconds(), time.perf_counter())
    busy = (end[0] - start[0], end[1] - start[1], end[2] - start[2])
    return Run(alone, together, cpu, busy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--latency", type=float, default=0.25)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs: list[Run] = []
    with emulator_process(args.latency) as emulator:
        os.environ.update(emulator_env(emulator.endpoint))
        for _ in range(args.runs):
            diagnoser = Diagnoser(Settings(diagnosis_ttl=0), MemoryStore())
            try:
                runs.append(one_run(diagnoser, emulator))
            finally:
                diagnoser.close()
    ratios = [max(t / a for a, t in zip(r.alone, r.together, strict=True)) for r in runs]
    slowest = [(max(r.alone), max(r.together)) for r in runs]
    cpus = [r.cpu for r in runs]
    bot_cpu, emulator_cpu, wall = (statistics.median(r.busy[i] for r in runs) for i in range(3))
    alone_s = statistics.median(a for a, _ in slowest)
    together_s = statistics.median(t for _, t in slowest)
    print(f"at {args.latency * 1000:.0f} ms per request, median of {args.runs} runs:")
    print(f"  the slowest alone: {alone_s:.2f} s; the slowest of six at once: {together_s:.2f} s")
    print(f"  each among six against itself alone, the worst: {statistics.median(ratios):.2f}x")
    print(f"  (target <= 1.3x; runs: {', '.join(f'{r:.2f}' for r in ratios)})")
    print(
        f"  while the six ran ({wall:.2f} s): the bot's CPU {bot_cpu:.2f} s, the emulator's"
        f" {emulator_cpu:.2f} s, on {os.cpu_count()} cores"
    )
    print(f"  CPU per warm diagnosis: {statistics.median(cpus) * 1000:.0f} ms (target <= 30 ms)")


if __name__ == "__main__":
    main()
