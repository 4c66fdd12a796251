"""Does a diagnosis cost more as the account grows? A service named without its cluster, in an
account of many clusters: the first time (every cluster searched) and again (the service →
cluster index), each against the same service named with its cluster; and a crashing task of
many containers against the same task with one. All in the same run.

    python -m bench.growth [--clusters 200] [--containers 20] [--latency 0.25]
                           [--target healthy-service]
"""

from __future__ import annotations

import argparse
import functools
import os
import time
from collections.abc import Callable
from datetime import timedelta

import boto3

from bench.chains import Timeline, timed_emulator
from bot.cache import MemoryStore
from bot.demo.emulator import emulator_env
from bot.demo.images import push_image
from bot.demo.infrastructure import Clients
from bot.demo.scenarios import ESSENTIAL_EXITED, SCENARIOS, SPECS, build_account
from bot.demo.specs import Scenario, ServiceSpec, Stop, awslogs, container, fargate_task, repeat
from bot.demo.traffic import EmulatorServer
from bot.errors import EcsWhyError
from bot.model import Cause, Step
from bot.parse.target import parse_target
from bot.service import Diagnoser
from bot.settings import Settings

CRASH = ("worker 1.0.0 starting", "Error: connect ECONNREFUSED 10.0.3.17:5432")


def crashing(service: str, containers: int) -> ServiceSpec:
    """A Fargate service of `containers` essential containers (one log group, one image
    repository each) whose tasks exit 1 seconds after they start, three times."""
    definitions = [
        container(
            f"{service}-{n:02d}",
            f"{{registry}}/{service}-{n:02d}:1.0.0",
            port=None,
            memory=64,
            log_options=awslogs(service),
        )
        for n in range(containers)
    ]
    task = fargate_task(definitions[0], memory="2048") | {
        "family": service,
        "containerDefinitions": definitions,
    }
    return ServiceSpec(
        Scenario(service, "production", Cause.APP_CRASH, Step.EXIT_CODE, "ECONNREFUSED", ""),
        task,
        stops=repeat(Stop(ESSENTIAL_EXITED, exit_code=1, ran=timedelta(seconds=4), logs=CRASH), 3),
    )


def measured(server: EmulatorServer, timeline: Timeline, run: Callable[[], object]) -> str:
    """Requests, longest chain (as the emulator saw them) and time of `run` (and its error)."""
    server.traffic.reset()
    timeline.reset()
    started = time.perf_counter()
    try:
        run()
        failed = ""
    except EcsWhyError as error:
        failed = f"; failed: {error}"
    took = time.perf_counter() - started
    chain, _ = timeline.longest_chain()
    return f"{server.traffic.total():>5} requests, longest chain {chain}, {took:.2f} s{failed}"


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


def wide(server: EmulatorServer, timeline: Timeline, containers: int) -> None:
    """The crashing task of `containers` containers against the same task of one (after a
    first diagnosis that builds the clients)."""
    diagnoser = Diagnoser(Settings(diagnosis_ttl=0), MemoryStore())
    try:
        diagnoser.diagnose(parse_target("production/crash-one"), fresh=True)
        for label, service in [
            ("one container:", "crash-one"),
            (f"{containers} containers:", "crash-wide"),
        ]:
            run = functools.partial(
                diagnoser.diagnose, parse_target(f"production/{service}"), fresh=True
            )
            print(f"    {label:<26}{measured(server, timeline, run)}")
    finally:
        diagnoser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clusters", type=int, default=200)
    parser.add_argument("--containers", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.25)
    parser.add_argument("--target", default="healthy-service")
    args = parser.parse_args()
    server, timeline = timed_emulator()
    server.start()
    os.environ.update(emulator_env(server.endpoint))
    session = boto3.Session()
    wide_spec = crashing("crash-wide", args.containers)
    build_account(session, specs=(*SPECS, crashing("crash-one", 1), wide_spec))
    # The builder pushes a task's first image: the wide task's others, as the task names them.
    described = boto3.client("ecs").describe_task_definition(taskDefinition="crash-wide")
    clients = Clients.connect(session, None)
    for definition in described["taskDefinition"]["containerDefinitions"][1:]:
        push_image(clients, definition["image"].split("/")[0], definition["image"])
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
        print(
            f"  a crashing task of {args.containers} containers, 3 stops, named with its cluster:"
        )
        wide(server, timeline, args.containers)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
