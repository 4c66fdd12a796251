"""Can the task reach what its logs say it could not? The resource's inbound rules against the
task's security groups.

When an app gives up on a database or a cache, the endpoint it names is matched to the RDS or
ElastiCache resource AWS describes (bot/aws/upstreams.py, an optional read), and that resource's
security groups are read rule by rule: a rule admits the task when its port range holds the
port and its source is one of the task's groups, an address range holding the task's address,
or a prefix list (which the bot cannot see into, so it counts). None admitting the task is why a
connection times out; the fix is the rule to add.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from bot.checks.evidence import config, contrary
from bot.model import Evidence, Facts, Particulars, PortRule, SecurityGroup, Upstream

# A DNS name the app printed (quoted or not) in its line.
_HOST = re.compile(r"[a-z0-9][\w.-]*\.amazonaws\.com", re.IGNORECASE)


@dataclass(frozen=True)
class Reach:
    """What the bot could tell of the way from the task to the endpoint."""

    evidence: tuple[Evidence, ...] = ()
    particulars: Particulars = field(default_factory=Particulars)


def hosts_named(line: str, endpoint: str | None) -> list[str]:
    """The host names a line gives for what the app could not reach: its endpoint's host and
    any AWS DNS name it prints beside an address."""
    named = [endpoint.rsplit(":", 1)[0]] if endpoint else []
    return list(dict.fromkeys([*named, *_HOST.findall(line)]))


def upstream_of(facts: Facts, line: str, endpoint: str | None) -> Upstream | None:
    wanted = {h.lower() for h in hosts_named(line, endpoint)}
    return next((u for u in facts.dependencies if wanted & {a.lower() for a in u.addresses}), None)


def judge(facts: Facts, line: str, endpoint: str | None) -> Reach:
    """The resource behind the endpoint, and whether its groups admit the task on its port."""
    upstream = upstream_of(facts, line, endpoint)
    if upstream is None:
        return Reach()
    named = endpoint.rsplit(":", 1) if endpoint and ":" in endpoint else []
    port = int(named[1]) if named and named[1].isdigit() else upstream.port
    status = f" ({upstream.status})" if upstream.status else ""
    said = [config(f"{upstream.label}{status} answers at {upstream.addresses[0]}:{port}")]
    found = Particulars(upstream=upstream.label)
    network = facts.network
    task_groups = tuple(g.id for g in network.security_groups) if network else ()
    read = [g for g in upstream.security_groups if g.name or g.ingress]
    if not task_groups or not read or port is None:
        return Reach(tuple(said), found)
    address = facts.focus_task.private_ip if facts.focus_task else None
    admitting = [
        (group.id, rule)
        for group in read
        for rule in group.ingress
        if _admits(rule, port, task_groups, address)
    ]
    if admitting:
        group, rule = admitting[0]
        said.append(contrary(f"security group {group} admits the task: {_rule_words(rule)}"))
        return Reach(tuple(said), found)
    rules = "; ".join(_rule_words(rule) for g in read for rule in g.ingress) or "no inbound rule"
    said.append(
        config(
            f"its security groups ({', '.join(_named(g) for g in read)}) admit none of the "
            f"task's "
            f"({', '.join(task_groups)}) on port {port}: {rules}"
        )
    )
    missing = found.model_copy(
        update={"ingress_group": read[0].id, "ingress_port": port, "ingress_source": task_groups[0]}
    )
    return Reach(tuple(said), missing)


def _named(group: SecurityGroup) -> str:
    return f"{group.id} ({group.name})" if group.name else group.id


def _admits(rule: PortRule, port: int, groups: tuple[str, ...], address: str | None) -> bool:
    if rule.protocol not in ("-1", "tcp", "6"):
        return False
    low = rule.from_port if rule.from_port is not None else 0
    high = rule.to_port if rule.to_port is not None else 65535
    if rule.protocol != "-1" and not low <= port <= high:
        return False
    if set(rule.security_groups) & set(groups) or rule.prefix_lists:
        return True
    return any(_holds(cidr, address) for cidr in rule.cidrs)


def _holds(cidr: str, address: str | None) -> bool:
    """Whether the range holds the task's address; without the address any range counts (it
    cannot be ruled out)."""
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    if network.prefixlen == 0 or address is None:
        return True
    try:
        return ipaddress.ip_address(address) in network
    except ValueError:
        return False


def _rule_words(rule: PortRule) -> str:
    ports = (
        "all traffic"
        if rule.protocol == "-1"
        else f"{rule.protocol} {rule.from_port}"
        + (f"-{rule.to_port}" if rule.to_port != rule.from_port else "")
    )
    sources = [*rule.security_groups, *rule.cidrs, *rule.prefix_lists]
    return f"{ports} from {', '.join(sources) or 'nothing'}"
