"""ELBv2: the service's target groups, their health-check settings and their targets' health.

Its part of the read graph: the service's target groups with their targets' health, both read
as soon as the service is known.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from bot.aws import reads as r
from bot.aws.graph import Reads
from bot.model import Service, TargetGroup, TargetHealth

if TYPE_CHECKING:
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client

Raw = dict[str, Any]


def describe_target_groups(
    elbv2: ElasticLoadBalancingv2Client, arns: list[str]
) -> list[TargetGroup]:
    response: Raw = dict(elbv2.describe_target_groups(TargetGroupArns=arns))
    return [target_group_from_aws(g) for g in response.get("TargetGroups", [])]


def describe_target_health(
    elbv2: ElasticLoadBalancingv2Client, arn: str
) -> tuple[TargetHealth, ...]:
    response: Raw = dict(elbv2.describe_target_health(TargetGroupArn=arn))
    return tuple(target_health_from_aws(d) for d in response.get("TargetHealthDescriptions", []))


def target_group_from_aws(raw: Raw) -> TargetGroup:
    matcher = raw.get("Matcher", {})
    return TargetGroup(
        arn=raw["TargetGroupArn"],
        name=raw.get("TargetGroupName", ""),
        port=raw.get("Port"),
        protocol=raw.get("Protocol"),
        target_type=raw.get("TargetType"),
        health_check_port=raw.get("HealthCheckPort"),
        health_check_path=raw.get("HealthCheckPath"),
        health_check_protocol=raw.get("HealthCheckProtocol"),
        matcher=matcher.get("HttpCode") or matcher.get("GrpcCode"),
        health_check_interval=raw.get("HealthCheckIntervalSeconds"),
        unhealthy_threshold=raw.get("UnhealthyThresholdCount"),
    )


def target_health_from_aws(raw: Raw) -> TargetHealth:
    target = raw.get("Target", {})
    health = raw.get("TargetHealth", {})
    return TargetHealth(
        target_id=target.get("Id", ""),
        port=target.get("Port"),
        state=health.get("State", "unknown"),
        reason=health.get("Reason"),
        description=health.get("Description"),
    )


# --------------------------------------------------------------------------- read graph


async def read_target_groups(read: Reads, service: Service | None) -> tuple[TargetGroup, ...]:
    """The service's target groups, each with its targets' health."""
    balancers = service.load_balancers if service else ()
    arns = list(dict.fromkeys(lb.target_group_arn for lb in balancers))
    if not arns:
        return ()
    client = read.clients.elbv2()
    groups, health = await asyncio.gather(
        read(r.DESCRIBE_TARGET_GROUPS, describe_target_groups, client, arns),
        asyncio.gather(
            *(read(r.DESCRIBE_TARGET_HEALTH, describe_target_health, client, arn) for arn in arns)
        ),
    )
    targets = {arn: found for arn, found in zip(arns, health, strict=True) if found is not None}
    return tuple(
        group.model_copy(update={"targets": targets.get(group.arn, ())}) for group in groups or []
    )
