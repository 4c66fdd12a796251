"""The log: our level as asked, the chatty libraries capped whatever it is, lines cleaned."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.logging_setup import CAPS, log_level, setup_logging


@pytest.fixture
def restored() -> Iterator[None]:
    """Logging as it was before the test (pytest's own capture handler included)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in CAPS}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


@pytest.mark.parametrize(
    ("verbosity", "environ", "level"),
    [
        (0, {}, logging.WARNING),
        (1, {}, logging.INFO),
        (2, {}, logging.DEBUG),
        (0, {"LOG_LEVEL": "debug"}, logging.DEBUG),
        (1, {"LOG_LEVEL": "WARNING"}, logging.INFO),
        (0, {"LOG_LEVEL": "chatty"}, logging.WARNING),
    ],
)
def test_the_level_comes_from_the_flags_or_log_level(
    verbosity: int, environ: dict[str, str], level: int
) -> None:
    assert log_level(verbosity, environ) == level


@pytest.mark.usefixtures("restored")
def test_at_debug_the_libraries_that_log_bodies_stay_capped() -> None:
    setup_logging(logging.DEBUG)
    assert logging.getLogger("bot.service").isEnabledFor(logging.DEBUG)
    for name in ("botocore", "botocore.parsers", "urllib3.connectionpool", "slack_sdk.web"):
        assert not logging.getLogger(name).isEnabledFor(logging.DEBUG), name
    assert not logging.getLogger("urllib3").isEnabledFor(logging.INFO)


@pytest.mark.usefixtures("restored")
def test_each_line_is_cleaned_before_it_is_written(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(logging.INFO)
    logging.getLogger("bot.test").info("connecting with %s\u202e", "password=hunter2")
    logging.getLogger("bot.test").info("a bad format %d", "not a number")
    err = capsys.readouterr().err
    assert "connecting with password=[REDACTED]\n" in err
    assert "hunter2" not in err
