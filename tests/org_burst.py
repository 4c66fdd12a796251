"""An AWS Organization in the emulator, a watch on every account and region, and a burst of
stop events into each account's archive while two real `ecs-why serve` replicas share a real
redis-server and one of them is killed: what `bench/org_scale.py` measures at full size and
`tests/integration/test_org_burst.py` checks at 3 accounts x 2 regions.

moto answers per account: the organisation's accounts are made with `CreateAccount`, each gets
its `OrganizationAccountAccessRole`, and credentials from `AssumeRole` on it act in that account
only. The replicas find the accounts themselves (`ECS_WHY_ORGANIZATION`) and assume that role.
"""

from __future__ import annotations

import json
import os
import re
import signal
import statistics
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import redis

from bot.aws.organization import short_name
from bot.cache import RedisStore, cache_key
from bot.demo.archive_events import task_stopped, write_events
from bot.demo.traffic import EmulatorServer
from bot.model import Target
from bot.watch.watches import WatchBook
from handlers.incident_cards import EVENT_TYPE
from tests.conftest import FAKE_AWS_ENV, free_port
from tests.e2e.test_fencing import end, start
from tests.e2e.test_serve import environment
from tests.fake_slack import BOT_TOKEN, FakeSlack
from tests.harness import SIGNING_SECRET

REGIONS = ("us-east-1", "eu-west-1", "eu-central-1", "us-west-2", "ap-southeast-1", "sa-east-1")
CLUSTER = "prod"
GROUP = "/aws/events/ecs-why"
CHANNEL = "C0PLATFORM"
ACCESS_ROLE = "OrganizationAccountAccessRole"
LEASE = 3.0  # ECS_WHY_WATCH_LEASE of the replicas
POLL = 0.5  # ECS_WHY_WATCH_POLL
# ECS_WHY_WATCH_QUEUE_VISIBILITY: what a killed replica had taken comes back after it (the
# default, 300 s, fits the worst diagnosis against real AWS; a handling here takes ~1 s).
VISIBILITY = 15
STOPS = re.compile(r"(\d+) stops?\b")
# The key EventBridge's deliveries to the queue are signed with here: moto puts it in the bot's
# account, and its requests are told apart from the bot's own.
WRITER = "AKIAEVENTBRIDGEWRITE"


@dataclass(frozen=True)
class Size:
    accounts: int
    regions: int
    services: int  # per account and region
    events: int  # stop events in the burst, over every account and region
    failing: int  # services that stop, per account and region
    rounds: int  # the burst is written in this many rounds, a replica killed halfway
    queue: bool = False  # events into the central SQS queue (ECS_WHY_WATCH_QUEUE), not archives


@dataclass(frozen=True)
class Place:
    """One account's region: its archive and its services."""

    name: str  # the account's short name, as the bot knows it
    account: str
    region: str
    session: boto3.Session

    def service(self, n: int) -> str:
        """A name unique across the organisation, so a card's label says which one it is."""
        return f"svc-{self.name}-{self.region}-{n:03d}"


@dataclass
class Organisation:
    id: str
    places: list[Place]
    keys: set[str]  # the access keys this builder used (its requests are not the bot's)
    seconds: float  # to build it
    queue: str | None = None  # the central queue's URL, when the events go there


def central_queue() -> str:
    """The queue deploy/org-central.yaml makes in the bot's account, with its dead-letter queue
    after 5 deliveries; EventBridge's rules of every account and region feed it."""
    sqs = boto3.client("sqs")
    dead = sqs.create_queue(QueueName="ecs-why-events-dlq")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]
    redrive = {"deadLetterTargetArn": arn["QueueArn"], "maxReceiveCount": "5"}
    return sqs.create_queue(
        QueueName="ecs-why-events",
        Attributes={"VisibilityTimeout": "30", "RedrivePolicy": json.dumps(redrive)},
    )["QueueUrl"]


def member_session(account: str, keys: set[str]) -> boto3.Session:
    role = f"arn:aws:iam::{account}:role/{ACCESS_ROLE}"
    found = boto3.client("sts").assume_role(RoleArn=role, RoleSessionName="builder")
    credentials = found["Credentials"]
    keys.add(credentials["AccessKeyId"])
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def build_place(place: Place, size: Size) -> None:
    """A cluster of `size.services` services, and the account's event archive, in one region."""
    ecs = place.session.client("ecs", region_name=place.region)
    place.session.client("logs", region_name=place.region).create_log_group(logGroupName=GROUP)
    ecs.create_cluster(clusterName=CLUSTER)
    for n in range(size.services):
        family = place.service(n)
        ecs.register_task_definition(
            family=family,
            containerDefinitions=[{"name": "app", "image": "nginx:1.27", "memory": 512}],
        )
        ecs.create_service(
            cluster=CLUSTER, serviceName=family, taskDefinition=family, desiredCount=1
        )


def build(size: Size, workers: int = 8) -> Organisation:
    """The organisation through the emulator's API, every account and region in parallel."""
    started = time.perf_counter()
    org = boto3.client("organizations")
    organisation_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    keys = {WRITER}
    places = []
    for a in range(size.accounts):
        name = f"team-{a:02d}"
        status = org.create_account(AccountName=name, Email=f"{name}@example.com")
        account = status["CreateAccountStatus"]["AccountId"]
        session = member_session(account, keys)
        places += [Place(short_name(name), account, r, session) for r in REGIONS[: size.regions]]
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda place: build_place(place, size), places))
    queue = central_queue() if size.queue else None
    return Organisation(organisation_id, places, keys, time.perf_counter() - started, queue)


@dataclass
class Replicas:
    slack: FakeSlack
    processes: list[subprocess.Popen[bytes]]
    redis: redis.Redis
    logs: list[Path]
    queue: str | None

    def holder(self, timeout: float = 60) -> subprocess.Popen[bytes]:
        """The process holding the follower's lease, as Redis says (`<token> host/pid/…`); in
        queue mode, where each archive has a lease of its own, the first replica."""
        if self.queue:
            return self.processes[0]
        deadline = time.monotonic() + timeout
        while not isinstance(value := self.redis.get(cache_key("lease", "follower")), bytes):
            assert time.monotonic() < deadline, "no replica took the lease"
            time.sleep(0.05)
        pid = int(value.decode().split()[1].split("/")[1])
        return next(p for p in self.processes if p.pid == pid)


@contextmanager
def replicas(
    emulator: EmulatorServer, redis_url: str, logs: Path, queue: str | None, count: int = 2
) -> Iterator[Replicas]:
    """`count` real `ecs-why serve` processes finding the organisation's accounts themselves,
    taking the events from `queue` when given, else from each account's archive."""
    with ExitStack() as stack:
        slack = stack.enter_context(FakeSlack())
        processes, files = [], []
        for n in range(count):
            env = environment(
                SLACK_BOT_TOKEN=BOT_TOKEN,
                SLACK_SIGNING_SECRET=SIGNING_SECRET,
                SLACK_API_URL=slack.api_url,
                PORT=str(free_port()),
                AWS_ENDPOINT_URL=emulator.endpoint,
                REDIS_URL=redis_url,
                ECS_WHY_EVENTS_LOG_GROUP=GROUP,
                ECS_WHY_WATCH_POLL=str(POLL),
                ECS_WHY_WATCH_LEASE=str(LEASE),
                ECS_WHY_ORGANIZATION=json.dumps({"role_name": ACCESS_ROLE}),
                **FAKE_AWS_ENV,
                **(queue_settings(queue) if queue else {}),
            )
            files.append(logs / f"replica-{n}.log")
            process, _ = start(env, files[-1])
            stack.callback(end, process)
            processes.append(process)
        yield Replicas(slack, processes, redis.Redis.from_url(redis_url), files, queue)


def queue_settings(url: str) -> dict[str, str]:
    return {
        "ECS_WHY_WATCH_QUEUE": url,
        "ECS_WHY_WATCH_QUEUE_VISIBILITY": str(VISIBILITY),
        "ECS_WHY_WATCH_QUEUE_WAIT": "2",
    }


def watch_everything(redis_url: str, places: list[Place]) -> None:
    """One channel watches the cluster of every account and region (stored as `watch` does)."""
    book = WatchBook(RedisStore(redis_url))
    for place in places:
        book.add(CHANNEL, Target(cluster=CLUSTER, account=place.name, region=place.region))


@dataclass
class Burst:
    """What was written: each stop's service label and when it landed (monotonic)."""

    landed: list[tuple[str, float]] = field(default_factory=list)
    killed_at: float | None = None
    seconds: float = 0.0

    def stops(self) -> Counter[str]:
        return Counter(label for label, _ in self.landed)


def stop_plan(places: list[Place], size: Size) -> list[tuple[Place, str]]:
    """`size.events` stops dealt round-robin over the failing services of every place."""
    failing = [(p, p.service(n)) for n in range(size.failing) for p in places]
    return [failing[n % len(failing)] for n in range(size.events)]


def write_round(
    stops: list[tuple[Place, str]], burst: Burst, pool: ThreadPoolExecutor, queue: str | None
) -> None:
    """One round of the burst: each place's stops into its archive, or into the central queue,
    as EventBridge's rules deliver them (one log event, or one message, per ECS event)."""
    by_place: dict[Place, list[str]] = {}
    for place, service in stops:
        by_place.setdefault(place, []).append(service)

    def write(place: Place, services: list[str]) -> list[tuple[str, float]]:
        now = datetime.now(UTC)
        events = [
            task_stopped(
                cluster=CLUSTER, service=s, at=now, region=place.region, account=place.account
            )
            for s in services
        ]
        if queue:
            sqs = boto3.Session(WRITER, "secret", region_name="us-east-1").client("sqs")
            for n in range(0, len(events), 10):
                sqs.send_message_batch(
                    QueueUrl=queue,
                    Entries=[
                        {"Id": str(i), "MessageBody": json.dumps(e)}
                        for i, e in enumerate(events[n : n + 10])
                    ],
                )
        else:
            logs = place.session.client("logs", region_name=place.region)
            write_events(logs, GROUP, events, stream=uuid.uuid4().hex)
        landed = time.monotonic()
        return [(f"{CLUSTER}/{s}:", landed) for s in services]

    for written in pool.map(lambda item: write(*item), by_place.items()):
        burst.landed += written


def burst(org: Organisation, size: Size, running: Replicas) -> Burst:
    """The stops in `size.rounds` rounds; the lease holder is killed (SIGKILL) once the round
    halfway through is written and a card has reached Slack since the burst began."""
    plan = stop_plan(org.places, size)
    per_round = -(-len(plan) // size.rounds)
    done = Burst()
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        for n in range(size.rounds):
            write_round(plan[n * per_round : (n + 1) * per_round], done, pool, org.queue)
            if n == size.rounds // 2:
                running.slack.wait_for("chat.postMessage", timeout=120)
                holder = running.holder()
                os.kill(holder.pid, signal.SIGKILL)
                holder.wait(timeout=10)
                done.killed_at = time.monotonic()
    done.seconds = time.monotonic() - started
    return done


def counts_by_label(slack: FakeSlack) -> dict[str, list[tuple[float, int]]]:
    """Each card's posts and updates in the order Slack got them: (when, stops it says)."""
    found: dict[str, list[tuple[float, int]]] = {}
    for call in slack.calls:
        text = str(call.body.get("text"))
        if call.method in ("chat.postMessage", "chat.update") and (m := STOPS.search(text)):
            label = next((w for w in text.split() if w.startswith(f"{CLUSTER}/")), "")
            found.setdefault(label.strip("*`_"), []).append((call.at, int(m[1])))
    return found


def settled(slack: FakeSlack, expected: Counter[str], timeout: float) -> bool:
    """Waits until every card says as many stops as were written for its service."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = counts_by_label(slack)
        if all(shown.get(label, [(0, 0)])[-1][1] >= n for label, n in expected.items()):
            return True
        time.sleep(0.5)
    return False


@dataclass(frozen=True)
class Outcome:
    cards: int
    lost: list[str]  # services whose card is missing or says fewer stops than were written
    doubled: list[str]  # incidents with more than one card in the channel
    lags: list[float]  # seconds from each stop landing to the first card counting it


def outcome(slack: FakeSlack, done: Burst) -> Outcome:
    expected = done.stops()
    shown = counts_by_label(slack)
    lost = [label for label, n in expected.items() if shown.get(label, [(0, 0)])[-1][1] != n]
    incidents = Counter(
        (m.get("metadata") or {}).get("event_payload", {}).get("incident")
        for m in slack.messages.get(CHANNEL, [])
        if (m.get("metadata") or {}).get("event_type") == EVENT_TYPE
    )
    doubled = sorted(str(key) for key, n in incidents.items() if n > 1)
    seen: Counter[str] = Counter()
    lags = []
    for label, landed in done.landed:
        seen[label] += 1
        shows = [at for at, count in shown.get(label, []) if count >= seen[label]]
        if shows:
            lags.append(shows[0] - landed)
    return Outcome(sum(incidents.values()), lost, doubled, lags)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def requests_by_place(emulator: EmulatorServer, builder_keys: set[str]) -> Counter[tuple[str, str]]:
    """The bot's AWS requests by (account id, region): the builder's own are left out."""
    from moto.iam.models import get_account_id_from

    found: Counter[tuple[str, str]] = Counter()
    for (key, region), n in emulator.traffic.callers().items():
        if key not in builder_keys:
            found[(get_account_id_from(key), region)] += n
    return found


def redis_memory(client: redis.Redis) -> int:
    info: dict[str, Any] = client.info("memory")
    return int(info["used_memory"])


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0
