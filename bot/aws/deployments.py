"""ECS service deployments API: the service's recent deployments and the revisions they moved
between (ListServiceDeployments → DescribeServiceDeployments → DescribeServiceRevisions).

The API is newer than the rest of ECS (and absent from emulators): when any of its calls is
refused or unknown, the answer is "not available" and the caller falls back on the service's
`deployments[]` and the task-definition family, so it is never a gap in the diagnosis.
Its part of the read graph: a service's deployments, read as soon as the service is known.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from bot.aws import reads as r
from bot.aws.ecs import ServiceName
from bot.aws.graph import Reads
from bot.aws.unavailable import Unavailable
from bot.model import ServiceDeployment

if TYPE_CHECKING:
    from mypy_boto3_ecs import ECSClient

log = logging.getLogger(__name__)

RECENT = 10  # deployments read: the failing one and what ran before it
Raw = dict[str, Any]


def read_service_deployments(
    ecs: ECSClient, cluster: str, service: str, unavailable: Unavailable
) -> tuple[ServiceDeployment, ...]:
    """The service's recent deployments, newest first; () when the API is not available (and
    then, for a while, not asked again: deployments[] stand in for it)."""
    action = r.LIST_SERVICE_DEPLOYMENTS.action
    if unavailable.now(action):
        return ()
    try:
        listed: Raw = dict(
            ecs.list_service_deployments(cluster=cluster, service=service, maxResults=RECENT)
        )
        arns = [d["serviceDeploymentArn"] for d in listed.get("serviceDeployments", [])]
        if not arns:
            return ()
        described: Raw = dict(ecs.describe_service_deployments(serviceDeploymentArns=arns))
        deployments = described.get("serviceDeployments", [])
        revision_arns = list(dict.fromkeys(arn for d in deployments for arn in _revisions(d)))
        revisions: Raw = dict(
            ecs.describe_service_revisions(serviceRevisionArns=revision_arns[:20])
        )
    except (ClientError, BotoCoreError) as error:
        log.info("service deployments API not available (%s): using deployments[]", error)
        unavailable.remember(action, error)
        return ()
    by_arn = {r["serviceRevisionArn"]: r for r in revisions.get("serviceRevisions", [])}
    found = [deployment_from_aws(d, by_arn) for d in deployments]
    return tuple(
        sorted(found, key=lambda d: d.created_at.timestamp() if d.created_at else 0, reverse=True)
    )


def _revisions(deployment: Raw) -> list[str]:
    target = deployment.get("targetServiceRevision", {}).get("arn")
    sources = [s["arn"] for s in deployment.get("sourceServiceRevisions", []) if "arn" in s]
    return [*([target] if target else []), *sources]


def deployment_from_aws(raw: Raw, revisions: dict[str, Raw]) -> ServiceDeployment:
    """A deployment with its revisions' task definitions and resolved image digests."""

    def task_definition(arn: str | None) -> str | None:
        return revisions.get(arn or "", {}).get("taskDefinition")

    target = task_definition(raw.get("targetServiceRevision", {}).get("arn"))
    sources = [task_definition(s.get("arn")) for s in raw.get("sourceServiceRevisions", [])]
    digests = {
        revision["taskDefinition"]: {
            image["containerName"]: image["imageDigest"]
            for image in revision.get("containerImages", [])
            if image.get("containerName") and image.get("imageDigest")
        }
        for arn in _revisions(raw)
        if (revision := revisions.get(arn)) and revision.get("taskDefinition")
    }
    return ServiceDeployment(
        arn=raw["serviceDeploymentArn"],
        status=raw.get("status", "UNKNOWN"),
        created_at=raw.get("createdAt"),
        target=target,
        sources=tuple(s for s in sources if s),
        rollback=bool(raw.get("rollback")),
        digests=digests,
    )


# --------------------------------------------------------------------------- read graph


def service_deployments(
    read: Reads, name: ServiceName
) -> asyncio.Task[tuple[ServiceDeployment, ...]]:
    """The service's recent deployments, newest first; () when none could be read. Read once,
    beside DescribeServices (the names are enough). An optional read: its own client tries
    once (bot/aws/unavailable.py remembers a failure)."""
    return read.once(("deployments", name), lambda: _read_deployments(read, name))


async def _read_deployments(read: Reads, name: ServiceName) -> tuple[ServiceDeployment, ...]:
    clients = read.clients
    found = await read(
        r.LIST_SERVICE_DEPLOYMENTS,
        read_service_deployments,
        clients.ecs(optional=True),
        name.cluster,
        name.service,
        clients.unavailable,
    )
    return found or ()
