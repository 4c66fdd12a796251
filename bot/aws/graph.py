"""How the read graph runs: each AWS read once, on a pool, until a deadline; a failure is a gap.

The service modules declare their parts of the graph as coroutines that take a `Reads`;
`bot.aws.collect` composes them. The graph is a coroutine on a private event loop in the
caller's thread; each AWS call runs on the pool and never waits for anything there, so any
pool size works (even one thread shared by several diagnoses) without deadlock.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine, Hashable, Iterable
from concurrent.futures import Executor, Future
from typing import Any, ParamSpec, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.clients import AwsClients, gap_from_error
from bot.aws.reads import Read
from bot.model import Gap

P = ParamSpec("P")
R = TypeVar("R")


class Reads:
    """The reads of one diagnosis, made through `clients`: each AWS call on the pool, at most
    once per key; a failure, or a call still running at the deadline, is a gap, not an error.

    Only botocore's errors become gaps: anything else is a bug and propagates. The `timeout`
    runs from `start_clock` (once the target is found): reads started before it are cut short
    only once it runs.
    """

    def __init__(self, clients: AwsClients, pool: Executor, timeout: float | None) -> None:
        self.clients = clients
        self._pool = pool
        self._timeout = timeout
        self._deadline: float | None = None
        self._clock = asyncio.Event()
        self._once: dict[Hashable, asyncio.Task[Any]] = {}
        self._calls: list[Future[Any]] = []  # on the pool, as they were handed to it
        self._started = 0
        self._failed: list[Gap] = []  # as they fail
        self._timed_out: list[tuple[int, Gap]] = []  # in the order they started

    @property
    def gaps(self) -> tuple[Gap, ...]:
        """What could not be read, each once: failures, then what the deadline cut short."""
        timed_out = [gap for _, gap in sorted(self._timed_out, key=lambda item: item[0])]
        return tuple(dict.fromkeys([*self._failed, *timed_out]))

    def start_clock(self) -> None:
        """From now on, `timeout` seconds are left."""
        if self._timeout is not None:
            self._deadline = time.monotonic() + self._timeout
            self._clock.set()

    def once(self, key: Hashable, make: Callable[[], Coroutine[Any, Any, R]]) -> asyncio.Task[R]:
        """The one task for `key`, started on first use: asked again, the same answer."""
        if key not in self._once:
            self._once[key] = asyncio.ensure_future(make())
        task: asyncio.Task[R] = self._once[key]
        return task

    async def __call__(
        self, read: Read, call: Callable[P, R], *args: P.args, **kwargs: P.kwargs
    ) -> R | None:
        """`call` (which makes the AWS call `read`) on the pool; None if it failed, or has not
        answered by the deadline (past it, nothing starts)."""
        self._started += 1
        started = self._started
        if self._deadline is not None and self._deadline <= time.monotonic():
            self._timed_out.append((started, _gap(read, "timed out")))
            return None
        sent = self._pool.submit(call, *args, **kwargs)
        self._calls.append(sent)
        running = asyncio.wrap_future(sent)
        try:
            await self._until_deadline(running)
        finally:
            running.cancel()  # a call not started yet never will be (no-op once done)
        if not running.done() or running.cancelled():
            self._timed_out.append((started, _gap(read, "timed out")))
            return None
        error = running.exception()
        if isinstance(error, BotoCoreError | ClientError):
            self._failed.append(gap_from_error(read.fact, read.action, error))
            return None
        return running.result()

    async def _until_deadline(self, running: asyncio.Future[Any]) -> None:
        """Wait for `running`, at most until the deadline (which may start while it runs)."""
        if self._timeout is not None and self._deadline is None:
            clock = asyncio.ensure_future(self._clock.wait())
            await asyncio.wait([running, clock], return_when=asyncio.FIRST_COMPLETED)
            clock.cancel()
        if self._deadline is None:
            await asyncio.wait([running])
        else:
            await asyncio.wait([running], timeout=max(0.0, self._deadline - time.monotonic()))

    async def abandon(self) -> None:
        """Drop the whole graph (its target does not exist): reads not sent yet never are, and
        those in flight are waited for, so no request of the diagnosis outlives its answer."""
        for task in self._once.values():
            task.cancel()
        await asyncio.gather(*self._once.values(), return_exceptions=True)
        in_flight = [asyncio.wrap_future(call) for call in self._calls if not call.done()]
        await asyncio.gather(*in_flight, return_exceptions=True)  # their failures are moot

    async def settled(self) -> None:
        """Wait until every task started has finished (its errors, if any, raised here)."""
        while pending := [task for task in self._once.values() if not task.done()]:
            await asyncio.gather(*pending)
        for task in self._once.values():
            task.result()


def _gap(read: Read, message: str) -> Gap:
    return Gap(fact=read.fact, action=read.action, message=message)


async def each(awaitables: Iterable[Awaitable[R | None]]) -> list[R] | None:
    """What each read returned, or None if any failed."""
    found = await asyncio.gather(*awaitables)
    return None if None in found else [f for f in found if f is not None]


async def every_found(awaitables: Iterable[Awaitable[R | None]]) -> list[R]:
    """What each read returned, those that failed left out."""
    return [found for found in await asyncio.gather(*awaitables) if found is not None]
