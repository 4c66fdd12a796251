"""Target parser properties: whatever a user types, they get a Target or a message to act on."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.errors import TargetError
from bot.model import Target
from bot.parse.target import named_account, parse_target

NAMES = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,254}", fullmatch=True)
HEX_ID = st.from_regex(r"[0-9a-f]{32}", fullmatch=True)
UUID_ID = st.uuids().map(str)
TASK_IDS = HEX_ID | UUID_ID
REGIONS = st.sampled_from(
    ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "us-gov-west-1"]
) | st.from_regex(r"[a-z]{2}(?:-[a-z]{1,9}){1,2}-[0-9]", fullmatch=True)
PARTITIONS = st.sampled_from(["aws", "aws-cn", "aws-us-gov"])
ACCOUNTS = st.from_regex(r"[0-9]{12}", fullmatch=True)

# Pieces of real targets, so generated text often comes close to valid and finds the edges.
PIECES = st.sampled_from(
    [
        "arn:",
        "aws",
        "aws-cn",
        ":ecs:",
        ":s3:",
        "us-east-1",
        ":123456789012:",
        "task/",
        "service/",
        "prod",
        "/",
        "api-service",
        "0123456789abcdef0123456789abcdef",
        "-",
        "_",
        "`",
        "<",
        ">",
        " ",
        "\n",
        "\t",
        ":",
        "\x00",
        "\u2028",
        "…",
        "é",
        "'",
        '"',
        "\\",
    ]
)
TYPED = st.lists(PIECES | st.text(max_size=6), max_size=20).map("".join)
OPTIONAL_TEXT = st.none() | st.text(max_size=300) | TYPED


def assert_actionable(error: TargetError) -> None:
    """One short line that says what would have been valid."""
    message = str(error)
    assert message
    assert len(message.splitlines()) == 1, message
    assert "\n" not in message
    assert len(message) < 300, message
    assert "expected" in message or "like " in message, message


@given(st.text(max_size=1000) | TYPED, OPTIONAL_TEXT, OPTIONAL_TEXT)
@example("a" * 600, None, None)
@example("\x00" * 200, None, None)
@example("\U000e0001" * 60, None, None)
@example("c" * 255 + "/api", "d" * 255, None)
@example("api", "\n" * 60, None)
@example("api", None, "\U000e0001" * 60)
def test_any_input_gives_a_target_or_an_actionable_target_error(
    text: str, cluster: str | None, region: str | None
) -> None:
    try:
        target = parse_target(text, cluster=cluster, region=region)
    except TargetError as error:
        assert_actionable(error)
    else:
        assert target.service or target.task_id


@given(NAMES, st.none() | REGIONS)
def test_service_name_round_trips(name: str, region: str | None) -> None:
    assert parse_target(name, region=region) == Target(service=name, region=region)


@given(NAMES, st.sampled_from(["", " ", "`", "<", ">", "\n"]))
def test_slack_and_shell_wrapping_is_ignored(name: str, wrap: str) -> None:
    assert parse_target(f"{wrap}{name}{wrap[::-1]}") == Target(service=name)


@given(NAMES, NAMES, st.none() | REGIONS)
def test_cluster_service_pair_round_trips(cluster: str, service: str, region: str | None) -> None:
    expected = Target(cluster=cluster, service=service, region=region)
    assert parse_target(f"{cluster}/{service}", region=region) == expected
    assert parse_target(f"{cluster}/{service}", cluster=cluster, region=region) == expected


@given(PARTITIONS, REGIONS, ACCOUNTS, NAMES, TASK_IDS)
def test_task_arn_round_trips(
    partition: str, region: str, account: str, cluster: str, task_id: str
) -> None:
    arn = f"arn:{partition}:ecs:{region}:{account}:task/{cluster}/{task_id}"
    assert parse_target(arn) == Target(
        cluster=cluster, task_id=task_id, region=region, account_id=account
    )


@given(REGIONS, ACCOUNTS, NAMES, TASK_IDS)
def test_old_task_arn_takes_the_cluster_from_the_option(
    region: str, account: str, cluster: str, task_id: str
) -> None:
    arn = f"arn:aws:ecs:{region}:{account}:task/{task_id}"
    assert parse_target(arn) == Target(task_id=task_id, region=region, account_id=account)
    assert parse_target(arn, cluster=cluster) == Target(
        cluster=cluster, task_id=task_id, region=region, account_id=account
    )


@given(REGIONS, ACCOUNTS, NAMES, NAMES)
def test_service_arn_round_trips(region: str, account: str, cluster: str, service: str) -> None:
    arn = f"arn:aws:ecs:{region}:{account}:service/{cluster}/{service}"
    assert parse_target(arn) == Target(
        cluster=cluster, service=service, region=region, account_id=account
    )


@given(ACCOUNTS, ACCOUNTS, NAMES, NAMES)
def test_an_arn_is_read_in_the_configured_account_of_its_id(
    configured: str, other: str, cluster: str, service: str
) -> None:
    ids = {"prod": configured}
    arn = f"arn:aws:ecs:us-east-1:{configured}:service/{cluster}/{service}"
    assert named_account(parse_target(arn), ids).account == "prod"
    assert named_account(parse_target(f"prod:{arn}"), ids).account == "prod"
    if other != configured:
        elsewhere = parse_target(arn.replace(configured, other))
        # Not a configured account: the bot's own, which the Diagnoser holds to the id.
        assert named_account(elsewhere, ids) == elsewhere
        with pytest.raises(TargetError, match=f"names account {other}"):
            named_account(parse_target(f"prod:{arn.replace(configured, other)}"), ids)


@given(NAMES, TASK_IDS, st.none() | REGIONS)
def test_task_id_with_cluster_round_trips(cluster: str, task_id: str, region: str | None) -> None:
    assert parse_target(task_id, cluster=cluster, region=region) == Target(
        cluster=cluster, task_id=task_id, region=region
    )


@pytest.mark.parametrize(
    ("text", "cluster", "bad_part"),
    [
        ("", None, "no target given"),
        ("arn:aws:s3:::my-bucket", None, "'arn:aws:s3:::my-bucket'"),
        ("prod/api/extra", None, "'prod/api/extra'"),
        ("api", "bad cluster", "'bad cluster'"),
        ("prod/api", "staging", "'staging'"),
    ],
)
def test_rejection_names_the_bad_part(text: str, cluster: str | None, bad_part: str) -> None:
    with pytest.raises(TargetError) as raised:
        parse_target(text, cluster=cluster)
    assert bad_part in str(raised.value)
    assert_actionable(raised.value)
