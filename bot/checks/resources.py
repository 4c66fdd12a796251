"""Step 7, resources: is there somewhere for the task to run?

On EC2 that is a connected container instance with enough free CPU, memory and the task's
host port; on Fargate it is AWS's capacity and the account's quotas, which only show in the
messages ECS leaves and in tasks that stay PROVISIONING.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from bot import console
from bot.checks.base import INFERRED, NAMED, PROVEN, Check, Knowledge, Stage
from bot.checks.evidence import (
    config,
    config_severity,
    hit_evidence,
    log_hits,
    note,
    service_short,
    tallies,
    unread,
)
from bot.checks.fixes import Scene, aws, fix, instances_link, log_link
from bot.model import (
    CapacityProvider,
    Cause,
    Cluster,
    ContainerInstance,
    Evidence,
    Fact,
    Facts,
    Finding,
    NextStep,
    Particulars,
    Step,
    Task,
    Where,
)

# --------------------------------------------------------------------------- fixes


# Service Quotas codes of the vCPU limits ECS runs into.
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html
FARGATE_VCPU = ("fargate", "L-3032A538", "Fargate On-Demand vCPU resource count")


EC2_VCPU = ("ec2", "L-1216C47A", "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances")


@fix
def _fix_capacity(scene: Scene) -> NextStep:
    particulars = scene.cause.particulars
    if scene.cause.code is Cause.INSUFFICIENT_CPU:
        what, free = "CPU", f"{particulars.cpu_needed or 'enough'} CPU units"
    else:
        what, free = "memory", f"{particulars.memory_needed or 'enough'} MiB of memory"
    cluster = scene.cluster or "the cluster"
    action = (
        f"No container instance has {free} free for the task: add container instances to "
        f"{cluster} (its Auto Scaling group, or a capacity provider with managed scaling), or "
        f"lower the task's {what} in a new revision."
    )
    command = None
    if scene.cluster:
        command = aws(
            "ecs", "list-container-instances", "--cluster", scene.cluster, "--status", "ACTIVE"
        )
    return scene.step(action, command, instances_link(scene))


@fix
def _fix_port_in_use(scene: Scene) -> NextStep:
    ports = ", ".join(map(str, scene.cause.particulars.host_ports))
    taken = f"Host port {ports} is" if ports else "A host port the task needs is"
    action = (
        f"{taken} already taken on every container instance: a fixed host port fits one task "
        "per instance. Use host port 0 (dynamic ports behind the load balancer) or awsvpc "
        "networking in a new revision, or add instances."
    )
    return scene.step(action, link=instances_link(scene))


@fix
def _fix_no_container_instances(scene: Scene) -> NextStep:
    cluster = scene.cluster or "the cluster"
    action = (
        f"{cluster} has no connected container instance: launch instances with "
        f"ECS_CLUSTER={cluster} in /etc/ecs/ecs.config and an instance profile with "
        "AmazonEC2ContainerServiceforEC2Role, "
        "or find why their agents disconnected; or move the service to Fargate."
    )
    command = None
    if scene.cluster:
        command = aws("ecs", "list-container-instances", "--cluster", scene.cluster)
    return scene.step(action, command, instances_link(scene))


@fix
def _fix_fargate_capacity(scene: Scene) -> NextStep:
    subnets = scene.facts.service.subnets if scene.facts.service else ()
    now = f" (now {', '.join(subnets)})" if subnets else ""
    action = (
        "Fargate has no capacity for this task size in the service's zones right now: give the "
        f"service subnets in more Availability Zones{now}, retry later, or mix in FARGATE_SPOT."
    )
    return scene.step(action)


@fix
def _fix_service_quota(scene: Scene) -> NextStep:
    code, quota, name = FARGATE_VCPU if scene.facts.on_fargate else EC2_VCPU
    definition, service = scene.definition, scene.facts.service
    total = ""
    if definition and definition.cpu and definition.cpu.isdigit() and service:
        vcpus = int(definition.cpu) / 1024 * service.desired
        total = f"; {service.desired} tasks of {scene.revision} ask for {vcpus:g} vCPUs in all"
    action = (
        f"The account's “{name}” quota in {scene.region} is used up{total}. Request an increase "
        "(Service Quotas), or lower desired counts elsewhere."
    )
    command = aws(
        "service-quotas", "get-service-quota", "--service-code", code, "--quota-code", quota
    )
    return scene.step(
        action, command, ("Service Quotas", console.service_quotas(scene.region, code))
    )


@fix
def _fix_disk_full(scene: Scene) -> NextStep:
    if scene.facts.on_fargate or scene.cause.particulars.storage == "task":
        action = (
            "The task ran out of ephemeral storage (20 GiB unless its task definition says "
            "more): raise ephemeralStorage.sizeInGiB (up to 200) in a new revision, write less "
            "to the container's disk (logs to stdout, caches to a volume), or slim the image."
        )
        command = None
        if scene.revision:
            command = aws(
                "ecs",
                "describe-task-definition",
                "--task-definition",
                scene.revision,
                "--query",
                "taskDefinition.ephemeralStorage",
            )
        return scene.step(action, command, log_link(scene))
    task = scene.task
    instance = None
    if task and task.container_instance_arn and scene.facts.cluster:
        instance = next(
            (
                i.ec2_instance_id
                for i in scene.facts.cluster.instances
                if i.arn == task.container_instance_arn
            ),
            None,
        )
    where = f"Instance {instance}" if instance else "The container instance"
    action = (
        f"{where} is out of disk: see what fills its Docker volume (`docker system df`), prune "
        "unused images, cap container logs (json-file max-size) or grow the volume."
    )
    link = ("EC2 instance", console.instance(scene.region, instance)) if instance else None
    return scene.step(action, link=link)


# --------------------------------------------------------------------------- causes


INSUFFICIENT_CPU = Knowledge(
    Cause.INSUFFICIENT_CPU,
    Step.RESOURCES,
    title="No container instance has {cpu} CPU units free for the task",
    stage=Stage.PLACEMENT,
    fix=_fix_capacity,
)
INSUFFICIENT_MEMORY = Knowledge(
    Cause.INSUFFICIENT_MEMORY,
    Step.RESOURCES,
    title="No container instance has {memory} MiB of memory free for the task",
    stage=Stage.PLACEMENT,
    fix=_fix_capacity,
)
NO_CONTAINER_INSTANCES = Knowledge(
    Cause.NO_CONTAINER_INSTANCES,
    Step.RESOURCES,
    title="Cluster {cluster} has no connected container instance to run tasks on",
    stage=Stage.PLACEMENT,
    fix=_fix_no_container_instances,
)
FARGATE_CAPACITY = Knowledge(
    Cause.FARGATE_CAPACITY,
    Step.RESOURCES,
    title="Fargate has no capacity for the task right now",
    stage=Stage.PLACEMENT,
    fix=_fix_fargate_capacity,
)
SERVICE_QUOTA = Knowledge(
    Cause.SERVICE_QUOTA,
    Step.RESOURCES,
    title="An account limit stops ECS from starting the task",
    stage=Stage.PLACEMENT,
    fix=_fix_service_quota,
)
PORT_IN_USE = Knowledge(
    Cause.PORT_IN_USE,
    Step.RESOURCES,
    title="Host port {port} is already taken on every container instance",
    stage=Stage.PLACEMENT,
    fix=_fix_port_in_use,
)
DISK_FULL = Knowledge(
    Cause.DISK_FULL,
    Step.RESOURCES,
    title="{storage} ran out of disk space",
    # the app stops on a write that fails, its load balancer's checks with it
    explains=frozenset({Cause.APP_CRASH, Cause.ELB_HEALTH_CHECK}),
    stage=Stage.PULL,
    fix=_fix_disk_full,
)
KNOWLEDGE = (
    INSUFFICIENT_CPU,
    INSUFFICIENT_MEMORY,
    NO_CONTAINER_INSTANCES,
    FARGATE_CAPACITY,
    SERVICE_QUOTA,
    PORT_IN_USE,
    DISK_FULL,
)
_BY_CODE = {knowledge.code: knowledge for knowledge in KNOWLEDGE}
# Fargate usually starts a task within a minute or two; longer means it found no capacity.
_PROVISIONING_PATIENCE = timedelta(minutes=5)


def check_resources(facts: Facts) -> list[Finding]:
    """Placement failures ECS reported, tasks stuck waiting, and instances with no room."""
    cpu, memory = _needs(facts)
    fields = {"cpu": str(cpu or "enough"), "memory": str(memory or "enough")}
    fields |= {"port": ", ".join(map(str, _host_ports(facts))) or "<port>"}
    fields |= {"storage": "The task's host"}
    where = _cluster(facts)
    found = [
        tally.finding(_BY_CODE[tally.cause], where, fields) for tally in tallies(facts, _BY_CODE)
    ]
    found += _storage_full(facts)
    waiting = _stuck_provisioning(facts, fields)
    found += waiting
    if facts.cluster and not facts.on_fargate and service_short(facts):
        found += [f for f in _no_room(facts, facts.cluster, fields) if not waiting]
    needs = Particulars(
        cpu_needed=cpu or None, memory_needed=memory or None, host_ports=tuple(_host_ports(facts))
    )
    return [f.model_copy(update={"particulars": f.particulars.filled(needs)}) for f in found]


def _storage_full(facts: Facts) -> list[Finding]:
    """The app logged that a write found no space: the task's own storage on Fargate, its
    container instance's disk on EC2."""
    hits = log_hits(facts, Cause.DISK_FULL)
    if not hits:
        return []
    storage: Literal["task", "instance"] = "task" if facts.on_fargate else "instance"
    whose = "The task's ephemeral storage" if storage == "task" else "The task's host"
    return [
        DISK_FULL.finding(
            hit_evidence(facts, hits),
            Where(cluster=_cluster(facts).cluster, container=hits[0].container),
            {"storage": whose},
            confidence=NAMED,
            tasks=len(hits),
            observed=True,
            particulars=Particulars(storage=storage),
        )
    ]


def _cluster(facts: Facts) -> Where:
    return Where(cluster=facts.cluster.name if facts.cluster else facts.target.cluster)


def _needs(facts: Facts) -> tuple[int, int]:
    """CPU units and MiB the task reserves: its task-level size, else its containers' sum."""
    definition = facts.task_definition
    if definition is None:
        return 0, 0
    cpu = sum(c.cpu or 0 for c in definition.containers)
    memory = sum(c.memory or c.memory_reservation or 0 for c in definition.containers)
    task_cpu, task_memory = definition.cpu or "", definition.memory or ""
    return (
        int(task_cpu) if task_cpu.isdigit() else cpu,
        int(task_memory) if task_memory.isdigit() else memory,
    )


def _host_ports(facts: Facts) -> list[int]:
    """Fixed host ports: only one task per instance can hold each of them."""
    definition = facts.task_definition
    if definition is None or definition.network_mode not in {"bridge", "host", None}:
        return []
    host = definition.network_mode == "host"
    return [
        port
        for c in definition.containers
        for mapping in c.port_mappings
        if (port := mapping.container_port if host else mapping.host_port or 0)
    ]


def _stuck_provisioning(facts: Facts, fields: dict[str, str]) -> list[Finding]:
    stuck = [
        task
        for task in facts.running_tasks
        if task.last_status == "PROVISIONING"
        and task.created_at
        and facts.collected_at - task.created_at > _PROVISIONING_PATIENCE
    ]
    if stuck and not facts.on_fargate and facts.capacity_providers:
        return _waiting_for_instances(facts, stuck, fields)
    if not stuck or not facts.on_fargate:
        return []
    said = [
        f"task {task.task_id} has been PROVISIONING for "
        f"{int((facts.collected_at - task.created_at).total_seconds() // 60)} min"
        for task in stuck
        if task.created_at
    ]
    return [
        FARGATE_CAPACITY.finding(
            map(note, said[:3]), _cluster(facts), fields, confidence=INFERRED, observed=True
        )
    ]


def _waiting_for_instances(
    facts: Facts, stuck: list[Task], fields: dict[str, str]
) -> list[Finding]:
    """Tasks wait in PROVISIONING for an EC2 capacity provider to launch instances: with
    managed scaling off nothing launches them, with it on the Auto Scaling group is at its
    maximum (or its instances cannot join the cluster)."""
    waited = [
        f"task {task.task_id} has been PROVISIONING for "
        f"{int((facts.collected_at - task.created_at).total_seconds() // 60)} min"
        for task in stuck
        if task.created_at
    ][:3]
    said = []
    for provider in facts.capacity_providers:
        group = _group(provider)
        if provider.managed_scaling is False:
            said.append(
                f"capacity provider {provider.name}: managed scaling DISABLED, so ECS does not "
                f"grow Auto Scaling group {group} for waiting tasks"
            )
        elif provider.managed_scaling:
            said.append(
                f"capacity provider {provider.name}: managed scaling ENABLED (target "
                f"{provider.target_capacity}%): Auto Scaling group {group} is at its maximum "
                "size, or its new instances do not register with the cluster"
            )
    cluster = facts.cluster
    instances = cluster.instances if cluster else ()
    usable = [i for i in instances if i.status == "ACTIVE" and i.agent_connected]
    scaling_off = any(p.managed_scaling is False for p in facts.capacity_providers)
    why = "managed scaling is off" if scaling_off else "its Auto Scaling group does not grow"
    if usable:
        title = f"Tasks wait in PROVISIONING: no container instance has room and {why}"
        knowledge = INSUFFICIENT_MEMORY if _memory_short(facts, usable) else INSUFFICIENT_CPU
    else:
        title = f"Tasks wait in PROVISIONING for container instances, but {why}"
        knowledge = NO_CONTAINER_INSTANCES
    evidence = (*map(note, waited), *map(config, said))
    finding = knowledge.finding(evidence, _cluster(facts), fields, confidence=PROVEN, observed=True)
    providers = facts.capacity_providers
    particulars = Particulars(
        unscaled_providers=tuple(p.name for p in providers if p.managed_scaling is False),
        stuck_groups=tuple(_group(p) for p in providers if p.managed_scaling),
    )
    return [finding.model_copy(update={"title": title, "particulars": particulars})]


def _group(provider: CapacityProvider) -> str:
    """The name of a capacity provider's Auto Scaling group."""
    return (provider.auto_scaling_group_arn or "").rsplit("/", 1)[-1] or provider.name


def _memory_short(facts: Facts, usable: list[ContainerInstance]) -> bool:
    _, memory = _needs(facts)
    return bool(memory) and max(i.remaining_memory for i in usable) < memory


def _describe(instance: ContainerInstance) -> str:
    agent = "connected" if instance.agent_connected else "disconnected"
    return (
        f"{instance.ec2_instance_id or instance.arn}: {instance.status}, agent {agent}, "
        f"{instance.remaining_cpu} CPU units and {instance.remaining_memory} MiB free, "
        f"host ports in use: {', '.join(map(str, instance.used_ports)) or 'none'}"
    )


def _no_room(facts: Facts, cluster: Cluster, fields: dict[str, str]) -> list[Finding]:
    """The service needs to place tasks: is there a connected instance that could take one?

    Instances that could not be read are not "no instances", unless the cluster counts none.
    """
    if not cluster.instances and cluster.registered_instances and unread(facts, Fact.CLUSTER):
        return []
    severity = config_severity(facts)
    usable = [i for i in cluster.instances if i.status == "ACTIVE" and i.agent_connected]
    said = [config(_describe(i)) for i in cluster.instances][:4]
    if not usable:
        said.insert(
            0,
            config(
                f"{cluster.registered_instances} registered container instances, none ACTIVE "
                "with a connected agent",
                f"cluster {cluster.name}",
            ),
        )
        return [
            NO_CONTAINER_INSTANCES.finding(
                said, _cluster(facts), fields, confidence=PROVEN, severity=severity, observed=True
            )
        ]
    cpu, memory = _needs(facts)
    short: list[tuple[Knowledge, Evidence, dict[str, str], Particulars | None]] = []
    if cpu and max(i.remaining_cpu for i in usable) < cpu:
        short.append((INSUFFICIENT_CPU, config(f"the task needs {cpu} CPU units"), fields, None))
    if memory and max(i.remaining_memory for i in usable) < memory:
        need = config(f"the task needs {memory} MiB of memory")
        short.append((INSUFFICIENT_MEMORY, need, fields, None))
    for port in _host_ports(facts):
        if all(port in i.used_ports for i in usable):
            need = config(f"the task needs host port {port}")
            taken = Particulars(host_ports=(port,))
            short.append((PORT_IN_USE, need, fields | {"port": str(port)}, taken))
    return [
        knowledge.finding(
            (need, *said),
            _cluster(facts),
            words,
            confidence=PROVEN,
            severity=severity,
            observed=True,
            particulars=particulars,
        )
        for knowledge, need, words, particulars in short
    ]


def _fargate(facts: Facts) -> str | None:
    return "Fargate: AWS manages the hosts" if facts.on_fargate else None


CHECK = Check(
    run=check_resources,
    knowledge=KNOWLEDGE,
    needs=(Fact.CLUSTER, Fact.CAPACITY_PROVIDERS, Fact.TASK_DEFINITIONS),
    reads=(Fact.SERVICE, Fact.TASKS, Fact.LOG_STREAMS),  # placement messages, waiting tasks, ENOSPC
    step=Step.RESOURCES,
    passed="The cluster has room for the task",
    skip=_fargate,
)
