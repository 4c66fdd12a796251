"""What following the event archive costs, and how soon a card follows an event.

1. Poll cost: AWS requests per poll of the follower with 1, 100 and 1,000 watches (spread over
   channels and 50 services of one account and region), for an archive receiving 200 events
   between two polls. One FilterLogEvents query (plus pages) per account and region serves
   every watch, so the count should not grow with the watches.
2. Latency: from an event landing in the archive to its card (post or update) reaching the
   fake Slack Web API, p50 and p99, with the real follower at its default poll interval,
   the real delivery (a diagnosis of the demo service, then chat.postMessage / chat.update).

    python -m bench.watch_cost [--samples 20]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import UTC, datetime

import boto3

from bot.aws.watch_reads import Reader
from bot.cache import MemoryStore
from bot.demo.archive_events import task_stopped, write_events
from bot.demo.emulator import emulator_env
from bot.demo.scenarios import SCENARIOS, build_account
from bot.demo.traffic import EmulatorServer
from bot.model import Cause, Target
from bot.service import Diagnoser
from bot.settings import Settings
from bot.slack.app import make_client, make_follower
from bot.watch.follow import POLL_SECONDS, Follower
from bot.watch.incidents import Card, LeaseLeft
from bot.watch.watches import WatchBook
from tests.fake_slack import BOT_TOKEN, FakeSlack

GROUP = "/aws/events/ecs-why-bench"
CLUSTER = "production"


def poll_cost(watches: int, settings: Settings, server: EmulatorServer) -> tuple[float, int]:
    """AWS requests per poll, and the poll's seconds, once the follower is caught up."""
    store = MemoryStore()
    book = WatchBook(store)
    for n in range(watches):
        book.add(f"C{n % 300:04d}", Target(cluster=CLUSTER, service=f"svc-{n % 50}"))
    delivered: list[Card] = []

    def deliver(card: Card, left: LeaseLeft) -> str:
        delivered.append(card)
        return "1700000000.000100"

    follower = Follower(store, book, Reader(settings, GROUP), deliver)
    follower.tick()  # catches up with what the archive held
    logs = boto3.client("logs")
    now = datetime.now(UTC)
    events = [
        task_stopped(cluster=CLUSTER, service=f"svc-{n % 50}", at=now, exit_code=1)
        for n in range(200)
    ]
    write_events(logs, GROUP, events, stream=f"bench-{watches}")
    server.traffic.reset()
    started = time.perf_counter()
    follower.tick()
    seconds = time.perf_counter() - started
    return seconds, server.traffic.total()


def latency(samples: int, diagnoser: Diagnoser, settings: Settings) -> list[float]:
    """Seconds from each event's arrival in the archive to its card in the fake Slack."""
    case = next(s for s in SCENARIOS if s.cause == Cause.OUT_OF_MEMORY)
    store = MemoryStore()
    book = WatchBook(store)
    book.add("C0ONCALL", Target(cluster=case.cluster, service=case.service))
    logs = boto3.client("logs")
    seconds = []
    with FakeSlack() as slack:
        settings = settings.model_copy(update={"slack_api_url": slack.api_url})
        follower = make_follower(settings, diagnoser, store, make_client(settings)).start()
        try:
            for n in range(samples):
                time.sleep(random.uniform(0, POLL_SECONDS))  # events arrive at any point of a poll
                at = datetime.now(UTC)
                event = task_stopped(cluster=case.cluster, service=case.service, at=at)
                write_events(logs, GROUP, [event], stream=f"latency-{n}")
                landed = time.monotonic()
                calls = slack.wait_for(
                    "chat.update" if n else "chat.postMessage", max(n, 1), timeout=60
                )
                seconds.append(calls[-1].at - landed)
        finally:
            follower.stop()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description="watch poll cost and event-to-card latency")
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()

    server = EmulatorServer().start()
    os.environ.update(emulator_env(server.endpoint))
    build_account(boto3.Session())
    settings = Settings(slack_bot_token=BOT_TOKEN, events_log_group=GROUP)
    diagnoser = Diagnoser(settings, MemoryStore())
    boto3.client("logs").create_log_group(logGroupName=GROUP)
    try:
        print("watches  AWS requests per poll  seconds per poll (200 new events)")
        for watches in (1, 100, 1000):
            seconds, requests = poll_cost(watches, settings, server)
            print(f"{watches:7}  {requests:21}  {seconds:16.3f}")
        times = sorted(latency(args.samples, diagnoser, settings))
        p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
        print(
            f"event → card, poll every {POLL_SECONDS:g} s, {len(times)} events: "
            f"p50 {statistics.median(times):.2f} s, p99 {p99:.2f} s "
            f"(p50 / poll interval = {statistics.median(times) / POLL_SECONDS:.2f})"
        )
    finally:
        diagnoser.close()
        server.stop()


if __name__ == "__main__":
    main()
