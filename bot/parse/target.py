"""Turns what a user typed into a `Target`, before any AWS call; rejects the rest with a hint."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.errors import TargetError
from bot.model import Target
from bot.parse import arns
from bot.parse.arns import SERVICE_ARN, TASK_ARN
from bot.parse.console_url import CONSOLE_URL, is_console_url, parse_console_url
from bot.truncate import shorten

USAGE = (
    "expected a service (api-service), cluster/service, a task ARN "
    "(arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID), an ECS console URL or a task id with --cluster"
)

NAME = re.compile(arns.NAME)
TASK_ID = re.compile(arns.TASK_ID)
REGION = re.compile(arns.REGION)
CLUSTER_SERVICE = re.compile(rf"(?P<cluster>{arns.NAME})/(?P<service>{arns.NAME})")

ACCOUNT = re.compile(r"[a-z][a-z0-9_-]{0,31}")
ACCOUNT_PREFIX = re.compile(rf"(?P<account>{ACCOUNT.pattern}):(?P<rest>.+)")
ACCOUNT_RULE = "up to 32 lower-case letters, digits, hyphens and underscores"

MAX_LENGTH = 512
NAME_RULE = "1-255 letters, digits, hyphens and underscores"


def parse_target(
    text: str,
    *,
    cluster: str | None = None,
    region: str | None = None,
    account: str | None = None,
) -> Target:
    """Parses a TARGET of CONTRACT §2; raises TargetError with a one-line, actionable message.

    A target may start with the short name of a configured account: `prod:api-service`.
    """
    text = text.strip().strip("`<>").strip()
    if not text:
        raise TargetError(f"no target given: {USAGE}")
    if len(text) > MAX_LENGTH:
        raise TargetError(f"target is {len(text)} characters long, which no ECS name is: {USAGE}")
    if account is not None and not ACCOUNT.fullmatch(account):
        raise TargetError(f"{quoted(account)} is not an account name: expected {ACCOUNT_RULE}")
    if (
        (prefixed := ACCOUNT_PREFIX.fullmatch(text))
        and not text.startswith("arn:")
        and not is_console_url(text)
    ):
        if account is not None and account != prefixed["account"]:
            raise TargetError(
                f"{quoted(text)} names account {quoted(prefixed['account'])}, not "
                f"{quoted(account)}: expected the same account in both, or only one of them"
            )
        text, account = prefixed["rest"], prefixed["account"]
    return _parse(text, cluster, region).model_copy(update={"account": account})


def _parse(text: str, cluster: str | None, region: str | None) -> Target:
    if cluster is not None and not NAME.fullmatch(cluster):
        raise TargetError(f"{quoted(cluster)} is not a valid cluster name: expected {NAME_RULE}")
    if region is not None and not REGION.fullmatch(region):
        raise TargetError(f"{quoted(region)} is not an AWS region name (like us-east-1)")

    if is_console_url(text):
        return parse_console_url(text)
    if match := TASK_ARN.fullmatch(text):
        return Target(
            cluster=match["cluster"] or cluster,
            task_id=match["task"],
            region=match["region"],
            account_id=match["account_id"],
        )
    if match := SERVICE_ARN.fullmatch(text):
        return Target(
            cluster=match["cluster"] or cluster,
            service=match["service"],
            region=match["region"],
            account_id=match["account_id"],
        )
    if text.startswith("arn:"):
        raise TargetError(f"{quoted(text)} is not an ECS task or service ARN: {USAGE}")
    if match := CLUSTER_SERVICE.fullmatch(text):
        if cluster is not None and cluster != match["cluster"]:
            raise TargetError(
                f"{quoted(text)} names cluster {quoted(match['cluster'])}, not {quoted(cluster)}:"
                " expected the same cluster in both, or only one of them"
            )
        return Target(cluster=match["cluster"], service=match["service"], region=region)
    if cluster is not None and TASK_ID.fullmatch(text):
        return Target(cluster=cluster, task_id=text, region=region)
    if NAME.fullmatch(text):
        return Target(cluster=cluster, service=text, region=region)
    raise TargetError(f"{quoted(text)} is not a valid target: {USAGE}")


def named_account(target: Target, account_ids: Mapping[str, str]) -> Target:
    """The target in the configured account whose id its ARN names (`account_ids`: short name
    to 12-digit id); an id of no configured account stays for the bot's own account, which
    the Diagnoser holds to it. Decided before any AWS call, and before the channel rules."""
    if target.account_id is None:
        return target
    names = [name for name, number in account_ids.items() if number == target.account_id]
    if not names:
        if target.account is not None:
            raise TargetError(
                f"the ARN names account {target.account_id}, not {quoted(target.account)}: "
                "expected the same account in both, or only one of them"
            )
        return target
    if target.account is not None and target.account not in names:
        raise TargetError(
            f"the ARN names account {target.account_id}, which is not {quoted(target.account)}: "
            "expected the same account in both, or only one of them"
        )
    return target.model_copy(update={"account": target.account or names[0]})


def find_targets(text: str) -> list[str]:
    """Task and service ARNs and ECS console URLs in free text, in order, without repeats."""
    # Two searches, not one alternation: the patterns share group names, which `|` cannot join.
    matches = sorted(
        (m for pattern in (TASK_ARN, SERVICE_ARN, CONSOLE_URL) for m in pattern.finditer(text)),
        key=lambda m: m.start(),
    )
    return list(dict.fromkeys(m.group(0) for m in matches))


def quoted(text: str, limit: int = 60) -> str:
    """The user's text as a short one-line repr, cut after quoting: escapes such as
    \\U000e0001 can make a repr ten times longer than the text."""
    return shorten(repr(text), limit)
