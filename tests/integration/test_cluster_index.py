"""A service named without its cluster: looked for in every cluster once, then found from the
service → cluster index, which a miss corrects. Requests are counted at the emulator."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

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


def cli_lookups(emulator: EmulatorServer, env: dict[str, str]) -> tuple[int, int]:
    """ListClusters and DescribeServices sent by one `ecs-why diagnose SERVICE` run."""
    emulator.traffic.reset()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "diagnose",
            SCENARIO.service,
            "--format",
            "json",
            "--no-cache",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["target"]["cluster"] == SCENARIO.cluster
    counts = emulator.traffic.counts()
    return counts["ecs:ListClusters"], counts["ecs:DescribeServices"]


def test_the_cli_keeps_its_index_between_runs_for_its_owner_only(
    emulator: EmulatorServer, account: dict[str, str], tmp_path: Path
) -> None:
    env = {k: v for k, v in account.items() if k != "REDIS_URL"} | {"XDG_CACHE_HOME": str(tmp_path)}

    assert cli_lookups(emulator, env) == (1, CLUSTERS)  # every cluster asked once
    assert cli_lookups(emulator, env) == (0, 1)  # the next run, a new process
    index = tmp_path / "ecs-why" / "cluster-index.json"
    # Beside it, only the pruned service models (bot/aws/service_models.py) and no temporary.
    assert {p.name for p in index.parent.iterdir()} == {index.name, "models"}
    assert stat.S_IMODE(index.stat().st_mode) == 0o600
    assert stat.S_IMODE(index.parent.stat().st_mode) == 0o700


def test_a_wrong_entry_in_the_file_is_corrected(
    emulator: EmulatorServer, account: dict[str, str], tmp_path: Path
) -> None:
    env = {k: v for k, v in account.items() if k != "REDIS_URL"} | {"XDG_CACHE_HOME": str(tmp_path)}
    cli_lookups(emulator, env)
    path = tmp_path / "ecs-why" / "cluster-index.json"
    other = next(s.cluster for s in SCENARIOS if s.cluster != SCENARIO.cluster)
    entries = json.loads(path.read_text())
    for entry in entries.values():
        entry[0] = entry[0].replace(f"cluster/{SCENARIO.cluster}", f"cluster/{other}")
    path.write_text(json.dumps(entries))

    assert cli_lookups(emulator, env) == (1, 1 + CLUSTERS)  # the miss, then the scan
    assert cli_lookups(emulator, env) == (0, 1)
