"""At organisation size: N accounts x R regions x S services built in the emulator (moto answers
per account), one channel watching every cluster of every account and region, a burst of stop
events written into each account's archive as EventBridge writes them, two real `ecs-why serve`
replicas on one real redis-server, the lease holder killed (SIGKILL) halfway through the burst.

Printed: intake lag (stop landed in its archive → first card counting it) p50/p99, the bot's AWS
requests per minute per account and region, Redis memory, and lost / doubled incident cards
(both must be 0). Creating services in moto is slow: the bench times a probe first and, when the
full count would take longer than `--build-budget` seconds, builds fewer services per region and
says so.

    python -m bench.org_scale [--small] [--queue] [--accounts 30 --regions 6 --services 500
                              --events 2000 --failing 2 --rounds 10 --build-budget 600]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

import boto3

from bot.demo.emulator import emulator_env
from bot.demo.traffic import EmulatorServer
from tests.conftest import RedisServer, redis_binary, reset_moto
from tests.org_burst import (
    Organisation,
    Place,
    Size,
    build,
    build_place,
    burst,
    median,
    member_session,
    outcome,
    percentile,
    redis_memory,
    replicas,
    requests_by_place,
    settled,
    watch_everything,
)

PROBE = 40  # services timed before building


def services_that_fit(size: Size, budget: float) -> tuple[int, float]:
    """Services per region the build budget allows, from a probe in a throwaway account; and
    the seconds one service took."""
    org = boto3.client("organizations")
    org.create_organization(FeatureSet="ALL")
    status = org.create_account(AccountName="probe", Email="probe@example.com")
    account = status["CreateAccountStatus"]["AccountId"]
    place = Place("probe", account, "us-east-1", member_session(account, set()))
    started = time.perf_counter()
    build_place(place, Size(1, 1, PROBE, 0, 0, 1))
    each = (time.perf_counter() - started) / PROBE
    places = size.accounts * size.regions
    # 8 builders in parallel on a 2-core machine gain about 2x over one (moto holds a lock).
    fits = int(budget * 2 / (each * places))
    return max(size.failing, min(size.services, fits)), each


def report(org: Organisation, size: Size, server: EmulatorServer, redis_url: str) -> None:
    print(f"organisation built in {org.seconds:.0f} s ({len(org.places)} account-regions)")
    with tempfile.TemporaryDirectory() as logs:
        watch_everything(redis_url, org.places)
        with replicas(server, redis_url, Path(logs), org.queue) as running:
            before = redis_memory(running.redis)
            server.traffic.reset()
            began = time.monotonic()
            done = burst(org, size, running)
            expected = done.stops()
            finished = settled(running.slack, expected, timeout=max(600, size.events))
            elapsed = time.monotonic() - began
            requests = requests_by_place(server, org.keys)
            result = outcome(running.slack, done)
            after = redis_memory(running.redis)
    minutes = elapsed / 60
    ours = Counter({(p.account, p.region): requests[(p.account, p.region)] for p in org.places})
    rates = sorted(n / minutes for n in ours.values())
    elsewhere = sum(requests.values()) - sum(ours.values())
    killed = "a replica" if size.queue else "the lease holder"
    print(
        f"burst: {size.events} stops over {len(expected)} failing services, written in "
        f"{done.seconds:.1f} s ({size.rounds} rounds), {killed} killed halfway; "
        f"all cards caught up: {finished}"
    )
    print(
        f"intake lag (stop landed → first card counting it), {len(result.lags)} stops: "
        f"p50 {median(result.lags):.1f} s, p99 {percentile(result.lags, 0.99):.1f} s "
        f"(p99 / p50 = {percentile(result.lags, 0.99) / max(median(result.lags), 1e-9):.1f})"
    )
    print(
        f"AWS requests per minute per member account and region over {elapsed:.0f} s: "
        f"median {median(rates):.0f}, max {rates[-1] if rates else 0:.0f}, min "
        f"{rates[0] if rates else 0:.0f} (max / median = "
        f"{(rates[-1] if rates else 0) / max(median(rates), 1e-9):.1f}); the bot's own account "
        f"(Organizations, STS{', SQS' if size.queue else ''}): {elsewhere / minutes:.0f} per minute"
    )
    print(
        f"Redis used_memory: {before / 2**20:.1f} MiB before the burst, {after / 2**20:.1f} MiB "
        f"after ({(after - before) / max(len(expected), 1) / 1024:.1f} KiB per incident)"
    )
    print(
        f"incident cards: {result.cards} for {len(expected)} incidents; "
        f"lost {len(result.lost)}, doubled {len(result.doubled)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="watches across an organisation, in a burst")
    parser.add_argument("--small", action="store_true", help="3 accounts × 2 regions × 20")
    parser.add_argument("--accounts", type=int, default=30)
    parser.add_argument("--regions", type=int, default=6)
    parser.add_argument("--services", type=int, default=500)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--failing", type=int, default=2, help="failing services per region")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--build-budget", type=float, default=600.0, help="seconds")
    parser.add_argument("--queue", action="store_true", help="events through the SQS queue")
    args = parser.parse_args()
    shape = (args.accounts, args.regions, args.services, args.events, args.failing, args.rounds)
    if args.small:
        shape = (3, 2, 20, 200, 2, 4)
    size = Size(*shape, queue=args.queue)

    server = EmulatorServer().start()
    os.environ.update(emulator_env(server.endpoint))
    redis_server = RedisServer(redis_binary(), Path(tempfile.mkdtemp()))
    redis_server.start()
    try:
        services, each = services_that_fit(size, args.build_budget)
        print(f"moto creates a service (with its task definition) in {each * 1000:.0f} ms")
        if services < size.services:
            print(
                f"{size.services} services per region would take ~"
                f"{each * size.services * size.accounts * size.regions / 2 / 60:.0f} min to "
                f"create: building {services} per region instead"
            )
        reset_moto(server.endpoint)  # the probe's account goes
        size = dataclasses.replace(size, services=services)
        intake = "the central SQS queue" if size.queue else "each account's archive (one lease)"
        print(
            f"size: {size.accounts} accounts × {size.regions} regions × {size.services} services;"
            f" intake from {intake}"
        )
        report(build(size), size, server, redis_server.url)
    finally:
        redis_server.stop()
        server.stop()


if __name__ == "__main__":
    main()
