"""Turns what a user typed into a `Target`, before any AWS call; rejects the rest with a hint."""

from __future__ import annotations

import re

from bot.errors import TargetError
from bot.model import Target

USAGE = (
    "expected a service (api-service), cluster/service, a task ARN "
    "(arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID) or a task id with --cluster"
)

_NAME = r"[A-Za-z0-9][A-Za-z0-9_-]{0,254}"
_TASK_ID = r"(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
_REGION = r"[a-z]{2}(?:-[a-z]+)+-\d"
_ARN = rf"arn:aws(?:-cn|-us-gov)?:ecs:(?P<region>{_REGION}):\d{{12}}:"

NAME = re.compile(_NAME)
TASK_ID = re.compile(_TASK_ID)
REGION = re.compile(_REGION)
TASK_ARN = re.compile(rf"{_ARN}task/(?:(?P<cluster>{_NAME})/)?(?P<task>{_TASK_ID})")
SERVICE_ARN = re.compile(rf"{_ARN}service/(?:(?P<cluster>{_NAME})/)?(?P<service>{_NAME})")
CLUSTER_SERVICE = re.compile(rf"(?P<cluster>{_NAME})/(?P<service>{_NAME})")

MAX_LENGTH = 512


def parse_target(text: str, *, cluster: str | None = None, region: str | None = None) -> Target:
    """Parses a TARGET of CONTRACT §2; raises TargetError with a one-line, actionable message."""
    text = text.strip().strip("`<>").strip()
    if not text:
        raise TargetError(f"no target given: {USAGE}")
    if len(text) > MAX_LENGTH:
        raise TargetError(f"target is {len(text)} characters long, which no ECS name is: {USAGE}")
    if cluster is not None and not NAME.fullmatch(cluster):
        raise TargetError(f"{shorten(cluster)!r} is not a valid cluster name")
    if region is not None and not REGION.fullmatch(region):
        raise TargetError(f"{shorten(region)!r} is not an AWS region name (like us-east-1)")

    if match := TASK_ARN.fullmatch(text):
        return Target(
            cluster=match["cluster"] or cluster,
            task_id=match["task"],
            region=match["region"],
        )
    if match := SERVICE_ARN.fullmatch(text):
        return Target(
            cluster=match["cluster"] or cluster, service=match["service"], region=match["region"]
        )
    if text.startswith("arn:"):
        raise TargetError(f"{shorten(text)!r} is not an ECS task or service ARN: {USAGE}")
    if match := CLUSTER_SERVICE.fullmatch(text):
        if cluster is not None and cluster != match["cluster"]:
            raise TargetError(f"{shorten(text)!r} names cluster {match['cluster']!r}, not {cluster!r}")
        return Target(cluster=match["cluster"], service=match["service"], region=region)
    if cluster is not None and TASK_ID.fullmatch(text):
        return Target(cluster=cluster, task_id=text, region=region)
    if NAME.fullmatch(text):
        return Target(cluster=cluster, service=text, region=region)
    raise TargetError(f"{shorten(text)!r} is not a valid target: {USAGE}")


def find_targets(text: str) -> list[str]:
    """Task and service ARNs in free text (a mention), in order, without repeats."""
    found = [m.group(0) for m in re.finditer(rf"{TASK_ARN.pattern}|{SERVICE_ARN.pattern}", text)]
    return list(dict.fromkeys(found))


def shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
