"""The request budget per account and region in the emulator: a burst of diagnoses in one account
runs out of that account's share of ECS's buckets, while a diagnosis in another account, drawn
from the same Redis by another replica, is not held up."""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest

from bot.budget import category, shared
from bot.cache import MemoryStore, RedisStore
from bot.demo.traffic import EmulatorServer
from bot.errors import AwsUnavailable
from bot.model import Diagnosis
from bot.parse.target import parse_target
from bot.service import Diagnoser
from bot.settings import Account, Settings

BUSY = "123456789012"  # the demo account
QUIET = "210987654321"
SHARE = 0.05  # service reads: a burst of 5, then 1 a second


def role(account: str) -> str:
    return f"arn:aws:iam::{account}:role/ecs-why-reader"


def member_ecs(account: str) -> Any:
    """An ECS client in `account`, through the role moto lets anyone assume there."""
    keys = boto3.client("sts").assume_role(RoleArn=role(account), RoleSessionName="setup")
    credentials = keys["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name="us-east-1",
    ).client("ecs")


@pytest.fixture(scope="module")
def quiet_account(account: dict[str, str]) -> str:
    """One small service in another account (moto keeps accounts apart by their keys)."""
    ecs = member_ecs(QUIET)
    ecs.create_cluster(clusterName="payments")
    ecs.register_task_definition(
        family="api", containerDefinitions=[{"name": "api", "image": "nginx", "memory": 256}]
    )
    ecs.create_service(cluster="payments", serviceName="api", taskDefinition="api", desiredCount=0)
    return "quiet:payments/api"


def budget_gaps(diagnosis: Diagnosis) -> list[str]:
    return [gap.message for gap in diagnosis.gaps if "request budget" in gap.message]


def budget_messages(answer: Diagnosis | str) -> str:
    """What the budget left in an answer: its gaps, or the error that was the answer."""
    return answer if isinstance(answer, str) else " ".join(budget_gaps(answer))


def test_a_burst_in_one_account_leaves_another_account_alone(
    quiet_account: str, redis_url: str, emulator: EmulatorServer
) -> None:
    settings = Settings(
        accounts={"busy": Account(role_arn=role(BUSY)), "quiet": Account(role_arn=role(QUIET))},
        redis_url=redis_url,
        diagnosis_ttl=0,
        ECS_WHY_AWS_BUDGET_SHARE=SHARE,
        ECS_WHY_AWS_BUDGET_WAIT=0,
    )
    replicas = [Diagnoser(settings, RedisStore(redis_url)) for _ in range(2)]
    busy = parse_target("busy:production/payments-api")
    answers: list[Diagnosis | str] = []
    try:
        emulator.traffic.reset()
        started = time.monotonic()
        for turn in range(10):
            try:
                answers.append(replicas[turn % 2].diagnose(busy, fresh=True))
            except AwsUnavailable as error:
                answers.append(str(error))
        elapsed = time.monotonic() - started
        sent = emulator.traffic.counts()["ecs:DescribeServices"]
        emulator.traffic.reset()
        quiet = replicas[1].diagnose(parse_target(quiet_account), fresh=True)
        quiet_calls = emulator.traffic.counts()
    finally:
        for replica in replicas:
            replica.close()
    rate = shared(category("DescribeServices")[1], SHARE)
    # The busy account's service reads that reached ECS: its share and no more, across both
    # replicas; the rest of the burst became gaps, or (no service read at all) the answer.
    assert sent <= rate.burst + rate.refill * elapsed
    hit = [budget_messages(answer) for answer in answers if budget_messages(answer)]
    assert hit
    assert all(f"request budget for account {BUSY} in us-east-1 exhausted" in h for h in hit)
    # Without a single service read, the budget is the answer, naming the read it held back.
    errors = [answer for answer in answers if isinstance(answer, str)]
    assert all(error.startswith("ecs:DescribeServices failed: request budget") for error in errors)
    # The quiet account's buckets are its own: all its reads went to ECS at once.
    assert budget_gaps(quiet) == []
    assert quiet.account == QUIET
    assert quiet_calls["ecs:DescribeServices"] == 1


SEARCHED = "310987654321"


def test_a_bare_name_searched_over_many_clusters_goes_at_the_budgets_pace_not_into_an_error(
    account: dict[str, str], emulator: EmulatorServer
) -> None:
    """21 clusters to search at a share whose service reads allow 10 at once, then 2 a second,
    and 3 s of waiting for any one read: the search takes its turns until it has asked them all,
    and the service is found."""
    ecs = member_ecs(SEARCHED)
    for n in range(20):
        ecs.create_cluster(clusterName=f"team-{n:02d}")
    ecs.create_cluster(clusterName="shop")
    ecs.register_task_definition(
        family="checkout", containerDefinitions=[{"name": "app", "image": "nginx", "memory": 256}]
    )
    ecs.create_service(
        cluster="shop", serviceName="checkout", taskDefinition="checkout", desiredCount=0
    )
    settings = Settings(
        accounts={"searched": Account(role_arn=role(SEARCHED))},
        diagnosis_ttl=0,
        ECS_WHY_AWS_BUDGET_SHARE=0.1,
    )
    diagnoser = Diagnoser(settings, MemoryStore())
    try:
        diagnosis = diagnoser.diagnose(parse_target("searched:checkout"), fresh=True)
    finally:
        diagnoser.close()

    assert diagnosis.account == SEARCHED
    assert diagnosis.target.cluster == "shop"
