"""Hostile archive lines: whatever a line holds, it becomes an event or a BadLine with a reason,
never an exception, and nothing downstream (incidents, a diagnosis's window) breaks on it."""

from __future__ import annotations

import copy
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.archive import parse_lines
from bot.events import MAX_DEPTH, MAX_LINE, ArchiveEvent, BadLine, parse_event, too_deep
from bot.watch.incidents import apply_all
from bot.watch.intake import read_lines
from tests.facts_builder import CLUSTER, NOW, SERVICE
from tests.unit.test_archive import task_change

GOOD = task_change(1)


def with_detail(**fields: Any) -> str:
    """The documented task change with some detail fields replaced."""
    event = json.loads(GOOD)
    event["detail"].update(fields)
    return json.dumps(event)


def parsed(line: str) -> ArchiveEvent:
    event = parse_event(line, NOW)
    assert isinstance(event, ArchiveEvent), event
    return event


def refused(line: str) -> str:
    event = parse_event(line, NOW)
    assert isinstance(event, BadLine), event
    return event.reason


def test_the_documented_event_is_read_with_its_times_in_utc() -> None:
    event = parsed(GOOD)
    assert event.detail.stopped_at == NOW - timedelta(hours=9)
    assert event.detail.stopped_at.tzinfo is UTC
    assert event.account_and_region == ("123456789012", "us-east-1")


def test_a_zone_less_time_is_read_as_utc_and_an_offset_is_shifted_to_utc() -> None:
    assert parsed(with_detail(stoppedAt="2024-05-01T03:00:00")).detail.stopped_at == datetime(
        2024, 5, 1, 3, tzinfo=UTC
    )
    shifted = parsed(with_detail(stoppedAt="2024-05-01T05:00:00+02:00")).detail.stopped_at
    assert shifted == datetime(2024, 5, 1, 3, tzinfo=UTC)
    assert shifted is not None
    assert shifted.tzinfo is UTC


@pytest.mark.parametrize(
    "when",
    [
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00+02:00",  # shifting it to UTC would overflow
        "9999-12-31T23:59:59-23:59",
        "2013-12-31T23:59:59Z",
        "2024-05-03T00:00:00Z",  # two days after NOW
        "yesterday",
        1714532400,
    ],
)
def test_a_time_out_of_range_or_not_a_time_is_refused_by_its_field(when: object) -> None:
    assert refused(with_detail(stoppedAt=when)).startswith("detail.stoppedAt")


def test_a_line_nested_5000_deep_is_refused_without_parsing_it() -> None:
    deep = '{"a":' * 5000 + "1" + "}" * 5000
    assert refused(deep) == f"nested deeper than {MAX_DEPTH}"
    assert refused("[" * 100_000) == f"nested deeper than {MAX_DEPTH}"


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    reason = '[[[[{{{{ "quoted" \\" ' * 20 + "]]"
    assert parsed(with_detail(stoppedReason=reason)).detail.stopped_reason == reason


def test_an_oversized_line_is_refused_before_any_parsing() -> None:
    huge = '{"a":"' + "x" * (10 * 1024 * 1024) + '"}'
    started = time.perf_counter()
    assert refused(huge) == f"longer than {MAX_LINE // 1024} KiB"
    assert time.perf_counter() - started < 0.05


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"version": "4"}, "detail.version"),
        ({"version": True}, "detail.version"),
        ({"containers": [{"name": "app", "exitCode": "137"}]}, "detail.containers.0.exitCode"),
        ({"containers": "app"}, "detail.containers"),
        ({"attachments": ["eni"]}, "detail.attachments.0"),
        ({"taskArn": ["arn"]}, "detail.taskArn"),
    ],
)
def test_fields_we_use_must_be_of_their_type(fields: dict[str, Any], field: str) -> None:
    assert refused(with_detail(**fields)).startswith(field)


def test_what_is_no_ecs_event_says_so() -> None:
    assert refused("not json") == "not JSON"
    assert refused("[1, 2]") == "not a JSON object"
    assert refused(json.dumps({"source": "aws.ec2"})) == "not an ECS event"
    other = json.loads(GOOD) | {"detail-type": "ECS Container Instance State Change"}
    assert refused(json.dumps(other)) == "an ECS event of a type not archived"


def test_the_arns_in_the_detail_say_what_an_event_is_about_not_the_envelope() -> None:
    arn = "arn:aws:ecs:eu-west-1:210987654321:task/production/" + "b" * 32
    line = with_detail(
        taskArn=arn, clusterArn="arn:aws:ecs:eu-west-1:210987654321:cluster/production"
    )
    assert parsed(line).account_and_region == ("210987654321", "eu-west-1")


# ----------------------------------------------------------------------------- properties

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)
# Values that broke or could break a reader: times without a zone or out of range, huge and odd
# numbers, wrong types, deep nesting, strings with brackets and escapes.
HOSTILE = (
    st.sampled_from(
        [
            "2024-05-01T03:00:00",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2024-05-01T03:00:00+14:00",
            "2024-02-30T00:00:00Z",
            10**400,
            -1,
            1e308,
            float("nan"),
            True,
            "",
            "]]]}}}\\",
            {"$": [[[[[[]]]]]]},
            [{}] * 5,
        ]
    )
    | JSON
)
FIELDS = st.sampled_from(
    [
        "time",
        "account",
        "region",
        "resources",
        "id",
        "detail",
        "detail.version",
        "detail.taskArn",
        "detail.clusterArn",
        "detail.group",
        "detail.lastStatus",
        "detail.stoppedAt",
        "detail.createdAt",
        "detail.stoppingAt",
        "detail.updatedAt",
        "detail.containers",
        "detail.attachments",
        "detail.stopCode",
        "detail.taskDefinitionArn",
    ]
)


def poisoned(changes: list[tuple[str, object]]) -> str:
    event = json.loads(GOOD)
    for path, value in changes:
        *parents, name = path.split(".")
        where = event
        for parent in parents:
            where = where[parent] if isinstance(where.get(parent), dict) else {}
        where[name] = copy.deepcopy(value)  # sampled values are shared between examples
    return json.dumps(event, allow_nan=True)


@given(st.lists(st.tuples(FIELDS, HOSTILE), min_size=1, max_size=4), st.integers(0, 3))
@settings(max_examples=300, deadline=None)
def test_a_poisoned_event_is_an_event_or_a_bad_line_and_never_stops_the_good_ones(
    changes: list[tuple[str, object]], depth: int
) -> None:
    bad = "[" * depth * 20 + poisoned(changes) + "]" * depth * 20
    good = task_change(2)
    event = parse_event(bad, NOW)
    assert isinstance(event, ArchiveEvent | BadLine)
    if isinstance(event, BadLine):  # a reason fit for one log line, quoting nothing of the line
        assert len(event.reason) < 80
        assert "\n" not in event.reason
        assert "]]]" not in event.reason
    if isinstance(event, ArchiveEvent):
        for when in (event.time, event.detail.stopped_at, event.detail.created_at):
            assert when is None or (when.tzinfo is UTC and when <= NOW + timedelta(days=1))
    # Downstream, where the old reader failed: sorting stops by time, building incidents.
    read = read_lines([bad, good], NOW)
    apply_all({}, read.events)
    assert read.skipped + read.ignored + len(read.events) == 2
    window = parse_lines(
        [bad, good], cluster=CLUSTER, service=SERVICE, since=NOW - timedelta(days=1), now=NOW
    )
    assert f"{2:032x}" in [t.task_id for t in window.stops]


@given(st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.decode("latin-1")))
@settings(max_examples=300, deadline=None)
def test_any_text_is_an_event_or_a_bad_line(text: str) -> None:
    assert isinstance(parse_event(text, NOW), ArchiveEvent | BadLine)


def depth_of(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max(map(depth_of, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth_of, value), default=0)
    return 0


@given(JSON, st.integers(0, 6))
@settings(max_examples=300, deadline=None)
def test_the_depth_counted_without_parsing_is_the_depth_parsed(value: object, limit: int) -> None:
    text = json.dumps(value, allow_nan=True)
    assert too_deep(text, limit) == (depth_of(value) > limit)
