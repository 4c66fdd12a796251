"""Step 6, the network: can an awsvpc task reach what it needs before the app even starts?

Before the first line of application code runs, ECS pulls the image (ECR and S3), fetches
secrets and opens the log stream from inside the task's network interface. A private subnet
needs a NAT gateway or VPC endpoints for each of them, a public one needs a public IP, and
every one of them needs an outbound security group rule.
"""

from __future__ import annotations

from bot import console
from bot.checks.base import NAMED, NEEDS_WAY_OUT, PROVEN, Check, Knowledge, Stage
from bot.checks.evidence import (
    Tally,
    config,
    config_severity,
    container_definitions,
    contrary,
    hit_evidence,
    log_hits,
    looks_fixed,
    tallies,
    unconfirmed,
    unread,
    with_evidence,
)
from bot.checks.fixes import Scene, aws, fix
from bot.checks.stopped_reason import UNKNOWN
from bot.model import (
    Cause,
    Evidence,
    Fact,
    Facts,
    Finding,
    Gap,
    Network,
    NextStep,
    Particulars,
    PortRule,
    Step,
    Subnet,
    Where,
)
from bot.parse.image_uri import registry_of

# --------------------------------------------------------------------------- fixes


def _subnets(scene: Scene) -> list[Subnet]:
    network = scene.facts.network
    return task_subnets(scene.facts, network) if network else []


@fix
def _fix_no_route(scene: Scene) -> NextStep:
    subnets = _subnets(scene)
    network = scene.facts.network
    tables = list(dict.fromkeys(s.route_table_id for s in subnets if s.route_table_id))
    names = ", ".join(s.id for s in subnets) or "the task's subnet"
    action = (
        f"{names} has no way out: route 0.0.0.0/0 of "
        f"{', '.join(tables) or 'its route table'} to a NAT gateway (the command lists the VPC's), "
        "or turn on a public IP with an internet gateway route, or add VPC endpoints for ECR, S3, "
        "CloudWatch Logs and the secrets the task reads."
    )
    link = ("Route table", console.route_table(scene.region, tables[0])) if tables else None
    if network is None or network.vpc_id is None:
        return scene.step(action, link=link)
    command = aws(
        "ec2",
        "describe-nat-gateways",
        "--filter",
        f"Name=vpc-id,Values={network.vpc_id}",
        "--query",
        "NatGateways[].[NatGatewayId,SubnetId,State]",
    )
    return scene.step(action, command, link)


@fix
def _fix_missing_endpoint(scene: Scene) -> NextStep:
    network = scene.facts.network
    subnets = _subnets(scene)
    if network is None or network.vpc_id is None:
        return scene.step("Create the VPC endpoints the task needs in its VPC.")
    present = {endpoint_suffix(endpoint) for endpoint in network.vpc_endpoints}
    missing = [name for name in needed_endpoints(scene.facts) if name not in present]
    tables = list(dict.fromkeys(s.route_table_id for s in subnets if s.route_table_id))
    groups = [g.id for g in network.security_groups]
    lines = []
    for name in missing:
        service = f"com.amazonaws.{scene.region}.{name}"
        if name == "s3" and tables:
            lines.append(
                aws(
                    "ec2",
                    "create-vpc-endpoint",
                    "--vpc-id",
                    network.vpc_id,
                    "--vpc-endpoint-type",
                    "Gateway",
                    "--service-name",
                    service,
                    "--route-table-ids",
                    *tables,
                )
            )
        elif name != "s3" and subnets:
            lines.append(
                aws(
                    "ec2",
                    "create-vpc-endpoint",
                    "--vpc-id",
                    network.vpc_id,
                    "--vpc-endpoint-type",
                    "Interface",
                    "--service-name",
                    service,
                    "--subnet-ids",
                    *(s.id for s in subnets),
                    *(("--security-group-ids", *groups) if groups else ()),
                    "--private-dns-enabled",
                )
            )
    what = ", ".join(missing) or "the endpoints it needs"
    action = (
        f"{network.vpc_id} has no NAT for the task and lacks the {what} endpoint"
        f"{'s' if len(missing) > 1 else ''}: create "
        + ("it" if len(missing) == 1 else "them")
        + (" (S3 is a gateway endpoint on the subnet's route table)" if "s3" in missing else "")
        + "."
    )
    return scene.step(
        action,
        "\n".join(lines) or None,
        ("VPC endpoints", console.vpc_endpoints(scene.region, network.vpc_id)),
    )


@fix
def _fix_no_egress(scene: Scene) -> NextStep:
    network = scene.facts.network
    groups = [g for g in (network.security_groups if network else ()) if not g.egress]
    group = groups[0] if groups else None
    if group is None:
        action = "Give the task's security groups outbound rules: at least HTTPS 443."
        return scene.step(action)
    action = (
        f"Security group {group.id} ({group.name}) lets nothing out: allow at least HTTPS 443 "
        "(to ECR, S3, logs and secrets), plus what the app itself talks to."
    )
    command = aws(
        "ec2",
        "authorize-security-group-egress",
        "--group-id",
        group.id,
        "--ip-permissions",
        "IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=0.0.0.0/0}]",
    )
    return scene.step(
        action, command, ("Security group", console.security_group(scene.region, group.id))
    )


@fix
def _fix_no_ingress(scene: Scene) -> NextStep:
    port = scene.cause.particulars.host_ports[0] if scene.cause.particulars.host_ports else None
    network = scene.facts.network
    group = network.security_groups[0] if network and network.security_groups else None
    where = f"security group {group.id} ({group.name})" if group else "the task's security group"
    action = (
        f"Let the load balancer reach the tasks: allow TCP {port or 'on the container port'} into "
        f"{where} from the load balancer's security group (the command shows which it is; then "
        "`aws ec2 authorize-security-group-ingress` with that group as the source)."
    )
    balancers = scene.facts.service.load_balancers if scene.facts.service else ()
    command = None
    if balancers:
        command = aws(
            "elbv2",
            "describe-target-groups",
            "--target-group-arns",
            balancers[0].target_group_arn,
            "--query",
            "TargetGroups[0].LoadBalancerArns",
        )
    link = ("Security group", console.security_group(scene.region, group.id)) if group else None
    return scene.step(action, command, link)


@fix
def _fix_efs_mount_failed(scene: Scene) -> NextStep:
    volumes = scene.definition.efs_volumes if scene.definition else ()
    volume = volumes[0] if volumes else None
    zone = scene.task.availability_zone if scene.task else None
    subnet = scene.task.subnet_id if scene.task else None
    if volume is None:
        return scene.step(
            "Check the EFS volume's mount targets, port 2049 and the VPC's DNS settings."
        )
    zones = (
        scene.facts.network.efs_mount_target_zones.get(volume.file_system_id)
        if scene.facts.network
        else None
    )
    link = ("EFS file system", console.efs_file_system(scene.region, volume.file_system_id))
    if zones is not None and zone and zone not in zones and subnet:
        groups = [g.id for g in scene.facts.network.security_groups] if scene.facts.network else []
        action = (
            f"{volume.file_system_id} has no mount target in {zone}, where the task ran: add one "
            f"in {subnet}, with a security group that lets the task in on TCP 2049."
        )
        command = aws(
            "efs",
            "create-mount-target",
            "--file-system-id",
            volume.file_system_id,
            "--subnet-id",
            subnet,
            *(("--security-groups", *groups) if groups else ()),
        )
        return scene.step(action, command, link)
    action = (
        f"Check that {volume.file_system_id} has a mount target in each zone of the task's "
        "subnets, that TCP 2049 is open between the task and them, and that the VPC resolves "
        "DNS names."
    )
    command = aws("efs", "describe-mount-targets", "--file-system-id", volume.file_system_id)
    return scene.step(action, command, link)


# --------------------------------------------------------------------------- causes


NO_ROUTE = Knowledge(
    Cause.NO_ROUTE_TO_INTERNET,
    Step.NETWORK,
    title="Tasks in {subnets} cannot reach the internet or AWS endpoints",
    explains=NEEDS_WAY_OUT | {Cause.APP_CRASH},  # an app that times out reaching AWS exits
    stage=Stage.WAY_OUT,
    fix=_fix_no_route,
)
MISSING_ENDPOINT = Knowledge(
    Cause.MISSING_VPC_ENDPOINT,
    Step.NETWORK,
    title="Private subnet {subnets} has no NAT gateway and no VPC endpoint for {missing}",
    explains=NEEDS_WAY_OUT | {Cause.NO_ROUTE_TO_INTERNET, Cause.APP_CRASH},
    stage=Stage.WAY_OUT,
    fix=_fix_missing_endpoint,
)
SG_NO_EGRESS = Knowledge(
    Cause.SECURITY_GROUP_NO_EGRESS,
    Step.NETWORK,
    title="Security group {groups} allows no outbound traffic",
    explains=NEEDS_WAY_OUT | {Cause.NO_ROUTE_TO_INTERNET, Cause.EFS_MOUNT_FAILED},
    stage=Stage.WAY_OUT,
    fix=_fix_no_egress,
)
SG_NO_INGRESS = Knowledge(
    Cause.SECURITY_GROUP_NO_INGRESS,
    Step.NETWORK,
    title="Security group {groups} admits nothing on port {port}, where the load balancer checks",
    # checks that cannot reach the task time out
    explains=frozenset({Cause.ELB_HEALTH_CHECK, Cause.SIGTERM}),
    stage=Stage.HEALTH_CHECKS,
    fix=_fix_no_ingress,
)
EFS_MOUNT_FAILED = Knowledge(
    Cause.EFS_MOUNT_FAILED,
    Step.NETWORK,
    title="EFS volume {volume} cannot be mounted",
    stage=Stage.WAY_OUT,
    fix=_fix_efs_mount_failed,
)
KNOWLEDGE = (NO_ROUTE, MISSING_ENDPOINT, SG_NO_EGRESS, SG_NO_INGRESS, EFS_MOUNT_FAILED)
_BY_CODE = {knowledge.code: knowledge for knowledge in KNOWLEDGE}
_EFS_PORT = 2049
# The agent kills a pull that outlives its timeout: "pull command failed: : signal: killed"
# (https://github.com/awslabs/amazon-s3-find-and-forget/issues/290, endpoints all in place).
_KILLED = "signal: killed"


def check_network(facts: Facts) -> list[Finding]:
    """Timeouts AWS reported, and subnets, endpoints and security groups that explain them."""
    network = facts.network
    fields = _network_fields(facts)
    found = [_message_finding(facts, tally, fields) for tally in tallies(facts, _BY_CODE)]
    found += _app_timeouts(facts, fields)
    if gap := _layout_unread(facts):
        return [unconfirmed(f, gap) if f.code is Cause.NO_ROUTE_TO_INTERNET else f for f in found]
    if network is None or _skip_network(facts):
        return found
    found += _no_way_out(facts, network, fields) + _no_egress(facts, network)
    found += _no_ingress(facts, network)
    return found + _efs_unreachable(facts, network, fields)


def _layout_unread(facts: Facts) -> Gap | None:
    """The gap that hid the subnets, routes or security groups: a timeout is then only a lead,
    for a security group without egress or a missing endpoint times out the same way."""
    return unread(facts, Fact.NETWORK) if facts.network is None else None


def _message_finding(facts: Facts, tally: Tally, fields: dict[str, str]) -> Finding:
    """A timeout from a task whose subnets provably have a way out is not a missing route:
    security groups that let nothing out explain it, else it looks fixed since."""
    finding = tally.finding(_BY_CODE[tally.cause], Where(), fields)
    routes = _routes_out(facts) if tally.cause is Cause.NO_ROUTE_TO_INTERNET else None
    if routes is None or facts.network is None:
        return finding
    if not any(group.egress for group in facts.network.security_groups):
        return tally.finding(SG_NO_EGRESS, Where(), fields)
    proof = [*routes, config("its security groups allow outbound traffic")]
    if all(_KILLED in s.said.text for s in tally.sightings):
        guess = (
            "the image pull was killed before it finished: a large image or a slow pull (see "
            "the image's size in ECR against how long pulls take), not the network"
        )
        unknown = tally.finding(UNKNOWN, Where(), fields | {"guess": guess})
        return with_evidence(unknown.model_copy(update={"step": Step.IMAGE}), *proof)
    # The timeout is the first witness: the way out may have been added since.
    return looks_fixed(finding, *proof)


def _app_timeouts(facts: Facts, fields: dict[str, str]) -> list[Finding]:
    """The app's own logs timing out against AWS endpoints."""
    hits = log_hits(facts, Cause.NO_ROUTE_TO_INTERNET)
    if not hits:
        return []
    evidence = hit_evidence(facts, hits)
    where = Where(container=hits[0].container)
    return [
        NO_ROUTE.finding(evidence, where, fields, confidence=NAMED, tasks=len(hits), observed=True)
    ]


def _routes_out(facts: Facts) -> list[Evidence] | None:
    """Evidence that the task's subnets reach AWS: a route out of each, or every endpoint."""
    network = facts.network
    if network is None:
        return None
    public_ip = _public_ip(facts, network)
    subnets = task_subnets(facts, network)
    ways = [(subnet, _way_out(subnet, public_ip)) for subnet in subnets]
    if subnets and all(way for _, way in ways):
        return [contrary(f"subnet {s.id} routes 0.0.0.0/0 to {way}") for s, way in ways]
    needed = needed_endpoints(facts)
    present = {endpoint_suffix(endpoint) for endpoint in network.vpc_endpoints}
    if needed and set(needed) <= present and not _outside_ecr(facts):
        return [contrary(f"the VPC has endpoints for all it needs: {', '.join(sorted(needed))}")]
    return None


def task_subnets(facts: Facts, network: Network) -> list[Subnet]:
    """The focus task's subnet when known, else every subnet the service may use."""
    task = facts.focus_task
    wanted = {task.subnet_id} if task and task.subnet_id else set()
    if not wanted and facts.service:
        wanted = set(facts.service.subnets)
    return [subnet for subnet in network.subnets if not wanted or subnet.id in wanted]


def _where(subnets: list[Subnet]) -> dict[str, str]:
    return {"subnets": ", ".join(s.id for s in subnets) or "their subnets"}


def _network_fields(facts: Facts) -> dict[str, str]:
    network = facts.network
    definition = facts.task_definition
    volumes = definition.efs_volumes if definition else ()
    groups = ", ".join(group.id for group in network.security_groups) if network else ""
    return _where(task_subnets(facts, network) if network else []) | {
        "groups": groups or "<security group>",
        "volume": volumes[0].name if volumes else "<volume>",
        "missing": "the services it needs",
    }


def _public_ip(facts: Facts, network: Network) -> bool | None:
    if network.task_has_public_ip is not None:
        return network.task_has_public_ip
    if network.assign_public_ip is not None:
        return network.assign_public_ip
    return facts.service.assign_public_ip if facts.service else None


def _way_out(subnet: Subnet, public_ip: bool | None) -> str | None:
    """How traffic leaves the subnet for the internet, or None when it cannot."""
    default = [r for r in subnet.routes if r.destination == "0.0.0.0/0" and r.state == "active"]
    if not default:
        return None
    target = default[0].target
    if target.startswith("igw-") and public_ip is False:
        return None  # an internet gateway only answers addresses it can see
    return target


def needed_endpoints(facts: Facts) -> dict[str, str]:
    """VPC endpoint suffix → why the task needs it, for a subnet without internet."""
    needed: dict[str, str] = {}
    for container in container_definitions(facts):
        if registry_of(container.image):
            needed |= {"ecr.api": "ECR", "ecr.dkr": "ECR", "s3": "ECR image layers"}
        if container.log_driver == "awslogs":
            needed["logs"] = "awslogs"
        for secret in container.secrets:
            service = "ssm" if ":secretsmanager:" not in secret.value_from else "secretsmanager"
            needed[service] = f"secret {secret.name}"
    return needed


def _no_way_out(facts: Facts, network: Network, fields: dict[str, str]) -> list[Finding]:
    public_ip = _public_ip(facts, network)
    stuck = [s for s in task_subnets(facts, network) if _way_out(s, public_ip) is None]
    if not stuck:
        return []
    present = {endpoint_suffix(endpoint) for endpoint in network.vpc_endpoints}
    outside_ecr = _outside_ecr(facts)
    said = [config(_route_evidence(s, public_ip)) for s in stuck]
    said.append(config(f"VPC endpoints: {', '.join(sorted(present)) or 'none'}"))
    fields = fields | _where(stuck)
    severity = config_severity(facts)
    if outside_ecr or not present:
        if outside_ecr:
            said.append(config(f"images outside ECR need the internet: {', '.join(outside_ecr)}"))
        return [NO_ROUTE.finding(said, Where(), fields, confidence=PROVEN, severity=severity)]
    needed = needed_endpoints(facts)
    missing = sorted(set(needed) - present)
    if not missing:
        return []
    said.append(config("needed: " + ", ".join(f"{name} ({needed[name]})" for name in missing)))
    fields |= {"missing": ", ".join(missing)}
    return [MISSING_ENDPOINT.finding(said, Where(), fields, confidence=PROVEN, severity=severity)]


def _outside_ecr(facts: Facts) -> list[str]:
    """Images only the internet can serve: no VPC endpoint reaches Docker Hub or GHCR."""
    return [c.image for c in container_definitions(facts) if not registry_of(c.image)]


def endpoint_suffix(endpoint: str) -> str:
    """`com.amazonaws.us-east-1.ecr.dkr` → `ecr.dkr`."""
    parts = endpoint.split(".")
    return ".".join(parts[3:]) if len(parts) > 3 else endpoint


def _route_evidence(subnet: Subnet, public_ip: bool | None) -> str:
    routes = ", ".join(f"{r.destination} → {r.target}" for r in subnet.routes) or "no routes"
    table = subnet.route_table_id or "main route table"
    ip = " and the task has no public IP" if public_ip is False else ""
    return f"subnet {subnet.id}, route table {table}: {routes}{ip}"


def _no_egress(facts: Facts, network: Network) -> list[Finding]:
    groups = network.security_groups
    if not groups or any(group.egress for group in groups):
        return []
    said = [config(f"security group {g.id} ({g.name}): no outbound rules") for g in groups]
    return [
        SG_NO_EGRESS.finding(
            said,
            Where(),
            {"groups": ", ".join(g.id for g in groups)},
            confidence=PROVEN,
            severity=config_severity(facts),
        )
    ]


def _no_ingress(facts: Facts, network: Network) -> list[Finding]:
    """Tasks behind a load balancer whose security groups admit nothing, from any address,
    prefix list or group, on the port the load balancer sends to: its checks time out."""
    service, groups = facts.service, network.security_groups
    if service is None or not service.load_balancers or not groups:
        return []
    port = service.load_balancers[0].container_port
    if any(_allows(rule, port) for group in groups for rule in group.ingress):
        return []
    said = [
        config(f"security group {g.id} ({g.name}): no inbound rule for TCP {port}") for g in groups
    ]
    return [
        SG_NO_INGRESS.finding(
            said,
            Where(),
            {"groups": ", ".join(g.id for g in groups), "port": str(port)},
            confidence=PROVEN,
            severity=config_severity(facts),
            particulars=Particulars(host_ports=(port,)),
        )
    ]


def _allows(rule: PortRule, port: int) -> bool:
    if rule.protocol == "-1":
        return True
    low, high = rule.from_port or 0, rule.to_port if rule.to_port is not None else 65535
    return rule.protocol in {"tcp", "6"} and low <= port <= high


def _efs_unreachable(facts: Facts, network: Network, fields: dict[str, str]) -> list[Finding]:
    definition = facts.task_definition
    found = []
    for volume in definition.efs_volumes if definition else ():
        said = []
        rules = [rule for group in network.security_groups for rule in group.egress]
        if network.security_groups and rules and not any(_allows(r, _EFS_PORT) for r in rules):
            said.append(f"no outbound rule of {fields['groups']} allows TCP {_EFS_PORT} (NFS)")
        zones = network.efs_mount_target_zones.get(volume.file_system_id)
        zone = _task_zone(facts, network)
        if zones == ():
            said.append(f"file system {volume.file_system_id} has no mount targets")
        elif zones and zone and zone not in zones:
            said.append(
                f"file system {volume.file_system_id} has mount targets only in "
                f"{', '.join(zones)}, but the task ran in {zone}"
            )
        if said:
            volume_fields = fields | {"volume": volume.name}
            severity = config_severity(facts)
            found.append(
                EFS_MOUNT_FAILED.finding(
                    map(config, said), Where(), volume_fields, confidence=PROVEN, severity=severity
                )
            )
    return found


def _task_zone(facts: Facts, network: Network) -> str | None:
    task = facts.focus_task
    if task is None:
        return None
    if task.availability_zone:
        return task.availability_zone
    subnet = next((s for s in network.subnets if s.id == task.subnet_id), None)
    return subnet.availability_zone if subnet else None


def _skip_network(facts: Facts) -> str | None:
    definition = facts.task_definition
    mode = definition.network_mode if definition else None
    if mode is None or mode == "awsvpc":
        return None
    return f"Network mode {mode}: tasks share the container instance's network"


CHECK = Check(
    run=check_network,
    knowledge=KNOWLEDGE,
    needs=(Fact.NETWORK, Fact.TASK_DEFINITIONS),
    reads=(Fact.LOG_STREAMS, Fact.TASKS, Fact.SERVICE),  # timeouts the app and AWS reported
    step=Step.NETWORK,
    passed="The task's subnet has a way out and its security groups allow outbound traffic",
    skip=_skip_network,
)
