"""The CLI answers `--help` and a malformed target without loading AWS, Redis, Slack or moto."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("boto3", "botocore", "redis", "slack_sdk", "slack_bolt", "moto", "rich")

PROBE = """
import json, sys
from bot.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(HEAVY))
print(json.dumps({"code": code, "loaded": loaded}), file=sys.stderr)
"""


def probe(*argv: str) -> dict[str, object]:
    script = f"HEAVY = {HEAVY!r}\n{PROBE}"
    result = subprocess.run(
        [sys.executable, "-c", script, *argv], capture_output=True, text=True, check=False
    )
    report: dict[str, object] = json.loads(result.stderr.strip().splitlines()[-1])
    return report


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (("--help",), 0),
        (("diagnose", "--help"), 0),
        (("diagnose", "not a target"), 2),
        (("diagnose", "arn:aws:ecs:us-east-1:1:task"), 2),
    ],
)
def test_answers_without_heavy_imports(argv: tuple[str, ...], code: int) -> None:
    report = probe(*argv)
    assert report == {"code": code, "loaded": []}
