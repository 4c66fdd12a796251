"""Failures past the start: the app ran, then its own last words say why it stopped.

A dependency it could not reach, a setting it did not find, its runtime's own heap, a ulimit,
or a main process that ended or went to the background. The exit-code check finds them (the
log table's row for the decisive line, or an essential container that exited 0); this module
holds what ecs-why knows of each and the fix it builds from what the line named.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from bot.checks import reachability
from bot.checks.base import Knowledge, Stage
from bot.checks.fixes import Scene, aws, fix, log_link, log_tail, rollback_words
from bot.checks.patterns import Rule, classify_log
from bot.model import Cause, ContainerDefinition, LogStream, NextStep, Particulars, Step

# host:port, as apps print it: an address, localhost, a DNS name, or a compose-style name.
_ENDPOINT = re.compile(
    r"\b((?:\d{1,3}\.){3}\d{1,3}|localhost|[a-z][\w-]*(?:\.[\w-]+)+|[a-z][\w-]*)"
    r"(?::|\W{1,3}port\W{1,3})(\d{2,5})\b",
    re.IGNORECASE,
)
# libpq names the host, then the address it resolved to: `server at "HOST" (ADDRESS), port N`.
_LIBPQ = re.compile(r'server at "([^"]+)" \([^)]*\), port (\d{2,5})')
# A name that did not resolve, as resolvers and runtimes print it.
_UNRESOLVED = re.compile(
    r"(?:ENOTFOUND|EAI_AGAIN|UnknownHostException:?|lookup|host name)\s+[\\\"]*([a-z][\w.-]*)",
    re.IGNORECASE,
)
# Where an app's runtime takes its heap limit from (a flag token, never another value).
_HEAP_FLAG = re.compile(
    r"(-Xmx\S+|-XX:MaxRAMPercentage=\S+|-XX:MaxRAM=\S+|--max-old-space-size=\d+"
    r"|memory_limit=\S+|GOMEMLIMIT=\S+)"
)
_CONFIG_FILES = (".yml", ".yaml", ".json", ".toml", ".ini", ".conf", ".cfg", ".env", ".properties")
_HEAP_VARIABLES = ("JAVA_TOOL_OPTIONS", "JAVA_OPTS", "_JAVA_OPTIONS", "NODE_OPTIONS")
# Run in the foreground: what the usual daemons need told.
_FOREGROUND = (
    "`nginx -g 'daemon off;'`, `httpd -DFOREGROUND`, `php-fpm -F`, `cron -f`, or a supervisor "
    "with `nodaemon=true`"
)


def reading(rule: Rule, particulars: Particulars) -> str:
    """What a title says of the decisive line: the row's meaning, naming what it names."""
    if rule.cause is Cause.HEAP_EXHAUSTED:
        flag = f" ({particulars.heap_flag})" if particulars.heap_flag else ""
        limit = particulars.memory_limit
        return flag + (f", below its {limit} MiB memory limit" if limit else "")
    named = particulars.endpoint or particulars.setting or particulars.db_user
    return rule.meaning + (f" ({named})" if named else "")


def read_line(rule: Rule, line: str, container: ContainerDefinition | None) -> Particulars:
    """What the decisive line names, for the fix: the endpoint and how it failed, the setting,
    the database user; and, for a heap, the flag the container's command sets."""
    named = rule.named(line)
    endpoint = None
    if rule.cause is Cause.DEPENDENCY_UNREACHABLE:
        found = _LIBPQ.search(line) or _ENDPOINT.search(line)
        name = _UNRESOLVED.search(line)
        endpoint = f"{found[1]}:{found[2]}" if found else (name[1] if name else None)
    flag = None
    if rule.cause is Cause.HEAP_EXHAUSTED and container is not None:
        said = " ".join((*container.entry_point, *container.command))
        flag = found_flag[0] if (found_flag := _HEAP_FLAG.search(said)) else None
    setting = named.get("setting")
    return Particulars(
        endpoint=endpoint,
        failure=rule.kind or None,
        db_user=named.get("user"),
        # Rails names its key; the variable it reads it from is what a task definition sets.
        setting="SECRET_KEY_BASE" if setting == "secret_key_base" else setting,
        heap_flag=flag,
    )


def named_hosts(log_streams: Iterable[LogStream]) -> tuple[str, ...]:
    """The hosts the logs say the app could not reach: what is worth asking AWS about."""
    found: list[str] = []
    for line in (line for stream in log_streams for line in stream.lines):
        rule = classify_log(line)
        if rule is not None and rule.cause is Cause.DEPENDENCY_UNREACHABLE:
            found += reachability.hosts_named(line, read_line(rule, line, None).endpoint)
    return tuple(dict.fromkeys(found))


# --------------------------------------------------------------------------- fixes


def _name(scene: Scene) -> str:
    return scene.container.name if scene.container else "the container"


def _describe_container(scene: Scene, fields: str) -> str | None:
    """The command that shows `fields` of the container at fault in the failing revision."""
    if scene.revision is None:
        return None
    query = f"taskDefinition.containerDefinitions[?name==`{_name(scene)}`].{fields}"
    return aws(
        "ecs", "describe-task-definition", "--task-definition", scene.revision, "--query", query
    )


def _inside(host: str) -> str:
    """Where an endpoint is, as far as the bot can tell from the name or address."""
    if host in ("localhost", "127.0.0.1", "::1"):
        return "localhost"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if ".rds.amazonaws.com" in host:
            return "rds"
        if ".cache.amazonaws.com" in host:
            return "elasticache"
        return "name"
    return "vpc" if address.is_private else "internet"


@fix
def _fix_dependency(scene: Scene) -> NextStep:
    particulars = scene.cause.particulars
    name, endpoint = _name(scene), particulars.endpoint or "a service it needs"
    host = endpoint.rsplit(":", 1)[0]
    where = _inside(host)
    groups = scene.facts.network.security_groups if scene.facts.network else ()
    task_groups = ", ".join(g.id for g in groups) or "the task's security groups"
    kind = particulars.failure
    if kind == "db-auth":
        user = f" of user {particulars.db_user}" if particulars.db_user else ""
        secrets = [s.name for s in scene.container.secrets] if scene.container else []
        passed = f" ({', '.join(secrets)})" if secrets else ""
        action = (
            f"The database refuses the login{user} from {name}: the credentials the task passes"
            f"{passed} do not match the database's. Correct the secret (or the user), then "
            "force a new deployment."
        )
        return scene.step(action, log_tail(scene), log_link(scene))
    if kind == "tls":
        action = (
            f"{name} cannot complete a TLS handshake with {endpoint}: its certificate is not "
            "trusted by the image (an internal CA missing from the trust store, a self-signed "
            "or expired certificate). Add the CA to the image or fix the server's certificate."
        )
        return scene.step(action, log_tail(scene), log_link(scene))
    if where == "localhost":
        action = (
            f"{name} expects a service on {endpoint}, in its own task: only containers of the "
            "same task share localhost (awsvpc). Add that container to the task definition, or "
            "point the app at the service's own address."
        )
        return scene.step(action, _describe_container(scene, "[environment[].name,dependsOn]"))
    if kind == "dns":
        action = (
            f"{host} does not resolve from {name}'s task: check the name (a Service Connect or "
            "Cloud Map name resolves only with its namespace on the service) and that the VPC "
            "has DNS resolution on."
        )
        vpc = scene.facts.network.vpc_id if scene.facts.network else None
        command = None
        if vpc:
            command = aws(
                "ec2", "describe-vpc-attribute", "--vpc-id", vpc, "--attribute", "enableDnsSupport"
            )
        return scene.step(action, command)
    failed = "refuses connections" if kind == "refused" else "does not answer in time"
    if particulars.ingress_group and particulars.ingress_source:
        return _fix_ingress(scene, endpoint, failed)
    action = (
        f"{name} cannot reach {endpoint}: it {failed}. Check that it runs and listens on that "
        f"port, and that its security group admits {task_groups} on it (a network ACL can drop "
        "the traffic too)."
    ) + rollback_words(scene)
    return scene.step(action, _owner_lookup(scene, host, where), log_link(scene))


def _fix_ingress(scene: Scene, endpoint: str, failed: str) -> NextStep:
    """The upstream's security group admits none of the task's: the rule to add."""
    particulars = scene.cause.particulars
    group, port = particulars.ingress_group, particulars.ingress_port
    source = particulars.ingress_source
    action = (
        f"{_name(scene)} cannot reach {endpoint}: it {failed}, and {particulars.upstream}'s "
        f"security group {group} admits nothing from the task's group {source} on port {port}. "
        f"Allow TCP {port} into {group} from {source}."
    )
    command = aws(
        "ec2",
        "authorize-security-group-ingress",
        "--group-id",
        str(group),
        "--ip-permissions",
        f"IpProtocol=tcp,FromPort={port},ToPort={port},UserIdGroupPairs=[{{GroupId={source}}}]",
    )
    return scene.step(action, command, log_link(scene))


def _owner_lookup(scene: Scene, host: str, where: str) -> str | None:
    """The command that shows what answers at `host` and the security groups in front of it."""
    if where == "vpc":
        return aws(
            "ec2",
            "describe-network-interfaces",
            "--filters",
            f"Name=addr.private-ip-address,Values={host}",
            "--query",
            "NetworkInterfaces[].[Description,Groups[].GroupId]",
        )
    if where == "rds":
        return aws(
            "rds",
            "describe-db-instances",
            "--query",
            f"DBInstances[?Endpoint.Address==`{host}`].[DBInstanceStatus,VpcSecurityGroups]",
        )
    if where == "elasticache":
        return aws(
            "elasticache",
            "describe-replication-groups",
            "--query",
            "ReplicationGroups[].[ReplicationGroupId,Status]",
        )
    return log_tail(scene)


@fix
def _fix_config_missing(scene: Scene) -> NextStep:
    particulars = scene.cause.particulars
    name, setting = _name(scene), particulars.setting
    container = scene.container
    known = (
        {*container.environment_names, *(s.name for s in container.secrets)} if container else set()
    )
    files = container.environment_files if container else ()
    revision = scene.revision or "the task definition"
    if setting is None:
        action = (
            f"{name} stops on a setting it needs and does not find: see the quoted line, then "
            f"set it (a variable or a secret) in a new revision of {revision}."
        )
    elif ("." in setting and "/" in setting) or setting.endswith(
        (".yml", ".yaml", ".json", ".conf")
    ):
        action = (
            f"{name} looks for the file {setting}, which its image does not hold: add it to the "
            "image, or mount it (a volume, or an object fetched at start)."
        )
    elif setting in known:
        action = (
            f"{revision} sets {setting}, yet {name} finds it missing or invalid: check its value "
            "(for a secret, what Secrets Manager or Parameter Store holds)."
        )
    else:
        maybe = " unless its environment file sets it" if files else ""
        action = (
            f"{name} needs {setting}, which {revision} sets neither as a variable nor as a "
            f"secret{maybe}: add it in a new revision."
        )
    action += rollback_words(scene)
    return scene.step(action, _describe_container(scene, "[environment[].name,secrets[].name]"))


@fix
def _fix_heap(scene: Scene) -> NextStep:
    particulars = scene.cause.particulars
    name, container = _name(scene), scene.container
    flag = f" ({particulars.heap_flag})" if particulars.heap_flag else ""
    limit = f"{particulars.memory_limit} MiB" if particulars.memory_limit else "its memory limit"
    elsewhere = [v for v in _HEAP_VARIABLES if container and v in container.environment_names]
    if not flag and elsewhere:
        flag = f" (it may be set in {', '.join(elsewhere)})"
    elif not flag and container and container.environment_files:
        flag = " (it may be set in the environment file)"
    peak, size = particulars.memory_peak, particulars.memory_suggested
    # The title says the heap ran out below the limit, and the chart or Details the peak: the
    # step says only what to do.
    if peak and size and size > (particulars.memory_limit or 0):
        action = (
            f"The container is full too: give {name} {size} MiB and keep its heap{flag} at about "
            "three quarters of it, or find what holds on to memory."
        )
    else:
        toward = f" to about {size} MiB" if size else f" toward the container's {limit}"
        action = (
            f"Raise {name}'s heap{flag}{toward} (JVM `-XX:MaxRAMPercentage=75`, Node "
            "`--max-old-space-size`, PHP `memory_limit`), not the container's memory."
        )
    return scene.step(
        action + rollback_words(scene),
        _describe_container(scene, "[entryPoint,command,memory]"),
        log_link(scene),
    )


@fix
def _fix_file_limit(scene: Scene) -> NextStep:
    name = _name(scene)
    threads = scene.cause.particulars.failure == "processes"
    limit = "nproc" if threads else "nofile"
    action = (
        f"{name} hit its {limit} ulimit ({'processes and threads' if threads else 'open files'}):"
        f" add `ulimits: [{{name: {limit}, softLimit: 65536, hardLimit: 65536}}]` to the "
        "container in a new revision, and look for what leaks them."
    )
    return scene.step(action, _describe_container(scene, "ulimits"), log_link(scene))


@fix
def _fix_not_foreground(scene: Scene) -> NextStep:
    name = _name(scene)
    action = (
        f"{name}'s main process ended or went to the background, and ECS stops a task whose "
        f"essential container exits: run it in the foreground ({_FOREGROUND}); for a one-off "
        "job, run it as a task, not a service."
    ) + rollback_words(scene)
    return scene.step(action, _describe_container(scene, "[entryPoint,command]"), log_link(scene))


# --------------------------------------------------------------------------- causes

DEPENDENCY_UNREACHABLE = Knowledge(
    Cause.DEPENDENCY_UNREACHABLE,
    Step.EXIT_CODE,
    title="Container {container} exits: {reading}",
    explains=frozenset({Cause.APP_CRASH, Cause.ELB_HEALTH_CHECK}),
    stage=Stage.APP_RUNS,
    primary="logs",
    fix=_fix_dependency,
)
CONFIG_MISSING = Knowledge(
    Cause.CONFIG_MISSING,
    Step.EXIT_CODE,
    title="Container {container} exits: {reading}",
    explains=frozenset({Cause.APP_CRASH, Cause.ELB_HEALTH_CHECK}),
    stage=Stage.APP_RUNS,
    revision_brought=True,
    primary="logs",
    fix=_fix_config_missing,
)
HEAP_EXHAUSTED = Knowledge(
    Cause.HEAP_EXHAUSTED,
    Step.EXIT_CODE,
    title="Container {container} ran out of its own heap{reading}",
    explains=frozenset({Cause.APP_CRASH, Cause.ELB_HEALTH_CHECK}),
    stage=Stage.APP_RUNS,
    revision_brought=True,
    primary="logs",
    fix=_fix_heap,
)
FILE_LIMIT = Knowledge(
    Cause.FILE_LIMIT,
    Step.EXIT_CODE,
    title="Container {container} hits a ulimit: {reading}",
    explains=frozenset({Cause.APP_CRASH, Cause.ELB_HEALTH_CHECK}),
    stage=Stage.APP_RUNS,
    primary="logs",
    fix=_fix_file_limit,
)
NOT_FOREGROUND = Knowledge(
    Cause.NOT_FOREGROUND,
    Step.EXIT_CODE,
    title="Container {container}'s main process ended or went to the background (exit {code})",
    explains=frozenset({Cause.APP_CRASH}),
    stage=Stage.APP_RUNS,
    revision_brought=True,
    primary="logs",
    fix=_fix_not_foreground,
)
KNOWLEDGE = (DEPENDENCY_UNREACHABLE, CONFIG_MISSING, HEAP_EXHAUSTED, FILE_LIMIT, NOT_FOREGROUND)
