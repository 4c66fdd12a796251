"""Do the demo diagnoses say the same as before? Fewer round trips must never drop a read.

Every demo service is diagnosed against a fresh emulator and its JSON compared with the answers
recorded in bench/data/demo_answers.json, with what changes from run to run set aside: times,
the emulator's random ids and addresses (tasks, instances, target groups, secrets'
suffixes, deployments, private IPs) and the order of
lists that follows them. Any other difference fails (exit status 1).

    python -m bench.same_answers [--record]
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from bot.cache import MemoryStore
from bot.demo.run import diagnose_demo_account, emulated_demo_account
from bot.render.json import diagnosis_to_json
from bot.service import Diagnoser
from bot.settings import Settings

RECORDED = Path(__file__).parent / "data" / "demo_answers.json"
RANDOM = (
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?"), "<time>"),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
    (re.compile(r"\b[0-9a-f]{32}\b"), "<id>"),
    (re.compile(r"(targetgroup/[\w-]+)/[0-9a-f]{16}\b"), r"\1/<id>"),
    (re.compile(r"\b([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?\b"), "<clock>"),
    (re.compile(r"ecs-svc/\d+"), "ecs-svc/<n>"),
    (re.compile(r"\b10(\.\d{1,3}){3}\b"), "<private ip>"),
    (re.compile(r"(:secret:[\w/+=.@-]+)-[A-Za-z0-9]{6}\b"), r"\1-<suffix>"),
    (
        re.compile(r"\b(i|eni|subnet|sg|vpc|vpce|rtb|igw|nat|fs|fsmt|pl)-[0-9a-f]{8,17}\b"),
        r"\1-<x>",
    ),
)


def steady(value: Any) -> Any:
    """`value` with what differs between two runs of the same demo set aside."""
    if isinstance(value, str):
        for pattern, replacement in RANDOM:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, dict):
        return {key: steady(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [steady(item) for item in value]
        # Lists of words follow the random ids they name: their order is not an answer.
        return sorted(items) if all(isinstance(i, str) for i in items) else items
    return value


def demo_answers() -> list[Any]:
    """Every demo service's diagnosis as JSON, steadied, in the scenarios' order."""
    with emulated_demo_account() as env:
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)
        diagnoser = Diagnoser(Settings(redis_url=None), MemoryStore())
        try:
            return [steady(diagnosis_to_json(d)) for d in diagnose_demo_account(diagnoser)]
        finally:
            diagnoser.close()
            os.environ.clear()
            os.environ.update(saved)


def differences(recorded: list[Any], now: list[Any]) -> list[str]:
    """A unified diff of the two sets of answers; empty when they agree."""
    before = json.dumps(recorded, indent=1, sort_keys=True).splitlines()
    after = json.dumps(now, indent=1, sort_keys=True).splitlines()
    return list(difflib.unified_diff(before, after, "recorded", "now", lineterm=""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--record", action="store_true", help="record these answers instead")
    args = parser.parse_args()
    answers = demo_answers()
    if args.record:
        RECORDED.write_text(json.dumps(answers, indent=1, sort_keys=True) + "\n")
        print(f"recorded {len(answers)} demo diagnoses in {RECORDED}")
        return
    diff = differences(json.loads(RECORDED.read_text()), answers)
    print("\n".join(diff[:200]))
    print(f"{len(answers)} demo diagnoses: " + ("different" if diff else "the same as recorded"))
    sys.exit(1 if diff else 0)


if __name__ == "__main__":
    main()
