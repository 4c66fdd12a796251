"""Settings from the environment: the two URLs are validated as URLs, and a bad value is one
line at start-up that names the variable, never a traceback and never the value."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.cache import MemoryStore, RedisStore, make_store
from bot.cli import main
from bot.settings import Account, Organization, Settings, settings_error
from bot.slack.app import make_client

ARN = "arn:aws:iam::123456789012:role/ecs-why-reader"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("REDIS_URL", "SLACK_API_URL", "SLACK_BOT_TOKEN"):
        monkeypatch.delenv(variable, raising=False)


def test_slacks_default_url_keeps_its_trailing_slash() -> None:
    settings = Settings(slack_bot_token="xoxb-1")
    assert str(settings.slack_api_url) == "https://slack.com/api/"
    assert make_client(settings).base_url == "https://slack.com/api/"


@pytest.mark.parametrize(
    ("url", "base_url"),
    [
        ("http://127.0.0.1:9/api/", "http://127.0.0.1:9/api/"),
        ("http://127.0.0.1:9/api", "http://127.0.0.1:9/api/"),  # methods go after a slash
        ("https://slack.example", "https://slack.example/"),
    ],
)
def test_slack_api_url_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, url: str, base_url: str
) -> None:
    monkeypatch.setenv("SLACK_API_URL", url)
    assert make_client(Settings(slack_bot_token="xoxb-1")).base_url == base_url


@pytest.mark.parametrize("value", [None, ""])
def test_redis_url_unset_or_empty_means_memory(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is not None:
        monkeypatch.setenv("REDIS_URL", value)
    settings = Settings()
    assert settings.redis_url is None
    assert isinstance(make_store(settings.redis_url), MemoryStore)


@pytest.mark.parametrize(
    "url",
    ["redis://127.0.0.1:6379/0", "rediss://:s3cret@cache.internal:6380/2", "unix:///run/r.sock"],
)
def test_redis_urls_are_kept_as_written(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("REDIS_URL", url)
    settings = Settings()
    assert str(settings.redis_url) == url
    assert isinstance(make_store(settings.redis_url), RedisStore)  # connects lazily


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("REDIS_URL", "localhost:6379", "REDIS_URL: URL scheme should be 'redis', 'rediss' or"),
        ("REDIS_URL", "http://:hunter2@cache:6379", "REDIS_URL: URL scheme should be"),
        ("REDIS_URL", "redis//cache", "REDIS_URL: Input should be a valid URL"),
        ("SLACK_API_URL", "slack.com/api/", "SLACK_API_URL: Input should be a valid URL"),
        ("SLACK_API_URL", "ftp://slack.example/api/", "SLACK_API_URL: URL scheme should be"),
    ],
)
def test_a_bad_url_is_one_line_naming_the_variable_not_the_value(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as raised:
        Settings()
    message = settings_error(raised.value)
    assert message.startswith(f"bad setting: {says}")
    assert "\n" not in message
    assert value not in message
    assert "hunter2" not in message


def test_every_bad_setting_is_named_on_the_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "localhost")
    monkeypatch.setenv("SLACK_API_URL", "nowhere")
    monkeypatch.setenv("ECS_WHY_ACCOUNTS", '{"prod": {"role_arn": "not-an-arn"}}')
    with pytest.raises(ValidationError) as raised:
        Settings()
    message = settings_error(raised.value)
    assert "SLACK_API_URL: " in message
    assert "REDIS_URL: " in message
    assert "ECS_WHY_ACCOUNTS[prod][role_arn]: " in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("role_arn", "accepted"),
    [
        ("arn:aws:iam::123456789012:role/ecs-why-reader", True),
        ("arn:aws:iam::123456789012:role/team/ops/read_only+x=y,z.w@q", True),
        ("arn:aws-us-gov:iam::123456789012:role/reader", True),
        ("arn:aws:iam::12345678901:role/reader", False),  # 11 digits
        ("arn:aws:iam::123456789012:user/reader", False),
        ("arn:aws:iam::123456789012:role/r\u00f4le", False),  # IAM names are ASCII
        ("arn:aws:iam::123456789012:role/two words", False),
    ],
)
def test_a_role_arn_is_one_iam_allows(role_arn: str, accepted: bool) -> None:
    if accepted:
        assert Account(role_arn=role_arn).account_id == "123456789012"
    else:
        with pytest.raises(ValidationError):
            Account(role_arn=role_arn)


def test_role_and_profile_names_keep_to_what_iam_and_the_cli_allow() -> None:
    assert Organization(role_name="ecs-why_read.v2+a=b,c@d").role_name == "ecs-why_read.v2+a=b,c@d"
    assert Account(role_arn=ARN, profile="prod.read-only@eu").profile == "prod.read-only@eu"
    for bad in ("r\u00f4le", "", "x" * 65, "a/b"):
        with pytest.raises(ValidationError):
            Organization(role_name=bad)
    with pytest.raises(ValidationError):
        Account(role_arn=ARN, profile="pr\u00f6d")


@pytest.mark.parametrize("command", [["diagnose", "api-service"], ["serve"], ["demo"]])
def test_the_cli_starts_with_one_error_line_for_a_bad_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    monkeypatch.setenv("REDIS_URL", "localhost:6379")
    assert main(command) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "ecs-why: bad setting: REDIS_URL: URL scheme should be 'redis', 'rediss' or 'unix'\n"
    )


@pytest.mark.parametrize(
    ("variable", "value", "line"),
    [
        ("ECS_WHY_CHANNELS", '{"C1": ["prod:*"', "ECS_WHY_CHANNELS: Expecting ',' delimiter"),
        ("ECS_WHY_ACCOUNTS", "prod", "ECS_WHY_ACCOUNTS: Expecting value: line 1 column 1"),
    ],
)
def test_a_json_variable_that_is_not_json_is_one_line_too(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    line: str,
) -> None:
    monkeypatch.setenv(variable, value)
    assert main(["diagnose", "api-service"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"ecs-why: bad setting: {line}")
    assert err.count("\n") == 1


@pytest.mark.parametrize(("value", "says"), [("1", "greater than or equal to 2"), ("600", "less")])
def test_the_watch_lease_is_bounded(monkeypatch: pytest.MonkeyPatch, value: str, says: str) -> None:
    monkeypatch.setenv("ECS_WHY_WATCH_LEASE", value)
    with pytest.raises(ValidationError) as raised:
        Settings()
    assert f"ECS_WHY_WATCH_LEASE: Input should be {says}" in settings_error(raised.value)


def test_the_watch_lease_defaults_to_ten_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ECS_WHY_WATCH_LEASE", raising=False)
    assert Settings().watch_lease == 10
    monkeypatch.setenv("ECS_WHY_WATCH_LEASE", "4.5")
    assert Settings().watch_lease == 4.5
