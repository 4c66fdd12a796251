"""Does a diagnosis cost more as the account grows? A service named without its cluster, in an
account of many clusters: the first time (every cluster searched) and again (the service →
cluster index), each against the same service named with its cluster, in the same run.

    python -m bench.growth [--clusters 200] [--latency 0.25] [--target healthy-service]
"""

from __future__ import annotations

import argparse
import functools
import os
from collections.abc import Callable

import boto3

from bench.chains import Timeline
from bot.cache import MemoryStore
from bot.demo.emulator import emulator_env
from bot.demo.scenarios import SCENARIOS, build_account
from bot.demo.traffic import EmulatorServer
from bot.errors import EcsWhyError
from bot.parse.target import parse_target
from bot.service import Diagnoser
from bot.settings import Settings


def measured(server: EmulatorServer, timeline: Timeline, run: Callable[[], object]) -> str:
    """Requests and longest chain of `run`, as the emulator saw them (and its error, if any)."""
    server.traffic.reset()
    timeline.reset()
    try:
        run()
        failed = ""
    except EcsWhyError as error:
        failed = f"; failed: {error}"
    chain, _ = timeline.longest_chain()
    return f"{server.traffic.total():>5} requests, longest chain {chain}{failed}"


def three(server: EmulatorServer, timeline: Timeline, settings: Settings, target: str) -> None:
    """The service with its cluster, then by its bare name twice (the index the second time)."""
    cluster = next(s.cluster for s in SCENARIOS if s.service == target)
    named, bare = parse_target(f"{cluster}/{target}"), parse_target(target)
    named_once, by_name = (Diagnoser(settings, MemoryStore()) for _ in range(2))
    try:
        for label, asked, diagnoser in [
            ("cluster named", named, named_once),
            ("bare name, first time", bare, by_name),
            ("bare name, again (index)", bare, by_name),
        ]:
            run = functools.partial(diagnoser.diagnose, asked, fresh=True)
            print(f"    {label + ':':<26}{measured(server, timeline, run)}")
    finally:
        named_once.close()
        by_name.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clusters", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.25)
    parser.add_argument("--target", default="healthy-service")
    args = parser.parse_args()
    server = EmulatorServer()
    timeline = Timeline(server.traffic.app, lambda: server.traffic.latency)
    server.traffic.app = timeline
    server.start()
    os.environ.update(emulator_env(server.endpoint))
    build_account(boto3.Session())
    ecs = boto3.client("ecs")
    for n in range(args.clusters - len(ecs.list_clusters()["clusterArns"])):
        ecs.create_cluster(clusterName=f"team-{n:03d}")
    server.traffic.latency = args.latency
    print(f"{args.target} in an account of {args.clusters} clusters")
    try:
        print("  at the default request budget (half of ECS's rate, 3 s wait at most):")
        three(server, timeline, Settings(diagnosis_ttl=0), args.target)
        print("  at the top share and a 10 s wait (the most the settings allow):")
        whole = Settings(diagnosis_ttl=0, aws_budget_share=0.9, aws_budget_wait=10)
        three(server, timeline, whole, args.target)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
