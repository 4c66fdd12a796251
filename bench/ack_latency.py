"""How fast /ecs-why is acknowledged while diagnoses run: 50 signed slash commands, 10 at a time.

The real app serves HTTP (waitress) in this process, against a fake Slack and the demo account in
moto's emulator. Every AWS request is delayed by `AWS_LATENCY` and the diagnosis cache is off, so
each command costs a whole, realistically slow diagnosis while the next ones arrive. Slack wants
the HTTP answer within 3 s; the card follows through the response_url.

    python -m bench.ack_latency
"""

from __future__ import annotations

import logging
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import boto3

from bot.cache import MemoryStore
from bot.demo.emulator import emulator_env
from bot.demo.scenarios import SCENARIOS, build_account
from bot.demo.traffic import EmulatorServer
from bot.service import Diagnoser
from bot.settings import Settings
from bot.slack.app import build_app
from tests.fake_slack import BOT_TOKEN, FakeSlack
from tests.harness import SIGNING_SECRET, BotServer, form, slash_command

COMMANDS = 50
CONCURRENCY = 10
AWS_LATENCY = 0.05  # seconds added to every AWS request, about a cross-region round trip


def percentiles(values: list[float]) -> str:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    p50, p99, top = (1000 * v for v in (cuts[49], cuts[98], max(values)))
    return f"p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   max {top:7.1f} ms"


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    emulator = EmulatorServer().start()
    env = emulator_env(emulator.endpoint)
    os.environ.clear()
    os.environ.update(env)
    build_account(boto3.Session())
    emulator.traffic.latency = AWS_LATENCY
    targets = [f"{s.cluster}/{s.service}" for s in SCENARIOS]
    with FakeSlack() as slack:
        settings = Settings(
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=slack.api_url,
            diagnosis_ttl=0,
            rate_limit_user=COMMANDS,  # one user sends them all: measure acks, not the limit
            rate_limit_channel=COMMANDS,
        )
        store = MemoryStore()
        diagnoser = Diagnoser(settings, store)
        with (
            ThreadPoolExecutor(settings.diagnosis_workers) as executor,
            BotServer(build_app(settings, diagnoser, store, executor=executor), settings) as bot,
        ):
            urls = [slack.new_response_url() for _ in range(COMMANDS)]

            def send(n: int) -> tuple[float, float]:
                sent = time.monotonic()
                response = bot.signed(form(slash_command(targets[n % len(targets)], urls[n])))
                assert response.status == 200, response
                return sent, response.seconds

            started = time.monotonic()
            with ThreadPoolExecutor(CONCURRENCY) as senders:
                results = list(senders.map(send, range(COMMANDS)))
            cards = slack.wait_for("response_url", COMMANDS, timeout=600)
            elapsed = time.monotonic() - started
        diagnoser.close()
    emulator.stop()

    arrived = {c.path: c.at for c in cards if c.body.get("response_type") == "in_channel"}
    paths = [url.removeprefix(slack.base_url) for url in urls]
    delivered = [
        arrived[path] - sent
        for path, (sent, _) in zip(paths, results, strict=True)
        if path in arrived
    ]
    print(
        f"/ecs-why: {COMMANDS} signed slash commands, {CONCURRENCY} at a time, over HTTP "
        f"({settings.diagnosis_workers} diagnosis workers, "
        f"{AWS_LATENCY * 1000:.0f} ms per AWS request, no diagnosis cache)"
    )
    print(f"  ack   {percentiles([seconds for _, seconds in results])}")
    print(f"  card  {percentiles(delivered)}")
    print(
        f"  cards delivered: {len(delivered)}/{COMMANDS} in {elapsed:.1f} s "
        f"({emulator.traffic.total()} AWS requests)"
    )


if __name__ == "__main__":
    main()
