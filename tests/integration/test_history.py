"""Time, against the demo account in the emulator: what changed since the last healthy
revision, and the stopped tasks only the event archive (deploy/event-archive.yaml) remembers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto.ecs.models import ecs_backends

from bot.aws.archive import read_archive
from bot.cache import MemoryStore
from bot.demo.emulator import REGION
from bot.demo.scenarios import CART_ENV_VALUE
from bot.demo.traffic import EmulatorServer, Faults
from bot.model import Changes, Diagnosis, FieldChange, Target
from bot.render.blocks import render_card
from bot.render.evidence import evidence_lines
from bot.render.history import ARCHIVE_HINT
from bot.render.json import diagnosis_to_json
from bot.service import Diagnoser
from bot.settings import Settings
from tests.integration.conftest import run_cli

GROUP = "/aws/events/ecs-why"
# The demo turned on AWS's own event capture for its production cluster (bot/demo/archive.py).
CAPTURED = "/aws/events/ecs/containerinsights/production/performance"
CART = Target(cluster="production", service="cart-api")
# A cluster without AWS's capture: its history is our archive's.
SHIPPING = Target(cluster="platform", service="shipping-api")
NIGHTLY = Target(cluster="production", service="nightly-reports")


@pytest.fixture
def diagnoser(account: dict[str, str]) -> Iterator[Diagnoser]:
    diagnoser = Diagnoser(Settings(diagnosis_ttl=0), MemoryStore())
    yield diagnoser
    diagnoser.close()


def cli_json(env: dict[str, str], target: str, *extra: str) -> dict[str, Any]:
    result = run_cli(env, "diagnose", target, "--format", "json", *extra)
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


# ----------------------------------------------------------------------------- what changed


def test_a_new_revision_that_changed_image_and_memory_is_named_with_before_and_after(
    account: dict[str, str],
) -> None:
    document = cli_json(account, "production/cart-api")

    changes = document["changes"]
    assert (changes["from"]["revision"], changes["to"]["revision"]) == (1, 2)
    assert changes["from"]["task_definition"].endswith("task-definition/cart-api:1")
    fields = {(f["container"], f["field"]): (f["before"], f["after"]) for f in changes["fields"]}
    before, after = fields[("cart-api", "image")]
    assert (before.endswith("cart-api:2.0.3"), after.endswith("cart-api:2.1.0")) == (True, True)
    assert fields[("cart-api", "memory")] == ("1024", "512")
    assert fields[("cart-api", "secrets")] == ("", "added: STRIPE_KEY")
    assert fields[("cart-api", "environment")] == ("", "added: WEBHOOK_URL")


def test_environment_values_never_appear(account: dict[str, str], diagnoser: Diagnoser) -> None:
    diagnosis = diagnoser.diagnose(CART)
    shown = [
        json.dumps(diagnosis_to_json(diagnosis)),
        json.dumps(render_card(diagnosis), ensure_ascii=False),
        run_cli(account, "diagnose", "production/cart-api").stdout,
    ]

    assert diagnosis.changes is not None
    assert not [text for text in shown if CART_ENV_VALUE in text]
    assert "Changed in revision 1 → 2: image 2.0.3 → 2.1.0 · memory 1024 → 512" in shown[1]
    assert "Changed since the last healthy deployment (revision 1 → 2)" in shown[2]


def test_a_crash_that_began_with_the_new_revision_offers_the_rollback(
    diagnoser: Diagnoser,
) -> None:
    diagnosis = diagnoser.diagnose(CART)

    assert diagnosis.cause is not None
    assert diagnosis.cause.code == "app-crash"
    assert any(
        line.startswith("began with revision 2")
        for line in evidence_lines(diagnosis.cause.evidence)
    )
    assert diagnosis.next_step is not None
    assert diagnosis.next_step.command == (
        "aws ecs update-service --cluster production --service cart-api "
        "--task-definition cart-api:1 --region us-east-1"
    )
    assert "roll back to cart-api:1" in diagnosis.next_step.action


def test_the_deployments_api_gives_the_baseline_and_the_resolved_digests(
    diagnoser: Diagnoser,
) -> None:
    diagnosis = diagnoser.diagnose(CART)

    assert diagnosis.changes is not None
    assert diagnosis.changes.source == "deployments-api"
    [digest] = [f for f in diagnosis.changes.fields if f.field == "imageDigest"]
    assert digest.before.startswith("sha256:")
    assert digest.after.startswith("sha256:")
    assert digest.before != digest.after


def without_digests(changes: Changes | None) -> tuple[str, list[FieldChange]]:
    assert changes is not None
    return changes.from_arn, [f for f in changes.fields if f.field != "imageDigest"]


def test_with_the_deployments_api_unavailable_the_fallbacks_find_the_same_baseline(
    emulator: EmulatorServer, diagnoser: Diagnoser
) -> None:
    """Refused, the API gives way to the service's deployments[]; once the ACTIVE deployment
    has drained too (as after a finished rollout), to the family's revisions."""
    best = diagnoser.diagnose(CART, fresh=True)
    service = ecs_backends["123456789012"][REGION].services["production:cart-api"]
    with emulator.traffic.inject(Faults(deny=frozenset({"ecs:ListServiceDeployments"}))):
        live = diagnoser.diagnose(CART, fresh=True)
        active = service.deployments.pop()  # what ECS shows once the old tasks are gone
        try:
            family = diagnoser.diagnose(CART, fresh=True)
        finally:
            service.deployments.append(active)

    sources = [d.changes.source if d.changes else None for d in (best, live, family)]
    assert sources == ["deployments-api", "deployments", "family"]
    assert without_digests(live.changes) == without_digests(best.changes)
    assert without_digests(family.changes) == without_digests(best.changes)
    assert not [g for g in (*live.gaps, *family.gaps) if "ServiceDeployments" in g.action]


# ----------------------------------------------------------------------------- the archive


def test_an_ecs_event_put_on_the_bus_lands_in_the_group_the_bot_reads(
    account: dict[str, str],
) -> None:
    """deploy/event-archive.yaml, deployed by the demo through moto's CloudFormation."""
    logs, events = boto3.client("logs"), boto3.client("events")
    [group] = logs.describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"]
    assert group.get("retentionInDays") == 30
    policies = logs.describe_resource_policies()["resourcePolicies"]
    assert any("events.amazonaws.com" in p.get("policyDocument", "") for p in policies)
    arn = f"arn:aws:ecs:{REGION}:123456789012:task/production/{'e' * 32}"
    detail = {
        "taskArn": arn,
        "clusterArn": f"arn:aws:ecs:{REGION}:123456789012:cluster/production",
        "taskDefinitionArn": f"arn:aws:ecs:{REGION}:123456789012:task-definition/bus-test:1",
        "group": "service:bus-test",
        "desiredStatus": "STOPPED",
        "stopCode": "EssentialContainerExited",
        "stoppedReason": "Essential container in task exited",
        "containers": [{"name": "app", "exitCode": 1, "lastStatus": "STOPPED"}],
    }
    for version, status in ((1, "RUNNING"), (2, "STOPPED")):
        entry = {**detail, "version": version, "lastStatus": status}
        events.put_events(
            Entries=[
                {
                    "Source": "aws.ecs",
                    "DetailType": "ECS Task State Change",
                    "Resources": [arn],
                    "Detail": json.dumps(entry),
                }
            ]
        )

    read = read_archive(
        logs,
        GROUP,
        cluster="production",
        service="bus-test",
        since=datetime.now(UTC) - timedelta(hours=1),
    )

    assert read.found
    assert [(t.arn, t.last_status) for t in read.stops] == [(arn, "STOPPED")]
    assert read.requests == 1


def test_stops_only_the_archive_holds_are_diagnosed(account: dict[str, str]) -> None:
    document = cli_json(account, "production/nightly-reports", "--since", "12h")

    # killed three times 9 hours ago, running steadily since
    assert (document["status"], document["service_state"]) == ("healthy", "recovered")
    assert document["cause"]["code"] == "out-of-memory"
    history = document["history"]
    # Each stop was delivered twice (the same detail.version): each counts once.
    assert (history["source"], history["stops"]) == ("archive", 3)
    assert history["by_cause"] == {"out-of-memory": 3}
    nine_hours_ago = datetime.now(UTC) - timedelta(hours=9)
    last = datetime.fromisoformat(history["last"])
    assert abs(last - nine_hours_ago) < timedelta(minutes=5)
    assert datetime.fromisoformat(history["first"]) < last


def test_since_narrows_and_widens_the_window(diagnoser: Diagnoser) -> None:
    wide = diagnoser.diagnose(NIGHTLY, since=timedelta(days=2))
    narrow = diagnoser.diagnose(NIGHTLY, since=timedelta(hours=6))
    default = diagnoser.diagnose(NIGHTLY)

    assert wide.history is not None
    assert narrow.history is not None
    assert default.history is not None
    # Killed three times 9 hours ago, running steadily since: recovered, with its history.
    assert (wide.service_state, wide.status, wide.history.stops) == ("recovered", "healthy", 3)
    assert (narrow.status, narrow.history.stops) == ("healthy", 0)
    assert (default.status, default.history.stops) == ("healthy", 0)
    assert narrow.history.since > wide.history.since


def test_a_malformed_line_is_skipped_and_counted(
    account: dict[str, str], diagnoser: Diagnoser
) -> None:
    logs = boto3.client("logs")
    logs.create_log_stream(logGroupName=CAPTURED, logStreamName="garbled")
    logs.put_log_events(
        logGroupName=CAPTURED,
        logStreamName="garbled",
        logEvents=[
            {
                "timestamp": int(datetime.now(UTC).timestamp() * 1000),
                "message": '{"source": "aws.ecs", "detail-type": "ECS Task State Change", '
                '"detail": {"group": "service:nightly-reports", "taskArn": 7',
            }
        ],
    )

    diagnosis = diagnoser.diagnose(NIGHTLY, since=timedelta(hours=12))

    assert diagnosis.history is not None
    assert diagnosis.history.skipped == 1
    assert (diagnosis.history.stops, diagnosis.service_state) == (3, "recovered")


def test_reading_the_archives_is_one_filtered_query_each(
    emulator: EmulatorServer, diagnoser: Diagnoser
) -> None:
    """AWS's capture and our archive, asked side by side: one query each, no scan."""
    emulator.traffic.reset()

    diagnoser.diagnose(NIGHTLY, since=timedelta(hours=12))

    # Our archive's one query and AWS's capture's, side by side, and one for the stopped task
    # in the cluster's Container Insights performance log (production has it on).
    assert emulator.traffic.counts()["logs:FilterLogEvents"] == 3


def test_without_an_archive_the_diagnosis_is_as_before_plus_how_to_add_one(
    account: dict[str, str], diagnoser: Diagnoser
) -> None:
    """Neither AWS's capture (the platform cluster has none) nor ours."""
    without = Diagnoser(Settings(events_log_group="/aws/events/none-here"), MemoryStore())
    try:
        bare: Diagnosis = without.diagnose(SHIPPING)
    finally:
        without.close()
    kept = diagnoser.diagnose(SHIPPING)

    assert (bare.status, bare.cause) == (kept.status, kept.cause)
    assert (bare.history, bare.archive_missing) == (None, True)
    assert diagnosis_to_json(bare)["history"] is None
    card = json.dumps(render_card(bare))
    assert card.count("No event history") == 1
    assert "event capture" in card
    assert "deploy/event-archive.yaml" in card
    assert ARCHIVE_HINT.split(":")[0] in card


# ------------------------------------------------------------------- AWS's own history first


def test_where_aws_captures_the_cluster_its_history_is_read_and_named(
    account: dict[str, str],
) -> None:
    """Both archives hold nightly-reports' stops: AWS's is the one read, and the card, the
    terminal and the JSON say so."""
    ours = read_archive(
        boto3.client("logs"),
        GROUP,
        cluster="production",
        service="nightly-reports",
        since=datetime.now(UTC) - timedelta(hours=12),
    )
    document = cli_json(account, "production/nightly-reports", "--since", "12h")
    text = run_cli(account, "diagnose", "production/nightly-reports", "--since", "12h").stdout

    assert len(ours.stops) == 3  # ours holds them too
    history = document["history"]
    assert (history["source"], history["stops"]) == ("archive", 3)
    assert (history["archive_source"], history["archive_group"]) == ("aws-event-capture", CAPTURED)
    assert "From AWS's ECS event capture: 3 stops (3 out-of-memory)" in " ".join(text.split())


def test_without_aws_capture_our_archive_is_read_and_named(diagnoser: Diagnoser) -> None:
    diagnosis = diagnoser.diagnose(SHIPPING)

    assert diagnosis.history is not None
    assert diagnosis.history.archive_source == "ecs-why-archive"
    assert diagnosis.history.archive_group == GROUP
    assert diagnosis_to_json(diagnosis)["history"]["archive_source"] == "ecs-why-archive"


def test_an_empty_aws_capture_is_still_preferred_once_it_exists(
    account: dict[str, str], diagnoser: Diagnoser
) -> None:
    """A team that turned AWS's capture on gets it, even before it holds the window."""
    logs = boto3.client("logs")
    group = "/aws/events/ecs/containerinsights/platform/performance"
    logs.create_log_group(logGroupName=group)
    try:
        diagnosis = diagnoser.diagnose(SHIPPING, fresh=True)
    finally:
        logs.delete_log_group(logGroupName=group)

    assert diagnosis.history is not None
    assert (diagnosis.history.archive_source, diagnosis.history.archive_group) == (
        "aws-event-capture",
        group,
    )
