"""How many AWS round trips does one diagnosis wait for, one after another?

Every request to the emulator is delayed by a fixed latency L. A diagnosis whose calls all ran
one after another would take (requests x L) longer; one that starts each call as soon as its
inputs are known takes only (longest chain of dependent calls x L) longer. This prints
(time at L - time at 0) / L, the effective number of sequential round trips, beside the number
of requests, the longest chain as the emulator saw it (bench/chains.py: not timing) and any
request sent twice.

    python -m bench.round_trips [--latency 0.3] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time

import boto3

from bench.chains import timed_emulator
from bot.cache import MemoryStore
from bot.demo.emulator import emulator_env
from bot.demo.scenarios import SCENARIOS, build_account
from bot.parse.target import parse_target
from bot.service import Diagnoser
from bot.settings import Settings


def timed_diagnosis(target: str) -> float:
    diagnoser = Diagnoser(Settings(diagnosis_ttl=0), MemoryStore())
    # The diagnoser of the run before is garbage now: collected here, not by a full collection
    # in the middle of the timed run (~0.7 s: more than two round trips at 300 ms).
    gc.collect()
    try:
        started = time.perf_counter()
        diagnoser.diagnose(parse_target(target), fresh=True)
        return time.perf_counter() - started
    finally:
        diagnoser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("only", nargs="*", help="only these targets (cluster/service)")
    parser.add_argument("--deepest", action="store_true", help="name the deepest requests")
    args = parser.parse_args()

    server, timeline = timed_emulator()
    server.start()
    os.environ.clear()
    os.environ.update(emulator_env(server.endpoint))
    build_account(boto3.Session())
    # The emulator's account lives in this process, never in the bot's: the garbage collector
    # need not walk it during a timed diagnosis.
    gc.collect()
    gc.freeze()
    targets = [f"{s.cluster}/{s.service}" for s in SCENARIOS]
    targets = [t for t in targets if not args.only or t in args.only]
    print(f"latency per request L = {args.latency * 1000:.0f} ms, median of {args.repeat} runs")
    print(
        f"{'target':<42} {'requests':>8} {'t(0) s':>8} {'t(L) s':>8} {'round trips':>11} "
        f"{'chain':>5}"
    )
    rounds: list[float] = []
    chains: list[int] = []
    for target in targets:
        server.traffic.latency = 0.0
        server.traffic.reset()
        base = statistics.median(timed_diagnosis(target) for _ in range(args.repeat))
        requests = server.traffic.total() // args.repeat
        server.traffic.reset()
        timed_diagnosis(target)
        repeats = server.traffic.repeats()
        server.traffic.latency = args.latency
        timeline.reset()
        slow = timed_diagnosis(target)
        chain, deepest = timeline.longest_chain()
        if args.repeat > 1:
            slow = statistics.median(
                [slow, *(timed_diagnosis(target) for _ in range(args.repeat - 1))]
            )
        trips = (slow - base) / args.latency
        rounds.append(trips)
        chains.append(chain)
        twice = f"  sent twice: {', '.join(repeats)}" if repeats else ""
        twice += f"  deepest: {', '.join(deepest)}" if args.deepest else ""
        print(
            f"{target:<42} {requests:>8} {base:>8.2f} {slow:>8.2f} {trips:>11.1f} {chain:>5}{twice}"
        )
    print(f"round trips: median {statistics.median(rounds):.1f}, worst {max(rounds):.1f}")
    print(f"longest chain: median {statistics.median(chains):.0f}, worst {max(chains)}")
    server.stop()


if __name__ == "__main__":
    main()
