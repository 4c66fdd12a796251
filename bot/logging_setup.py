"""Logging for every command: one stderr handler whose lines are cleaned like any other output,
and the libraries that log what they send and receive capped, whatever level the bot runs at.

At DEBUG, botocore logs every AWS response body (task definitions with their environment values,
role policies), urllib3 every request line, and slack_sdk/slack_bolt every Slack payload (a
user's text, response URLs): none of that belongs in a log, so their loggers stay at INFO or
WARNING even when ours are at DEBUG.
"""

from __future__ import annotations

import logging
import os
import sys

from bot.clean import clean_text

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The most these loggers may say, at any level of ours (a logger's own level filters its records
# before any handler sees them, so a record below it is never built).
CAPS = {
    "botocore": logging.INFO,
    "boto3": logging.INFO,
    "s3transfer": logging.INFO,
    "urllib3": logging.WARNING,
    "slack_sdk": logging.INFO,
    "slack_bolt": logging.INFO,
    "moto": logging.WARNING,  # the demo's embedded emulator
    "werkzeug": logging.WARNING,
}
LEVELS = {"DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARNING": logging.WARNING}


def log_level(verbosity: int, environ: dict[str, str] | None = None) -> int:
    """`-v` INFO, `-vv` DEBUG, else LOG_LEVEL (DEBUG, INFO or WARNING), else WARNING."""
    named = LEVELS.get(
        (environ if environ is not None else os.environ).get("LOG_LEVEL", "").upper()
    )
    by_flag = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    return min(by_flag, named) if named is not None else by_flag


class CleanRecords(logging.Filter):
    """Each record's message as it will be shown, cleaned: no secret, no terminal escape."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format: logging reports it when it emits
            return True
        record.msg, record.args = clean_text(message), None
        return True


def setup_logging(level: int) -> None:
    """Our loggers at `level` on stderr, the capped libraries at most at their cap."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(CleanRecords())
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name, cap in CAPS.items():
        logging.getLogger(name).setLevel(max(level, cap))
