"""ECS console URLs as targets: every page of a service or task parses back to it, in any
region, whether the region is in the host or the query; anything else is a TargetError."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import TargetError
from bot.model import Target
from bot.parse.console_url import find_console_urls, parse_console_url
from bot.parse.target import find_targets, parse_target
from tests.unit.test_target_properties import NAMES, REGIONS, TASK_IDS

PAGES = st.sampled_from(["", "/health", "/configuration", "/tasks", "/logs", "/deployments"])
HOSTS = st.sampled_from(["{region}.console.aws.amazon.com", "console.aws.amazon.com"])


@given(NAMES, NAMES, REGIONS, PAGES, HOSTS, st.booleans())
def test_a_service_page_is_its_service(
    cluster: str, service: str, region: str, page: str, host: str, query: bool
) -> None:
    query = query or "{region}" not in host
    url = (
        f"https://{host.format(region=region)}/ecs/v2/clusters/{cluster}/services/{service}{page}"
        + (f"?region={region}" if query else "")
    )
    expected = Target(cluster=cluster, service=service, region=region)
    assert parse_console_url(url) == expected
    assert parse_target(url) == expected
    assert parse_target(f"<{url}>") == expected


@given(NAMES, TASK_IDS, REGIONS, PAGES)
def test_a_task_page_is_its_task(cluster: str, task: str, region: str, page: str) -> None:
    url = f"https://{region}.console.aws.amazon.com/ecs/v2/clusters/{cluster}/tasks/{task}{page}"
    assert parse_target(url) == Target(cluster=cluster, task_id=task, region=region)


@given(st.text(max_size=200))
def test_any_text_after_the_console_host_is_a_target_or_a_target_error(tail: str) -> None:
    url = f"https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/{tail}"
    try:
        target = parse_console_url(url)
    except TargetError as error:
        message = str(error)
        target = None
    if target is None:
        assert "console URL" in message
    else:
        assert target.cluster
        assert target.service or target.task_id


@pytest.mark.parametrize(
    "url",
    [
        "https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/production",
        "https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1",
        "https://console.aws.amazon.com.evil.example/ecs/v2/clusters/p/services/s",
        "https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/p/services/s?region=nowhere",
    ],
)
def test_other_pages_are_refused(url: str) -> None:
    with pytest.raises(TargetError):
        parse_target(url)


def test_console_urls_are_found_in_an_alert_as_slack_sends_it() -> None:
    url = "https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/prod/services/api/health"
    text = f"ECS task stopped: <{url}?region=eu-west-1&amp;tab=events|View in console>."
    (found,) = find_console_urls(text)
    assert parse_target(found) == Target(cluster="prod", service="api", region="eu-west-1")
    assert find_targets(text) == [found]
