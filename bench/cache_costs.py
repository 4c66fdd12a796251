"""What repeated questions cost AWS: first vs repeated diagnosis, and 20 people asking at once.

Every emulated AWS request is delayed by a fixed latency, as a real region would. The cache is
the Redis at REDIS_URL (two "replicas" share it), or this process's memory when unset.

    REDIS_URL=redis://127.0.0.1:6379/0 python -m bench.cache_costs [--latency 0.05]
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ThreadPoolExecutor

import boto3

from bot.cache import Store, make_store
from bot.demo.emulator import emulator_env
from bot.demo.scenarios import build_account
from bot.demo.traffic import EmulatorServer
from bot.model import Target
from bot.service import Diagnoser
from bot.settings import Settings


def ask_all(work: list[Diagnoser], target: Target, count: int, *, fresh: bool) -> None:
    """`count` people ask about `target` at once, spread over the replicas in `work`."""
    with ThreadPoolExecutor(max_workers=count) as pool:
        list(pool.map(lambda i: work[i % len(work)].diagnose(target, fresh=fresh), range(count)))


def main() -> None:
    parser = argparse.ArgumentParser(description="first vs repeated diagnosis cost")
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()

    server = EmulatorServer().start()
    redis_url = os.environ.get("REDIS_URL")
    os.environ.clear()
    os.environ.update(emulator_env(server.endpoint))
    build_account(boto3.Session())
    server.traffic.latency = args.latency

    def replica() -> Diagnoser:
        store: Store = make_store(redis_url)
        return Diagnoser(Settings(redis_url=redis_url), store)

    replicas = [replica(), replica()]
    alone = Diagnoser(Settings(), make_store(None))
    where = f"Redis at {redis_url}" if redis_url else "memory"
    print(f"cache: {where}; {args.latency * 1000:.0f} ms per request")
    print(f"{'case':<46} {'requests':>9} {'seconds':>9}")
    first = Target(cluster="production", service="payments-api")
    crowd = Target(cluster="production", service="checkout-web")
    cases = [
        ("first diagnosis", replicas[:1], first, 1, False),
        ("same diagnosis again, other replica", replicas[1:], first, 1, False),
        ("re-run (only immutable facts reused)", replicas[:1], first, 1, True),
        ("another service, nothing cached, alone", [alone], crowd, 1, False),
        ("the same service, 20 at once on 2 replicas", replicas, crowd, 20, False),
    ]
    for diagnoser in [*replicas, alone]:
        _ = diagnoser.clients(None).scope  # make the clients before timing anything
    for name, work, target, count, fresh in cases:
        server.traffic.reset()
        started = time.perf_counter()
        ask_all(work, target, count, fresh=fresh)
        elapsed = time.perf_counter() - started
        print(f"{name:<46} {server.traffic.total():>9} {elapsed:>9.2f}")
    for diagnoser in [*replicas, alone]:
        diagnoser.close()
    server.stop()


if __name__ == "__main__":
    main()
