"""The checklist as a whole: one check per step, in order, covering every cause code once."""

from __future__ import annotations

import re
from string import Formatter

import pytest

from bot.checks import CHECKS, KNOWLEDGE, PERMISSIONS, run_checks
from bot.checks.base import Knowledge
from bot.model import STEPS, Cause, Step
from tests import facts_builder as fb

# CONTRACT.md §4: which step each cause code belongs to (`unknown` goes wherever evidence points).
CONTRACT = {
    Step.STOPPED_REASON: "deployment-or-scale-in stopped-by-user spot-interruption infrastructure "
    "task-failed-to-start",
    Step.EXIT_CODE: "app-crash exec-permission-denied command-not-found out-of-memory segfault "
    "sigterm",
    Step.LOGS: "log-group-missing log-config-invalid",
    Step.IMAGE: "image-not-found ecr-permission-denied registry-auth platform-mismatch",
    Step.IAM: "execution-role-missing role-not-found trust-policy secrets-access-denied "
    "task-role-missing",
    Step.NETWORK: "no-route-to-internet missing-vpc-endpoint security-group-no-egress "
    "efs-mount-failed",
    Step.RESOURCES: "insufficient-cpu insufficient-memory no-container-instances fargate-capacity "
    "service-quota port-in-use disk-full",
    Step.HEALTH_CHECK: "health-check-start-period health-check-failing health-check-port-mismatch "
    "elb-health-check",
}
ALL_KNOWLEDGE = [k for check in CHECKS for k in check.knowledge]


def test_one_check_per_step_in_checklist_order() -> None:
    assert tuple(check.step for check in CHECKS) == STEPS


def test_every_cause_code_is_known_exactly_once() -> None:
    assert sorted(k.code for k in ALL_KNOWLEDGE) == sorted(Cause)
    assert set(KNOWLEDGE) == set(Cause)


@pytest.mark.parametrize("knowledge", ALL_KNOWLEDGE, ids=[k.code.value for k in ALL_KNOWLEDGE])
def test_each_cause_lives_in_its_contract_step(knowledge: Knowledge) -> None:
    if knowledge.code is Cause.UNKNOWN:
        return
    assert knowledge.code.value in CONTRACT[knowledge.step].split()


@pytest.mark.parametrize("knowledge", ALL_KNOWLEDGE, ids=[k.code.value for k in ALL_KNOWLEDGE])
def test_each_title_says_what_is_wrong(knowledge: Knowledge) -> None:
    fields = [name for _, name, _, _ in Formatter().parse(knowledge.title) if name]
    assert all(name.isidentifier() for name in fields)
    assert not knowledge.title.endswith(".")


def test_the_knowledge_a_cause_is_explained_by_is_real() -> None:
    for knowledge in ALL_KNOWLEDGE:
        assert knowledge.code not in knowledge.explained_by
        assert all(root in KNOWLEDGE for root in knowledge.explained_by)


def test_every_check_declares_the_iam_actions_it_relies_on() -> None:
    for check in CHECKS:
        assert check.permissions
        assert all(re.fullmatch(r"[a-z0-9-]+:[A-Z][A-Za-z]+", a) for a in check.permissions)
    assert list(PERMISSIONS) == sorted(set(PERMISSIONS))
    assert {"ecs:DescribeTasks", "iam:GetRole", "ec2:DescribeRouteTables"} <= set(PERMISSIONS)


def test_all_checks_are_quiet_on_a_healthy_service() -> None:
    assert run_checks(fb.facts()) == []
    assert run_checks(fb.on_ec2()) == []
