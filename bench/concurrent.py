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
from functools import partial

from bench.emulator_process import emulator_process
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


def one_run(diagnoser: Diagnoser) -> tuple[list[float], list[float], float]:
    """Each service's seconds alone and among the six, and the CPU seconds of one alone."""
    for target in TARGETS:  # the clients and immutable facts, made once as in the bot
        timed(diagnoser, target)
    cpu = time.process_time()
    alone = [timed(diagnoser, target) for target in TARGETS]
    cpu = (time.process_time() - cpu) / len(TARGETS)
    with ThreadPoolExecutor(len(TARGETS)) as bot:
        together = list(bot.map(partial(timed, diagnoser), TARGETS))
    return alone, together, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--latency", type=float, default=0.25)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    ratios, slowest, cpus = [], [], []
    with emulator_process(args.latency) as endpoint:
        os.environ.update(emulator_env(endpoint))
        for _ in range(args.runs):
            diagnoser = Diagnoser(Settings(diagnosis_ttl=0), MemoryStore())
            try:
                alone, together, cpu = one_run(diagnoser)
            finally:
                diagnoser.close()
            ratios.append(max(t / a for a, t in zip(alone, together, strict=True)))
            slowest.append((max(alone), max(together)))
            cpus.append(cpu)
    alone_s = statistics.median(a for a, _ in slowest)
    together_s = statistics.median(t for _, t in slowest)
    print(f"at {args.latency * 1000:.0f} ms per request, median of {args.runs} runs:")
    print(f"  the slowest alone: {alone_s:.2f} s; the slowest of six at once: {together_s:.2f} s")
    print(f"  each among six against itself alone, the worst: {statistics.median(ratios):.2f}x")
    print(f"  (target <= 1.3x; runs: {', '.join(f'{r:.2f}' for r in ratios)})")
    print(f"  CPU per warm diagnosis: {statistics.median(cpus) * 1000:.0f} ms (target <= 30 ms)")


if __name__ == "__main__":
    main()
