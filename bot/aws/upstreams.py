"""RDS and ElastiCache: what an app's logs say it could not reach, as AWS describes it.

An endpoint such as `ledger-db.cx2k4.us-east-1.rds.amazonaws.com` or
`sessions.abc.ng.0001.use1.cache.amazonaws.com` is matched against the region's instances,
clusters and replication groups (one page each, read only for the kinds the logs name), and
the match's security groups are read with their inbound rules, so the reasoning can tell
whether they admit the task.

Every read here is optional (`Read.optional`): tried once by a client of its own; an API that
refused or failed is not asked again for a while (bot/aws/unavailable.py); a failure is a gap
that hides no checklist step.
Its part of the read graph: once the log tails are known, the hosts the caller picks from them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import BotoCoreError, ClientError

from bot.aws import ec2
from bot.aws import reads as r
from bot.aws.graph import Reads, every_found
from bot.aws.unavailable import Unavailable
from bot.model import SecurityGroup, Upstream

Raw = dict[str, Any]
PAGE = 100  # one page of each: enough to find an endpoint in a region
RDS_SUFFIX = ".rds.amazonaws.com"
CACHE_SUFFIX = ".cache.amazonaws.com"


def _listed(
    call: Callable[..., Raw], read: r.Read, unavailable: Unavailable, key: str, **kwargs: Any
) -> list[Raw]:
    """One page of a Describe… call; [] when the API is remembered as not available here, and
    the failure remembered (then raised, to be a gap) when it is not."""
    if unavailable.now(read.action):
        return []
    try:
        answer: Raw = dict(call(**kwargs))
    except (ClientError, BotoCoreError) as error:
        unavailable.remember(read.action, error)
        raise
    return list(answer.get(key, []))


# --------------------------------------------------------------------------- calls


def describe_db_instances(rds: BaseClient, unavailable: Unavailable) -> list[Upstream]:
    found = _listed(
        rds.describe_db_instances,  # type: ignore[attr-defined]
        r.DESCRIBE_DB_INSTANCES,
        unavailable,
        "DBInstances",
        MaxRecords=PAGE,
    )
    return [db_instance_from_aws(raw) for raw in found]


def describe_db_clusters(rds: BaseClient, unavailable: Unavailable) -> list[Upstream]:
    found = _listed(
        rds.describe_db_clusters,  # type: ignore[attr-defined]
        r.DESCRIBE_DB_CLUSTERS,
        unavailable,
        "DBClusters",
        MaxRecords=PAGE,
    )
    return [db_cluster_from_aws(raw) for raw in found]


def describe_cache_clusters(cache: BaseClient, unavailable: Unavailable) -> list[Upstream]:
    found = _listed(
        cache.describe_cache_clusters,  # type: ignore[attr-defined]
        r.DESCRIBE_CACHE_CLUSTERS,
        unavailable,
        "CacheClusters",
        MaxRecords=PAGE,
        ShowCacheNodeInfo=True,
    )
    return [cache_cluster_from_aws(raw) for raw in found]


def describe_replication_groups(cache: BaseClient, unavailable: Unavailable) -> list[Upstream]:
    found = _listed(
        cache.describe_replication_groups,  # type: ignore[attr-defined]
        r.DESCRIBE_REPLICATION_GROUPS,
        unavailable,
        "ReplicationGroups",
        MaxRecords=PAGE,
    )
    return [replication_group_from_aws(raw) for raw in found]


# --------------------------------------------------------------------------- normalisers


def _group_ids(items: Iterable[Raw], key: str) -> tuple[str, ...]:
    return tuple(g[key] for g in items if g.get(key))


def _groups(ids: Iterable[str]) -> tuple[SecurityGroup, ...]:
    """Placeholders until the groups are read: the id alone, no rules."""
    return tuple(SecurityGroup(id=i, name="") for i in dict.fromkeys(ids))


def db_instance_from_aws(raw: Raw) -> Upstream:
    endpoint = raw.get("Endpoint") or {}
    return Upstream(
        kind="rds-instance",
        id=raw["DBInstanceIdentifier"],
        addresses=tuple(a for a in (endpoint.get("Address"),) if a),
        port=endpoint.get("Port"),
        status=raw.get("DBInstanceStatus"),
        vpc_id=(raw.get("DBSubnetGroup") or {}).get("VpcId"),
        security_groups=_groups(_group_ids(raw.get("VpcSecurityGroups", []), "VpcSecurityGroupId")),
    )


def db_cluster_from_aws(raw: Raw) -> Upstream:
    return Upstream(
        kind="rds-cluster",
        id=raw["DBClusterIdentifier"],
        addresses=tuple(a for a in (raw.get("Endpoint"), raw.get("ReaderEndpoint")) if a),
        port=raw.get("Port"),
        status=raw.get("Status"),
        security_groups=_groups(_group_ids(raw.get("VpcSecurityGroups", []), "VpcSecurityGroupId")),
    )


def cache_cluster_from_aws(raw: Raw) -> Upstream:
    nodes = raw.get("CacheNodes", [])
    configuration = raw.get("ConfigurationEndpoint") or {}
    addresses = [configuration.get("Address")] + [
        (n.get("Endpoint") or {}).get("Address") for n in nodes
    ]
    ports = [configuration.get("Port")] + [(n.get("Endpoint") or {}).get("Port") for n in nodes]
    return Upstream(
        kind="cache-cluster",
        id=raw["CacheClusterId"],
        addresses=tuple(a for a in addresses if a),
        port=next((p for p in ports if p), None),
        status=raw.get("CacheClusterStatus"),
        security_groups=_groups(_group_ids(raw.get("SecurityGroups", []), "SecurityGroupId")),
    )


def replication_group_from_aws(raw: Raw) -> Upstream:
    """A replication group by its endpoints; its security groups are its member clusters'."""
    endpoints = [raw.get("ConfigurationEndpoint") or {}]
    for group in raw.get("NodeGroups", []):
        endpoints += [group.get("PrimaryEndpoint") or {}, group.get("ReaderEndpoint") or {}]
        endpoints += [m.get("ReadEndpoint") or {} for m in group.get("NodeGroupMembers", [])]
    return Upstream(
        kind="cache-replication-group",
        id=raw["ReplicationGroupId"],
        addresses=tuple(dict.fromkeys(e["Address"] for e in endpoints if e.get("Address"))),
        port=next((e["Port"] for e in endpoints if e.get("Port")), None),
        status=raw.get("Status"),
    )


# --------------------------------------------------------------------------- read graph


def matching(upstreams: Iterable[Upstream], hosts: Sequence[str]) -> list[Upstream]:
    """The resources that answer at one of the hosts."""
    wanted = {h.lower() for h in hosts}
    return [u for u in upstreams if wanted & {a.lower() for a in u.addresses}]


async def read_upstreams(read: Reads, hosts: Sequence[str]) -> tuple[Upstream, ...]:
    """The RDS and ElastiCache resources at `hosts`, each with its security groups' rules;
    () when none is named or none could be read."""
    rds = [h for h in hosts if h.lower().endswith(RDS_SUFFIX)]
    cache = [h for h in hosts if h.lower().endswith(CACHE_SUFFIX)]
    clients, unavailable = read.clients, read.clients.unavailable
    listings = []
    if rds:
        client = clients.client("rds", optional=True)
        listings += [
            read(r.DESCRIBE_DB_INSTANCES, describe_db_instances, client, unavailable),
            read(r.DESCRIBE_DB_CLUSTERS, describe_db_clusters, client, unavailable),
        ]
    if cache:
        client = clients.client("elasticache", optional=True)
        listings += [
            read(r.DESCRIBE_CACHE_CLUSTERS, describe_cache_clusters, client, unavailable),
            read(r.DESCRIBE_REPLICATION_GROUPS, describe_replication_groups, client, unavailable),
        ]
    if not listings:
        return ()
    listed = [u for found in await every_found(listings) for u in found]
    found = matching(listed, [*rds, *cache])
    groups = await every_found(_with_groups(read, u, listed) for u in found)
    return tuple(groups)


async def _with_groups(read: Reads, upstream: Upstream, listed: list[Upstream]) -> Upstream:
    """The resource with its security groups' rules (a replication group's are those of its
    member clusters, when they were listed)."""
    ids = [g.id for g in upstream.security_groups]
    if not ids and upstream.kind == "cache-replication-group":
        prefix = f"{upstream.id}-"
        ids = [g.id for u in listed if u.id.startswith(prefix) for g in u.security_groups]
    groups = await ec2.read_security_groups(read, list(dict.fromkeys(ids)))
    return upstream.model_copy(
        update={"security_groups": tuple(groups or upstream.security_groups)}
    )
