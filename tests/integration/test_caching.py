"""What repeated questions cost AWS, counted at the emulator, with a real Redis in between."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot import cache
from bot.cache import MemoryStore, RedisStore, Store
from bot.demo.traffic import EmulatorServer
from bot.model import Diagnosis, Target
from bot.service import Diagnoser
from bot.settings import Settings
from tests.conftest import RedisServer


@pytest.fixture
def aws(account: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    # Cache keys are scoped by credentials: a key id of its own gives each test a cache that
    # nothing else (an earlier test sharing this Redis) has filled.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", f"AKIA{uuid.uuid4().hex[:16].upper()}")


@pytest.fixture
def diagnosers() -> Iterator[list[Diagnoser]]:
    made: list[Diagnoser] = []
    yield made
    for diagnoser in made:
        diagnoser.close()


def make(made: list[Diagnoser], store: Store, *, diagnosis_ttl: int = 60) -> Diagnoser:
    diagnoser = Diagnoser(Settings(diagnosis_ttl=diagnosis_ttl), store)
    made.append(diagnoser)
    return diagnoser


def cold_requests(emulator: EmulatorServer, made: list[Diagnoser], target: Target) -> int:
    """What one diagnosis costs with nothing cached."""
    emulator.traffic.reset()
    make(made, MemoryStore()).diagnose(target)
    return emulator.traffic.total()


def run_at_once(count: int, work: list[Diagnoser], target: Target) -> list[Diagnosis]:
    results: list[Diagnosis] = []
    lock = threading.Lock()

    def one(diagnoser: Diagnoser) -> None:
        diagnosis = diagnoser.diagnose(target)
        with lock:
            results.append(diagnosis)

    threads = [threading.Thread(target=one, args=(work[i % len(work)],)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.usefixtures("aws")
def test_a_repeated_diagnosis_makes_no_aws_request(
    emulator: EmulatorServer, redis_url: str, diagnosers: list[Diagnoser]
) -> None:
    target = Target(cluster="production", service="payments-api")
    diagnoser = make(diagnosers, RedisStore(redis_url))
    emulator.traffic.reset()
    first = diagnoser.diagnose(target)
    assert emulator.traffic.total() > 0
    emulator.traffic.reset()
    # Another replica sharing the Redis: the answer is already there.
    again = make(diagnosers, RedisStore(redis_url)).diagnose(target)
    assert emulator.traffic.total() == 0
    assert again == first


@pytest.mark.usefixtures("aws")
def test_twenty_concurrent_requests_cost_one_diagnosis(
    emulator: EmulatorServer, redis_url: str, diagnosers: list[Diagnoser]
) -> None:
    target = Target(cluster="production", service="checkout-web")
    one = cold_requests(emulator, diagnosers, target)
    replicas = [make(diagnosers, RedisStore(redis_url)) for _ in range(2)]
    emulator.traffic.reset()
    results = run_at_once(20, replicas, target)
    assert len(results) == 20
    assert {r.cause.code if r.cause else None for r in results} == {"elb-health-check"}
    assert emulator.traffic.total() == one
    assert emulator.traffic.repeats() == []


@pytest.mark.usefixtures("aws")
def test_facts_are_kept_by_how_long_they_stay_true(
    emulator: EmulatorServer, redis_url: str, diagnosers: list[Diagnoser]
) -> None:
    target = Target(cluster="production", service="search-indexer")
    # No diagnosis cache: only the facts are reused.
    diagnoser = make(diagnosers, RedisStore(redis_url), diagnosis_ttl=0)
    emulator.traffic.reset()
    diagnoser.diagnose(target)
    cold = emulator.traffic.counts()
    emulator.traffic.reset()
    diagnoser.diagnose(target)
    assert emulator.traffic.total() == 0, emulator.traffic.counts()

    # A re-run asks again for what can change, but not for what cannot.
    emulator.traffic.reset()
    diagnoser.diagnose(target, fresh=True)
    rerun = emulator.traffic.counts()
    assert rerun["ecs:DescribeServices"] == 1
    assert rerun["ecs:ListTasks"] == cold["ecs:ListTasks"]
    assert "ecs:DescribeTaskDefinition" not in rerun  # a revision never changes
    assert rerun["iam:GetRole"] == cold["iam:GetRole"]  # roles can change: read again


@pytest.mark.usefixtures("aws")
def test_a_format_version_bump_never_reads_old_entries(
    emulator: EmulatorServer,
    redis_url: str,
    diagnosers: list[Diagnoser],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = Target(cluster="production", service="orders-api")
    store = RedisStore(redis_url)
    make(diagnosers, store).diagnose(target)
    monkeypatch.setattr(cache, "FORMAT_VERSION", cache.FORMAT_VERSION + 1)
    emulator.traffic.reset()
    make(diagnosers, store).diagnose(target)
    assert emulator.traffic.counts()["ecs:DescribeTaskDefinition"] == 1


@pytest.mark.usefixtures("aws")
def test_answers_go_on_while_redis_is_down_and_caching_resumes(
    emulator: EmulatorServer, own_redis: RedisServer, diagnosers: list[Diagnoser]
) -> None:
    store = RedisStore(own_redis.url, retry_after=0.2)
    diagnoser = make(diagnosers, store)
    diagnoser.diagnose(Target(cluster="production", service="pdf-export"))

    own_redis.stop()
    during = diagnoser.diagnose(Target(cluster="production", service="image-resizer"))
    assert during.cause is not None
    assert during.cause.code == "segfault"

    own_redis.start()
    deadline = time.monotonic() + 5
    while not store.available and time.monotonic() < deadline:
        time.sleep(0.05)
    target = Target(cluster="production", service="geo-lookup")
    diagnoser.diagnose(target)
    emulator.traffic.reset()
    make(diagnosers, RedisStore(own_redis.url)).diagnose(target)
    assert emulator.traffic.total() == 0, "the answer came from the restarted Redis"


@pytest.mark.usefixtures("aws")
def test_every_replica_knows_when_an_answer_costs_aws_nothing(
    emulator: EmulatorServer, redis_url: str, diagnosers: list[Diagnoser]
) -> None:
    """What the rate limit asks before charging: cached, or being made on another replica."""
    target = Target(cluster="production", service="payments-api")
    making, asking = (make(diagnosers, RedisStore(redis_url)) for _ in range(2))
    assert not asking.answered(target)
    emulator.traffic.latency = 0.2  # slow enough to be seen in flight
    try:
        worker = threading.Thread(target=making.diagnose, args=(target,))
        worker.start()
        seen_in_flight = False
        while worker.is_alive() and not seen_in_flight:
            seen_in_flight = asking.answered(target)
        worker.join()
    finally:
        emulator.traffic.latency = 0.0
    assert seen_in_flight
    emulator.traffic.reset()
    assert asking.answered(target)  # cached now, and asking cost nothing
    assert emulator.traffic.total() == 0
    assert not asking.answered(target, since=timedelta(hours=3))  # another window
    assert not asking.answered(Target(cluster="production", service="checkout-web"))
