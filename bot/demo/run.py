"""The demo: the emulated account, built and diagnosed service by service."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import boto3

from bot.demo.emulator import REGION, emulated_aws, emulator_env
from bot.demo.scenarios import SCENARIOS, build_account
from bot.model import Diagnosis, Target
from bot.service import Diagnoser


@contextmanager
def emulated_demo_account() -> Iterator[dict[str, str]]:
    """An emulator holding the demo account; yields the environment that points boto3 at it."""
    with emulated_aws() as endpoint:
        session = boto3.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 - the emulator's fake credentials
            region_name=REGION,
        )
        build_account(session, endpoint_url=endpoint)
        yield emulator_env(endpoint)


def diagnose_demo_account(diagnoser: Diagnoser, *, workers: int = 8) -> list[Diagnosis]:
    """One diagnosis per demo service, in the order of the scenarios."""
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ecs-why-demo") as pool:
        return list(
            pool.map(
                lambda s: diagnoser.diagnose(
                    Target(cluster=s.cluster, service=s.service), since=s.since
                ),
                SCENARIOS,
            )
        )
