"""A service named without its cluster: looked for in every cluster once, then found from the
service → cluster index, which a miss corrects. Requests are counted at the emulator."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from bot.aws.ecs import ClusterIndex
from bot.cache import MemoryStore
from bot.demo.scenarios import SCENARIOS
from bot.demo.traffic import EmulatorServer
from bot.model import Target
from bot.service import Diagnoser
from bot.settings import Settings

NAMES = Counter(s.service for s in SCENARIOS)
SCENARIO = next(s for s in SCENARIOS if NAMES[s.service] == 1)
CLUSTERS = len({s.cluster for s in SCENARIOS})
TARGET = Target(service=SCENARIO.service)


@pytest.fixture
def diagnoser(account: dict[str, str]) -> Iterator[Diagnoser]:
    made = Diagnoser(Settings(diagnosis_ttl=0), MemoryStore())
    yield made
    made.close()


def lookups(emulator: EmulatorServer, diagnoser: Diagnoser) -> tuple[int, int]:
    """ListClusters and DescribeServices sent by one diagnosis of the bare service name (each
    asked of AWS again: `fresh` reuses only answers that never change)."""
    emulator.traffic.reset()
    diagnosis = diagnoser.diagnose(TARGET, fresh=True)
    assert diagnosis.target.cluster == SCENARIO.cluster
    counts = emulator.traffic.counts()
    return counts["ecs:ListClusters"], counts["ecs:DescribeServices"]


def index_of(diagnoser: Diagnoser, store: MemoryStore) -> ClusterIndex:
    return ClusterIndex(store, diagnoser.clients(None).scope)


def test_the_second_diagnosis_finds_the_cluster_from_the_index(
    emulator: EmulatorServer, diagnoser: Diagnoser
) -> None:
    assert CLUSTERS > 1
    assert lookups(emulator, diagnoser) == (1, CLUSTERS)  # every cluster asked once
    assert lookups(emulator, diagnoser) == (0, 1)


@pytest.mark.parametrize("stale", ["other", "gone"])
def test_a_stale_entry_is_corrected_by_looking_again(
    emulator: EmulatorServer, account: dict[str, str], stale: str
) -> None:
    store = MemoryStore()
    diagnoser = Diagnoser(Settings(diagnosis_ttl=0), store)
    try:
        index = index_of(diagnoser, store)
        other = next(s.cluster for s in SCENARIOS if s.cluster != SCENARIO.cluster)
        # The service was in another cluster, or in one since deleted.
        cluster = other if stale == "other" else "deleted-cluster"
        region = diagnoser.clients(None).region
        index.remember(SCENARIO.service, f"arn:aws:ecs:{region}:123456789012:cluster/{cluster}")

        assert lookups(emulator, diagnoser) == (1, 1 + CLUSTERS)  # the miss, then the scan
        assert index.get(SCENARIO.service) == f"arn:aws:ecs:{region}:123456789012:cluster/" + (
            SCENARIO.cluster
        )
        assert lookups(emulator, diagnoser) == (0, 1)
    finally:
        diagnoser.close()
