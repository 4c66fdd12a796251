"""An organisation of 3 accounts x 2 regions in the emulator, one channel watching every cluster
of it, and a burst of stops into each account's archive while two real replicas share a real
redis-server and one is killed halfway (the lease holder, following the archives; or taking
from the organisation's SQS queue): every incident gets exactly one card, and
each card ends up counting every stop of its service. (The full size is `bench/org_scale.py`.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.demo.traffic import EmulatorServer
from tests.conftest import RedisServer
from tests.integration.conftest import emptied_emulator
from tests.org_burst import (
    Size,
    build,
    burst,
    outcome,
    replicas,
    requests_by_place,
    settled,
    watch_everything,
)

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("queue", [False, True], ids=["archives", "queue"])
def test_a_burst_across_the_organisation_loses_and_doubles_no_card(
    queue: bool, emulator: EmulatorServer, own_redis: RedisServer, tmp_path: Path
) -> None:
    size = Size(accounts=3, regions=2, services=4, events=60, failing=2, rounds=4, queue=queue)
    with emptied_emulator(emulator):
        org = build(size)
        watch_everything(own_redis.url, org.places)
        with replicas(emulator, own_redis.url, tmp_path, org.queue) as running:
            emulator.traffic.reset()
            done = burst(org, size, running)
            expected = done.stops()
            assert len(expected) == size.accounts * size.regions * size.failing
            logs = [log.read_text() for log in running.logs]
            assert settled(running.slack, expected, timeout=120), logs
            result = outcome(running.slack, done)
            requests = requests_by_place(emulator, org.keys)
    assert done.killed_at is not None
    assert result.lost == []
    assert result.doubled == []
    assert result.cards == len(expected)  # one incident per failing service
    assert len(result.lags) == size.events
    # Each member account was read in each of its regions, through its own credentials.
    for place in org.places:
        assert requests[(place.account, place.region)] > 0, place
