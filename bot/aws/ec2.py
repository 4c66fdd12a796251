"""EC2: the task's subnets and their routes, its security groups' egress, VPC endpoints, ENI.

Its part of the read graph: the subnets, then their VPCs' route tables and endpoints; the
security groups; a task's network interface.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.aws import reads as r
from bot.aws.graph import Reads, each
from bot.model import PortRule, Route, SecurityGroup, Subnet

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

Raw = dict[str, Any]

ROUTE_TARGET_KEYS = (
    "GatewayId",  # igw-…, vgw-…, "local"
    "NatGatewayId",
    "TransitGatewayId",
    "VpcPeeringConnectionId",
    "EgressOnlyInternetGatewayId",
    "NetworkInterfaceId",
    "InstanceId",
    "CarrierGatewayId",
    "LocalGatewayId",
    "CoreNetworkArn",
)
GONE_ENDPOINT_STATES = frozenset({"deleting", "deleted", "failed", "rejected", "expired"})


@dataclass(frozen=True)
class RouteTable:
    id: str
    vpc_id: str
    main: bool
    subnet_ids: tuple[str, ...]
    routes: tuple[Route, ...]


@dataclass(frozen=True)
class Eni:
    """What a task's network interface shows: a public IP, and its security groups."""

    public_ip: bool
    security_groups: tuple[str, ...]


# --------------------------------------------------------------------------- calls


def describe_subnets(ec2: EC2Client, subnet_ids: list[str]) -> list[Subnet]:
    response: Raw = dict(ec2.describe_subnets(SubnetIds=subnet_ids))
    return [subnet_from_aws(s) for s in response.get("Subnets", [])]


def describe_route_tables(ec2: EC2Client, vpc_id: str) -> list[RouteTable]:
    """The VPC's route tables: a subnet's own table if it has one, else the main table, applies."""
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}]
    response: Raw = dict(ec2.describe_route_tables(Filters=filters))  # type: ignore[arg-type]
    return [route_table_from_aws(t) for t in response.get("RouteTables", [])]


def describe_security_groups(ec2: EC2Client, group_ids: list[str]) -> list[SecurityGroup]:
    response: Raw = dict(ec2.describe_security_groups(GroupIds=group_ids))
    return [security_group_from_aws(g) for g in response.get("SecurityGroups", [])]


def describe_vpc_endpoints(ec2: EC2Client, vpc_id: str) -> tuple[str, ...]:
    """Service names of the VPC's usable endpoints, e.g. com.amazonaws.us-east-1.ecr.dkr."""
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}]
    response: Raw = dict(ec2.describe_vpc_endpoints(Filters=filters))  # type: ignore[arg-type]
    return vpc_endpoint_services(response.get("VpcEndpoints", []))


def describe_eni(ec2: EC2Client, eni_id: str) -> Eni | None:
    """The task's network interface, or None once it is gone (as it is soon after a stop)."""
    # A filter (not NetworkInterfaceIds) so that a deleted interface is not an error.
    filters = [{"Name": "network-interface-id", "Values": [eni_id]}]
    response: Raw = dict(ec2.describe_network_interfaces(Filters=filters))  # type: ignore[arg-type]
    interfaces = response.get("NetworkInterfaces", [])
    return eni_from_aws(interfaces[0]) if interfaces else None


# --------------------------------------------------------------------------- normalisers


def subnet_from_aws(raw: Raw) -> Subnet:
    return Subnet(
        id=raw["SubnetId"],
        vpc_id=raw.get("VpcId", ""),
        availability_zone=raw.get("AvailabilityZone"),
    )


def route_from_aws(raw: Raw) -> Route:
    destination = (
        raw.get("DestinationCidrBlock")
        or raw.get("DestinationIpv6CidrBlock")
        or raw.get("DestinationPrefixListId")
        or ""
    )
    target = next((str(raw[key]) for key in ROUTE_TARGET_KEYS if raw.get(key)), "")
    return Route(destination=destination, target=target, state=raw.get("State", "active"))


def route_table_from_aws(raw: Raw) -> RouteTable:
    associations = raw.get("Associations", [])
    return RouteTable(
        id=raw["RouteTableId"],
        vpc_id=raw.get("VpcId", ""),
        main=any(a.get("Main") for a in associations),
        subnet_ids=tuple(a["SubnetId"] for a in associations if a.get("SubnetId")),
        routes=tuple(route_from_aws(r) for r in raw.get("Routes", [])),
    )


def security_group_from_aws(raw: Raw) -> SecurityGroup:
    return SecurityGroup(
        id=raw["GroupId"],
        name=raw.get("GroupName", ""),
        egress=_rules(raw.get("IpPermissionsEgress", [])),
        ingress=_rules(raw.get("IpPermissions", [])),
    )


def _rules(permissions: Iterable[Raw]) -> tuple[PortRule, ...]:
    return tuple(
        PortRule(
            protocol=str(rule.get("IpProtocol", "-1")),
            from_port=rule.get("FromPort"),
            to_port=rule.get("ToPort"),
            cidrs=tuple(
                [r["CidrIp"] for r in rule.get("IpRanges", []) if "CidrIp" in r]
                + [r["CidrIpv6"] for r in rule.get("Ipv6Ranges", []) if "CidrIpv6" in r]
            ),
            prefix_lists=tuple(
                p["PrefixListId"] for p in rule.get("PrefixListIds", []) if "PrefixListId" in p
            ),
            security_groups=tuple(
                g["GroupId"] for g in rule.get("UserIdGroupPairs", []) if "GroupId" in g
            ),
        )
        for rule in permissions
    )


def vpc_endpoint_services(endpoints: Iterable[Raw]) -> tuple[str, ...]:
    return tuple(
        sorted(
            {
                e["ServiceName"]
                for e in endpoints
                if "ServiceName" in e
                and str(e.get("State", "")).lower() not in GONE_ENDPOINT_STATES
            }
        )
    )


def eni_from_aws(raw: Raw) -> Eni:
    return Eni(
        public_ip=bool(raw.get("Association", {}).get("PublicIp")),
        security_groups=tuple(g["GroupId"] for g in raw.get("Groups", []) if "GroupId" in g),
    )


def with_routes(subnets: Iterable[Subnet], tables: Iterable[RouteTable]) -> tuple[Subnet, ...]:
    """Each subnet with the routes of its own route table, else of its VPC's main table."""
    tables = list(tables)
    explicit = {subnet_id: t for t in tables for subnet_id in t.subnet_ids}
    main = {t.vpc_id: t for t in tables if t.main}
    routed = []
    for subnet in subnets:
        table = explicit.get(subnet.id) or main.get(subnet.vpc_id)
        if table:
            subnet = subnet.model_copy(update={"route_table_id": table.id, "routes": table.routes})
        routed.append(subnet)
    return tuple(routed)


# --------------------------------------------------------------------------- read graph


async def read_routed_subnets(
    read: Reads, subnet_ids: list[str]
) -> tuple[tuple[Subnet, ...], tuple[str, ...]] | None:
    """The subnets with their routes, and their VPCs' endpoints; None if any is missing: a
    route table that could not be read must not look like none at all."""
    client = read.clients.ec2()
    subnets = await read(r.DESCRIBE_SUBNETS, describe_subnets, client, subnet_ids)
    if subnets is None:
        return None
    vpcs = list(dict.fromkeys(s.vpc_id for s in subnets))
    tables, endpoints = await asyncio.gather(
        each(read(r.DESCRIBE_ROUTE_TABLES, describe_route_tables, client, v) for v in vpcs),
        each(read(r.DESCRIBE_VPC_ENDPOINTS, describe_vpc_endpoints, client, v) for v in vpcs),
    )
    if tables is None or endpoints is None:
        return None
    routed = with_routes(subnets, [t for found in tables for t in found])
    return routed, tuple(sorted({e for found in endpoints for e in found}))


async def read_security_groups(read: Reads, group_ids: list[str]) -> list[SecurityGroup] | None:
    """The security groups (none to read: none); None if they could not be read."""
    if not group_ids:
        return []
    return await read(
        r.DESCRIBE_SECURITY_GROUPS, describe_security_groups, read.clients.ec2(), group_ids
    )


async def read_eni(read: Reads, eni_id: str) -> Eni | None:
    """A task's network interface (gone soon after the task stops)."""
    return await read(r.DESCRIBE_NETWORK_INTERFACES, describe_eni, read.clients.ec2(), eni_id)
