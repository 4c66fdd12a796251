"""Every command on a card runs where the diagnosis read: its region, and a configured
account's CLI profile."""

from __future__ import annotations

from datetime import timedelta

import pytest

import tests.facts_builder as fb
from bot.reason.scope import scoped, with_scope
from bot.settings import Settings
from tests.aws_cli import problems

COMMAND = "aws ecs describe-services --cluster production --services api"


def test_each_aws_line_gets_the_region_and_the_profile_once() -> None:
    two = f"{COMMAND}\naws logs create-log-group --log-group-name /ecs/api --region eu-west-1"
    assert scoped(two, "us-east-1", "prod-ro").splitlines() == [
        f"{COMMAND} --region us-east-1 --profile prod-ro",
        "aws logs create-log-group --log-group-name /ecs/api --region eu-west-1 --profile prod-ro",
    ]
    assert scoped(COMMAND, "us-east-1") == f"{COMMAND} --region us-east-1"
    assert problems(scoped(COMMAND, "us-east-1", "prod-ro")) == []


def test_a_diagnosis_keeps_everything_but_its_command_scoped() -> None:
    said = fb.real("image-not-found", "not found")
    diagnosis = fb.diagnose(fb.failing(fb.stopped(reason=said, stop_code="TaskFailedToStart")))
    scoped_one = with_scope(diagnosis, "prod-ro")
    assert scoped_one.next_step is not None
    assert diagnosis.next_step is not None
    assert scoped_one.next_step.command == (
        f"{diagnosis.next_step.command} --region {diagnosis.region} --profile prod-ro"
    )
    assert scoped_one.model_copy(update={"next_step": diagnosis.next_step}) == diagnosis


def test_a_configured_account_may_name_its_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    accounts = (
        '{"prod": {"role_arn": "arn:aws:iam::111122223333:role/ecs-why-reader", '
        '"profile": "prod-readonly"}}'
    )
    monkeypatch.setenv("ECS_WHY_ACCOUNTS", accounts)
    assert Settings().accounts["prod"].profile == "prod-readonly"


def test_the_memory_metrics_cover_the_stops_not_the_last_three_hours() -> None:
    nine_hours_ago = fb.NOW - timedelta(hours=9)
    stops = tuple(
        fb.stopped(
            n,
            "OutOfMemoryError: Container killed due to memory usage",
            exit_code=137,
            stopped_at=nine_hours_ago + timedelta(minutes=6 * n),
        )
        for n in (1, 2)
    )
    step = fb.diagnose(fb.failing(*stops)).next_step
    assert step is not None
    assert step.command is not None
    assert "MemoryUtilization" in step.command
    assert "--start-time 2024-05-01T02:06:00Z --end-time 2024-05-01T03:27:00Z" in step.command
