"""The read graph's calls carry their diagnosis: the budget's wait is shared by its reads."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

from bot.aws import reads as r
from bot.aws.graph import Reads
from bot.budget import WAITING, Waiting


def waiting_of_each_call(reads: Reads, calls: int) -> list[Waiting | None]:
    async def run() -> list[Waiting | None]:
        return list(await asyncio.gather(*(reads(r.LIST_TASKS, WAITING.get) for _ in range(calls))))

    return asyncio.run(run())


def test_the_calls_of_one_diagnosis_share_one_waiting_and_two_diagnoses_do_not() -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        one, other = (Reads(cast(Any, None), pool, timeout=None) for _ in range(2))
        first, second = waiting_of_each_call(one, 6), waiting_of_each_call(other, 3)

    assert first[0] is not None
    assert second[0] is not None
    assert all(waiting is first[0] for waiting in first)
    assert all(waiting is second[0] for waiting in second)
    assert first[0] is not second[0]
    assert WAITING.get() is None  # the caller's own context is untouched
