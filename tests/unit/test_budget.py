"""The request budget's arithmetic and its table, on an injected clock (no waiting)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.budget import (
    Budget,
    BudgetExhausted,
    MemoryBuckets,
    Rate,
    category,
    shared,
    take,
)
from bot.settings import Settings


class Clock:
    """Time that moves only when told to, or when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.mark.parametrize(
    ("action", "name", "rate"),
    [
        # AWS's table: "Request throttling for the Amazon ECS API" (Amazon ECS Developer Guide).
        ("DescribeClusters", "cluster-read", Rate(50, 20)),
        ("ListClusters", "cluster-read", Rate(50, 20)),
        ("DescribeServices", "service-read", Rate(100, 20)),
        ("DescribeTasks", "cluster-resource-read", Rate(100, 20)),
        ("ListTasks", "cluster-resource-read", Rate(100, 20)),
        ("DescribeContainerInstances", "cluster-resource-read", Rate(100, 20)),
        ("DescribeTaskDefinition", "task-definition-read", Rate(50, 20)),
        ("ListServiceDeployments", "service-deployment", Rate(50, 20)),
        ("DescribeServiceDeployments", "service-deployment", Rate(50, 20)),
        ("DescribeServiceRevisions", "service-revision", Rate(50, 20)),
        ("ListServicesByNamespace", "cluster-service-resource-read", Rate(10, 1)),
        ("DescribeSomethingNew", "unlisted", Rate(10, 1)),
    ],
)
def test_each_action_draws_on_its_documented_bucket(action: str, name: str, rate: Rate) -> None:
    assert category(action) == (name, rate)


def test_every_ecs_read_the_policy_grants_is_in_the_table() -> None:
    policy = json.loads(Path("deploy/iam-policy.json").read_text())
    actions = [statement["Action"] for statement in policy["Statement"]]
    granted = {
        action.removeprefix("ecs:")
        for listed in actions
        for action in ([listed] if isinstance(listed, str) else listed)
        if action.startswith("ecs:")
    }
    assert granted
    assert {action for action in granted if category(action)[0] == "unlisted"} == set()


def test_the_default_share_is_half_and_bounded() -> None:
    assert Settings().aws_budget_share == 0.5
    assert shared(Rate(100, 20), 0.5) == Rate(50, 10)
    assert shared(Rate(10, 1), 0.01) == Rate(1, 0.01)  # a tiny share still lets one read by
    with pytest.raises(ValueError, match="ECS_WHY_AWS_BUDGET_SHARE"):
        Settings(ECS_WHY_AWS_BUDGET_SHARE=1.0)


def test_a_bucket_refills_by_the_time_elapsed_up_to_its_burst() -> None:
    rate = Rate(burst=4, refill=2)
    assert take(None, 0, 0, rate) == (3, 0)  # a new bucket starts full
    assert take(0, 10.0, 10.5, rate) == (0, 0)  # half a second: one token, taken
    assert take(0, 10.0, 10.25, rate) == (0.5, 0.25)  # half a token: a quarter second to go
    assert take(1, 0, 100, rate) == (3, 0)  # never more than the burst


def test_memory_buckets_empty_then_refill_on_the_clock() -> None:
    clock = Clock()
    buckets = MemoryBuckets(clock)
    rate = Rate(burst=2, refill=1)
    assert [buckets.take("a", rate) for _ in range(3)] == [0, 0, 1.0]
    assert buckets.take("b", rate) == 0  # another key, another bucket
    clock.now += 0.5
    assert buckets.take("a", rate) == 0.5
    clock.now += 0.5
    assert buckets.take("a", rate) == 0


def test_an_empty_bucket_waits_for_its_token_within_the_bound() -> None:
    clock = Clock()
    budget = Budget(MemoryBuckets(clock), share=0.1, wait=3, sleep=clock.sleep)
    # service-read at 10%: 10 tokens, 2 per second
    for _ in range(10):
        budget.draw("111111111111", "eu-west-1", "DescribeServices")
    assert clock.slept == []
    budget.draw("111111111111", "eu-west-1", "DescribeServices")
    assert clock.slept == [0.5]


def test_waiters_reserve_their_tokens_and_go_in_the_order_they_came() -> None:
    """Many reads at an empty bucket: each waits its turn once, none races the others, and
    only a read whose turn would come past the bound is given up (and takes nothing)."""
    clock = Clock()
    buckets = MemoryBuckets(clock)
    rate = Rate(burst=1, refill=2)
    assert buckets.take("a", rate, limit=3) == 0
    # Five more at the same instant: half a second apart, in the order they asked.
    assert [buckets.take("a", rate, limit=3) for _ in range(5)] == [0.5, 1.0, 1.5, 2.0, 2.5]
    assert buckets.take("a", rate, limit=2.9) == 3.0  # past its bound: not reserved
    assert buckets.take("a", rate, limit=3) == 3.0  # so the next one's turn is the same
    clock.now += 3.0
    assert buckets.take("a", rate, limit=3) == 0.5  # the reserved tokens came and were used


def test_past_the_bound_the_read_is_given_up_and_other_accounts_are_untouched() -> None:
    clock = Clock()
    budget = Budget(MemoryBuckets(clock), share=0.01, wait=3, sleep=clock.sleep)
    budget.draw("111111111111", "eu-west-1", "ListTasks")  # 1 token, 0.2 per second
    with pytest.raises(BudgetExhausted) as raised:
        budget.draw("111111111111", "eu-west-1", "DescribeTasks")  # 5 s away: more than 3
    assert str(raised.value) == "request budget for account 111111111111 in eu-west-1 exhausted"
    assert clock.slept == []  # a wait that cannot succeed is not slept
    budget.draw("222222222222", "eu-west-1", "DescribeTasks")  # another account
    budget.draw("111111111111", "us-east-1", "DescribeTasks")  # another region
    budget.draw("111111111111", "eu-west-1", "DescribeServices")  # another category
    assert clock.slept == []
    budget.draw("own-5f2a", "eu-west-1", "ListTasks")
    with pytest.raises(BudgetExhausted, match="the bot's own account in eu-west-1"):
        budget.draw("own-5f2a", "eu-west-1", "ListTasks")
