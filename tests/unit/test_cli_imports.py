"""The CLI answers `--help` and a malformed target without loading AWS, Redis, Slack or moto."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import boto3
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


def run_script(
    script: str, *argv: str, unset: tuple[str, ...] = ()
) -> tuple[dict[str, object], subprocess.CompletedProcess[str]]:
    """`script` run with `argv` in a new interpreter, without the variables `unset`: its
    report (the last line it wrote to stderr) and what it printed."""
    env = {k: v for k, v in os.environ.items() if k not in unset}
    result = subprocess.run(
        [sys.executable, "-c", script, *argv], capture_output=True, text=True, check=False, env=env
    )
    report: dict[str, object] = json.loads(result.stderr.strip().splitlines()[-1])
    return report, result


def probe(*argv: str) -> dict[str, object]:
    return run_script(f"HEAVY = {HEAVY!r}\n{PROBE}", *argv)[0]


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


FIRST_REQUEST = """
import json, sys
import botocore.endpoint
from bot.cli import main

seen = []
send = botocore.endpoint.Endpoint._send

def first(self, request):  # what is loaded when the first request leaves
    if not seen:
        seen.extend(sorted({name.split(".")[0] for name in sys.modules} & set(HEAVY)))
        seen.extend(name for name in OURS if name in sys.modules)
    return send(self, request)

botocore.endpoint.Endpoint._send = first
code = main(sys.argv[1:])
print(json.dumps({"code": code, "loaded": seen}), file=sys.stderr)
"""


def test_the_first_request_leaves_before_anything_it_does_not_need(aws_env: str) -> None:
    """Without REDIS_URL no Redis client; the reasoning and the renderers load while the first
    reads are in flight, not before them."""
    ecs = boto3.client("ecs")
    ecs.create_cluster(clusterName="prod")
    definition = ecs.register_task_definition(
        family="api", containerDefinitions=[{"name": "app", "image": "nginx", "memory": 64}]
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(cluster="prod", serviceName="api", taskDefinition=definition)
    ours = ("bot.reason", "bot.checks.patterns", "bot.render.json", "bot.render.text")
    script = f"HEAVY = {HEAVY!r}\nOURS = {ours!r}\n{FIRST_REQUEST}"
    report, result = run_script(
        script, "diagnose", "prod/api", "--format", "json", unset=("REDIS_URL",)
    )
    assert report == {"code": 0, "loaded": ["boto3", "botocore"]}, result.stderr
    assert json.loads(result.stdout)["target"]["service"] == "api"


PLUGINS = """
import json, os, sys
exit_now = os._exit

def report(code):  # what `run` leaves behind, said just before it exits
    loader = sys.modules.get("pydantic.plugin._loader")
    scanned = loader is not None and loader._plugins is not None
    print(json.dumps({"code": code, "scanned": scanned}), file=sys.stderr, flush=True)
    exit_now(code)

os._exit = report
from bot.cli import run
run()
"""


def test_a_run_does_not_look_for_pydantic_plugins(aws_env: str) -> None:
    """pydantic's plugin lookup reads every installed distribution's metadata: ecs-why has no
    plugin, and its command skips the lookup (a model is built: the target is looked for)."""
    report, result = run_script(
        PLUGINS,
        *("diagnose", "nowhere/api", "--format", "json"),
        unset=("REDIS_URL", "PYDANTIC_DISABLE_PLUGINS"),
    )
    assert report == {"code": 2, "scanned": False}, result.stderr
