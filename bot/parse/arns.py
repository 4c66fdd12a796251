"""AWS names, parsed and built once: ECS names and task ids, ARNs in the region's partition.

Pure (no AWS call): the target parser, the console-URL parser, the collectors, the checks and
the archive reader all read and write ARNs through these.
"""

from __future__ import annotations

import re

from bot.model import Facts

NAME = r"[A-Za-z0-9][A-Za-z0-9_-]{0,254}"  # a cluster or service
TASK_ID = r"(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
REGION = r"[a-z]{2}(?:-[a-z]+)+-\d"
_ECS = rf"arn:aws(?:-cn|-us-gov)?:ecs:(?P<region>{REGION}):(?P<account_id>\d{{12}}):"
# A task ARN, new form (task/CLUSTER/ID) or old (task/ID); a service ARN likewise.
TASK_ARN = re.compile(rf"{_ECS}task/(?:(?P<cluster>{NAME})/)?(?P<task>{TASK_ID})")
SERVICE_ARN = re.compile(rf"{_ECS}service/(?:(?P<cluster>{NAME})/)?(?P<service>{NAME})")

_PARTITIONS = (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"))


def name_of(arn: str) -> str:
    """The last path part of an ARN (a cluster, service, task or role name)."""
    return arn.rsplit("/", 1)[-1]


def family_and_revision(arn: str) -> tuple[str, int] | None:
    """(family, revision) of a task definition: its ARN (…:task-definition/FAMILY:REVISION) or
    FAMILY:REVISION; None when it names no revision."""
    family, _, revision = name_of(arn).rpartition(":")
    return (family, int(revision)) if family and revision.isdigit() else None


def account_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4] else None


def region_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else None


def partition(region: str) -> str:
    """aws, aws-cn or aws-us-gov."""
    return next((p for prefix, p in _PARTITIONS if region.startswith(prefix)), "aws")


def arn(
    facts: Facts, service: str, resource: str, region: str | None = None, account: str = ""
) -> str:
    """An ARN in the region's partition; region and account default to the facts' own."""
    where = region or facts.region
    return f"arn:{partition(where)}:{service}:{where}:{account or facts.account}:{resource}"


def secret_read(facts: Facts, value_from: str) -> tuple[str, str]:
    """The action and resource ECS needs to read a secret or parameter a task definition names."""
    if value_from.startswith("arn:"):
        parts = value_from.split(":")
        if parts[2] == "secretsmanager":
            # arn:aws:secretsmanager:region:account:secret:name-AbCdEf[:json-key:stage:version]
            return "secretsmanager:GetSecretValue", ":".join(parts[:7])
        return "ssm:GetParameters", value_from
    path = value_from if value_from.startswith("/") else f"/{value_from}"
    return "ssm:GetParameters", arn(facts, "ssm", f"parameter{path}")
