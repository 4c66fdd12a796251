"""The fixes' toolkit and what holds for every fix: a sound step from almost no facts, the
rules every cause shares, and no fix that reads the words a check wrote."""

from __future__ import annotations

import ast
import importlib
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.checks import CHECKS, fixes
from bot.checks.base import Knowledge
from bot.checks.exit_code import APP_CRASH
from bot.checks.fixes import grant_read
from bot.checks.resources import NO_CONTAINER_INSTANCES
from bot.model import Cause, Fact, Facts, Finding, Particulars, Step, Target
from tests import facts_builder as fb
from tests.aws_cli import problems

PLACEHOLDER = re.compile(r"<[a-z][^>]*>")
CHECKS_DIR = Path(fixes.__file__).parent
WORDS = frozenset({"title", "evidence"})


def test_the_cli_model_check_can_fail() -> None:
    assert problems("aws ecs describe-services --cluster c --services s") == []
    assert problems("aws ecs describe-services --cluster c --servics s") == [
        "ecs describe-services has no option --servics",
        "ecs describe-services needs --services",
    ]
    assert problems("aws ecs describe-servicez") == ["ecs has no operation describe-servicez"]
    assert problems("aws ecs 'unclosed") == ["does not parse: No closing quotation"]
    assert (
        problems("aws ec2 create-vpc-endpoint --vpc-id v --service-name s --no-private-dns-enabled")
        == []
    )


@pytest.mark.parametrize("cause", list(Cause), ids=[c.value for c in Cause])
def test_with_almost_no_facts_every_cause_still_gets_a_sound_next_step(cause: Cause) -> None:
    facts = Facts(
        target=Target(), region="us-east-1", collected_at=datetime(2025, 1, 1, tzinfo=UTC)
    )
    finding = Finding(code=cause, step=Step.STOPPED_REASON, severity="error", title="t")
    step = CHECKS.next_step(finding, facts)
    assert step.action
    assert not PLACEHOLDER.search(step.action)
    for line in (step.command or "").splitlines():
        assert problems(line) == [], line


def test_a_fault_fixed_since_asks_for_new_tasks_whatever_the_cause() -> None:
    crash = fb.stopped(1, exit_code=1)
    step = fb.fixed(
        APP_CRASH, fb.failing(crash), particulars=Particulars(fixed_since=True, quoted="boom")
    )
    assert step.action.startswith("Today's configuration no longer shows this fault")
    assert step.command == (
        f"aws ecs update-service --cluster {fb.CLUSTER} --service {fb.SERVICE} "
        "--force-new-deployment"
    )


def test_tasks_waiting_for_a_provider_without_managed_scaling_get_it_turned_on() -> None:
    step = fb.fixed(
        NO_CONTAINER_INSTANCES, fb.on_ec2(), particulars=Particulars(unscaled_providers=("cp",))
    )
    assert "Capacity provider cp has managed scaling off" in step.action
    assert step.command == (
        "aws ecs update-capacity-provider --name cp --auto-scaling-group-provider "
        "'managedScaling={status=ENABLED,targetCapacity=100}'"
    )
    assert step.console_label == "Cluster infrastructure"


def test_tasks_waiting_for_a_group_that_does_not_grow_get_its_scaling_activities() -> None:
    step = fb.fixed(
        NO_CONTAINER_INSTANCES, fb.on_ec2(), particulars=Particulars(stuck_groups=("asg-1",))
    )
    assert "ECS scales Auto Scaling group asg-1, yet it does not grow" in step.action
    assert step.command == (
        "aws autoscaling describe-scaling-activities --auto-scaling-group-name asg-1 "
        "--max-records 5"
    )


def test_a_refused_read_asks_for_the_permission_at_the_step_it_hid() -> None:
    gap = fb.gap(Fact.ROLES, "iam:GetRole")
    step = grant_read(gap, Step.IAM)
    assert step.step is Step.IAM
    assert "Grant iam:GetRole to the role ecs-why runs as" in step.action
    assert step.command is None


# --------------------------------------------------------------------------- the words guard


def words_read(source: str, whole: bool = False) -> list[str]:
    """Where the fixes of a module read a finding's title or evidence: its `@fix` functions and
    every function of the module they call (all of the module, `whole`, for the toolkit)."""
    tree = ast.parse(source)
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    todo: list[ast.AST] = (
        [tree]
        if whole
        else [f for f in functions.values() if any(_is_fix(d) for d in f.decorator_list)]
    )
    seen: list[ast.AST] = []
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.append(node)
        called = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        todo += [functions[name] for name in called if name in functions]
    return sorted(
        {
            f"{getattr(node, 'name', 'module')} reads .{n.attr} (line {n.lineno})"
            for node in seen
            for n in ast.walk(node)
            if isinstance(n, ast.Attribute) and n.attr in WORDS
        }
    )


def _is_fix(decorator: ast.expr) -> bool:
    return isinstance(decorator, ast.Name) and decorator.id == "fix"


def _check_modules() -> list[Path]:
    return sorted(p for p in CHECKS_DIR.glob("*.py") if "@fix\n" in p.read_text())


def test_every_cause_s_fix_is_found_by_the_guard() -> None:
    """The guard walks the modules whose `@fix` functions are the causes' fixes."""
    names = {
        node.name
        for path in _check_modules()
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.FunctionDef) and any(_is_fix(d) for d in node.decorator_list)
    }
    assert {knowledge.fix.__name__ for knowledge in CHECKS.knowledge.values()} <= names


@pytest.mark.parametrize("path", _check_modules(), ids=lambda p: p.stem)
def test_no_fix_reads_the_words_a_check_wrote(path: Path) -> None:
    """A fix acts on the typed particulars the check read, never on its title or evidence."""
    assert words_read(path.read_text()) == []


def test_the_toolkit_reads_no_words_either() -> None:
    assert words_read(Path(fixes.__file__).read_text(), whole=True) == []


def test_the_guard_catches_a_read_planted_in_a_helper_of_a_fix() -> None:
    source = (CHECKS_DIR / "exit_code.py").read_text()
    planted = source.replace(
        "    line = particulars.quoted\n", "    line = scene.cause.evidence[0].text\n", 1
    )
    assert planted != source
    assert [r.split(" (")[0] for r in words_read(planted)] == ["_fix_app_crash reads .evidence"]
    helper = """
@fix
def _fix_it(scene):
    return scene.step(_said(scene))


def _said(scene):
    return scene.cause.title
"""
    assert [r.split(" (")[0] for r in words_read(helper)] == ["_said reads .title"]
    toolkit = "class Scene:\n    def said(self):\n        return self.cause.evidence\n"
    assert [r.split(" (")[0] for r in words_read(toolkit, whole=True)] == ["module reads .evidence"]


# --------------------------------------------------------------------------- a test per fix


def _fixed_in_tests(path: Path) -> set[str]:
    """The names used by the tests of a module that build a fix (`fb.fixed`), decorators too."""
    named: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        calls = [
            n
            for n in ast.walk(node)
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "fixed"
        ]
        if calls:
            everything = [node, *node.decorator_list]
            named |= {
                n.id for part in everything for n in ast.walk(part) if isinstance(n, ast.Name)
            }
            named |= {
                n.attr
                for part in everything
                for n in ast.walk(part)
                if isinstance(n, ast.Attribute)
            }
    return named


@pytest.mark.parametrize("path", _check_modules(), ids=lambda p: p.stem)
def test_every_cause_s_fix_has_a_test_beside_its_check_s(path: Path) -> None:
    module = importlib.import_module(f"bot.checks.{path.stem}")
    declared = {name for name, value in vars(module).items() if isinstance(value, Knowledge)}
    declared = {
        name for name in declared if getattr(module, name).fix.__module__ == module.__name__
    }
    tests = Path(__file__).parent / f"test_{path.stem}.py"
    assert declared - _fixed_in_tests(tests) == set()
