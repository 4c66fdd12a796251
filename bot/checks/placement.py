"""Step 7, resources: may the task go on any instance at all? Its placement constraints and
GPUs, evaluated per container instance.

ECS says only that "no container instance met all of its requirements" and names the closest
one. The service's and the task definition's `memberOf` expressions are evaluated here against
each connected instance's attributes (bot/parse/cluster_query.py), a GPU requirement against the
GPUs each instance registered, and `distinctInstance` against how many instances may take a
task: the evidence names the constraint and every instance that fails it, and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass

from bot.checks.base import PROVEN, Check, Knowledge, Stage
from bot.checks.evidence import config, config_severity, service_short, tallies, with_evidence
from bot.checks.fixes import Scene, aws, fix, instances_link
from bot.model import (
    Cause,
    ContainerInstance,
    Evidence,
    Fact,
    Facts,
    Finding,
    NextStep,
    Particulars,
    Step,
    Where,
)
from bot.parse import cluster_query as cq

GPU = "GPU"
DISTINCT = "distinctInstance"
ALL_OF = "all of: "  # requirements each instance meets but for one or another
_SHOWN = 4  # instances named in the evidence


@dataclass(frozen=True)
class Refusal:
    """One requirement no connected instance meets, and why each fails it."""

    # "memberOf(EXPRESSION)", "GPU: N", "all of: A + B" or "distinctInstance"
    constraint: str
    reasons: tuple[tuple[str, str], ...]  # (instance, why it fails)
    requirement: str  # the title's words for it


# --------------------------------------------------------------------------- evaluation


def subjects(instance: ContainerInstance) -> dict[str, str]:
    """What a cluster query can ask of this instance that DescribeContainerInstances said."""
    found = {f"attribute:{name}": value for name, value in instance.attributes.items()}
    found["agentConnected"] = str(instance.agent_connected).lower()
    found["runningTasksCount"] = str(instance.running_tasks)
    if instance.ec2_instance_id:
        found["ec2InstanceId"] = instance.ec2_instance_id
    if instance.agent_version:
        found["agentVersion"] = instance.agent_version
    return found


def _label(instance: ContainerInstance) -> str:
    return instance.ec2_instance_id or instance.arn.rsplit("/", 1)[-1]


def _why(compare: cq.Compare, seen: Mapping[str, str]) -> str:
    value = seen.get(compare.subject)
    said = "is not set" if value is None else f"is {value or 'set (no value)'}"
    return f"{compare.subject} {said}, not {compare}"


def _gpu_count(count: int) -> str:
    return f"{count} GPU" + ("s" if count > 1 else "")


def _fails(
    instance: ContainerInstance, queries: dict[str, cq.Query], needed: int
) -> dict[str, str]:
    """Each requirement this instance is proven to fail, and why. An expression that turns on
    what was not read (the instance's attributes, task:group) is no failure."""
    seen, failed = subjects(instance), {}
    for requirement, query in queries.items():
        if instance.attributes and cq.evaluate(query, seen) is False:
            failed[requirement] = "; ".join(_why(c, seen) for c in cq.unmet(query, seen))
    if needed and instance.remaining_gpus < needed:
        failed[f"{GPU}: {needed}"] = (
            f"{instance.registered_gpus} GPUs registered, {instance.remaining_gpus} free"
        )
    return failed


def _words(requirement: str) -> str:
    if requirement.startswith(GPU):
        return f"the {_gpu_count(int(requirement.split(': ')[1]))} the task reserves"
    return "what its memberOf constraint asks"


def refusals(facts: Facts) -> list[Refusal]:
    """Each requirement of the task that no connected instance meets (a memberOf expression, a
    GPU count); else, when every instance fails one or another, all of them at once; and
    distinctInstance when fewer instances may take a task than are desired."""
    cluster, definition, service = facts.cluster, facts.task_definition, facts.service
    usable = [i for i in (cluster.instances if cluster else ()) if _usable(i)]
    if not usable or facts.on_fargate:
        return []
    constraints = (*(service.placement_constraints if service else ()),)
    constraints += definition.placement_constraints if definition else ()
    queries = {}
    for c in constraints:
        if c.type == "memberOf" and c.expression:
            with suppress(cq.QueryError):  # ECS accepts no such constraint: nothing to evaluate
                queries[f"memberOf({c.expression})"] = cq.parse(c.expression)
    needed = sum(c.gpus for c in definition.containers) if definition else 0
    fails = {_label(i): _fails(i, queries, needed) for i in usable}
    requirements = [*queries, *([f"{GPU}: {needed}"] if needed else [])]
    found = [
        Refusal(r, tuple((who, failed[r]) for who, failed in fails.items()), _words(r))
        for r in requirements
        if all(r in failed for failed in fails.values())
    ]
    if not found and all(fails.values()):
        reasons = tuple(
            (who, "; ".join(f"{r}: {why}" for r, why in failed.items()))
            for who, failed in fails.items()
        )
        together = ALL_OF + " + ".join(requirements)
        found.append(Refusal(together, reasons, "what the task requires, all at once"))
    distinct = any(c.type == DISTINCT for c in constraints)
    if not found and distinct and service and service.desired > len(usable):
        why = f"{service.desired} tasks desired, {len(usable)} connected instances for one each"
        words = f"an instance of its own for each of {service.desired} tasks"
        found.append(Refusal(DISTINCT, (("", why),), words))
    return found


def _usable(instance: ContainerInstance) -> bool:
    return instance.status == "ACTIVE" and instance.agent_connected


def _evidence(refusal: Refusal, cluster: str) -> list[Evidence]:
    head = f"{refusal.constraint}: no connected instance meets it"
    if refusal.constraint.startswith(ALL_OF):
        head = f"{refusal.constraint.removeprefix(ALL_OF)}: no connected instance meets them all"
    said = [config(head, f"cluster {cluster}")]
    said += [config(f"{who}: {why}" if who else why) for who, why in refusal.reasons[:_SHOWN]]
    return said


def _particulars(refusal: Refusal) -> Particulars:
    return Particulars(
        constraint=refusal.constraint, instances=tuple(who for who, _ in refusal.reasons if who)
    )


# --------------------------------------------------------------------------- fix


@fix
def _fix_placement_constraint(scene: Scene) -> NextStep:
    particulars = scene.cause.particulars
    cluster = scene.cluster or "the cluster"
    constraint, instances = particulars.constraint, ", ".join(particulars.instances)
    attribute = "ecs.instance-type"
    if constraint is None:
        action = (
            f"{cluster} has instances, but none has what the task requires: compare the task "
            "definition's placement constraints and required attributes (a GPU, an instance "
            "type, an Availability Zone, a feature such as awsvpc or a log driver) with the "
            "attributes of its instances, then relax the constraint or add instances that meet it."
        )
    elif constraint.startswith(GPU):
        action = (
            f"The task reserves {_gpu_count(int(constraint.split(': ')[1]))} and no instance of "
            f"{cluster} has that many free ({instances}): add GPU instances (g4dn, g5 or p4 types) "
            "running the ECS GPU-optimised AMI to the cluster, or drop the GPU requirement in a "
            "new revision."
        )
    elif constraint.startswith(ALL_OF):
        action = (
            f"Each connected instance of {cluster} fails one or another of the task's "
            f"requirements ({constraint.removeprefix(ALL_OF)}), so none may take it: relax one "
            "of them in a new revision, or add instances that meet them all."
        )
    elif constraint == DISTINCT:
        action = (
            f"distinctInstance puts each task on its own instance, and {cluster} has fewer "
            "connected instances than the service wants tasks: add instances, lower the desired "
            "count, or drop the constraint."
        )
    else:
        expression = constraint.removeprefix("memberOf(").removesuffix(")")
        named = [s for s in cq.subjects_of(cq.parse(expression)) if s.startswith("attribute:")]
        attribute = named[0].removeprefix("attribute:") if named else attribute
        action = (
            f"No connected instance of {cluster} meets `{expression}`: correct it in a new "
            "revision (or the service's constraints), or add instances that meet it (a type, a "
            "zone, an attribute set with `aws ecs put-attributes`)."
        )
    command = None
    if scene.cluster and constraint != DISTINCT:
        command = aws(
            "ecs",
            "list-attributes",
            "--cluster",
            scene.cluster,
            "--target-type",
            "container-instance",
            *(("--attribute-name", attribute) if constraint else ()),
        )
    return scene.step(action, command, instances_link(scene))


PLACEMENT_CONSTRAINT = Knowledge(
    Cause.PLACEMENT_CONSTRAINT,
    Step.RESOURCES,
    title="No container instance in {cluster} has {requirement}",
    stage=Stage.PLACEMENT,
    fix=_fix_placement_constraint,
)


# --------------------------------------------------------------------------- the check


def check_placement(facts: Facts) -> list[Finding]:
    """ECS's word that nothing met the task's requirements, with the requirement and the
    instances that fail it; or, with no such word, a service short of tasks whose
    requirements no connected instance meets."""
    cluster = facts.cluster.name if facts.cluster else facts.target.cluster
    where = Where(cluster=cluster)
    found = refusals(facts)
    words = {"requirement": found[0].requirement if found else "what the task requires"}
    said = [e for refusal in found for e in _evidence(refusal, cluster or "")]
    particulars = _particulars(found[0]) if found else Particulars()
    told = tallies(facts, {Cause.PLACEMENT_CONSTRAINT})
    if told:
        finding = told[0].finding(PLACEMENT_CONSTRAINT, where, words)
        finding = with_evidence(finding, *said)
        return [finding.model_copy(update={"particulars": particulars})]
    if not found or not service_short(facts):
        return []
    return [
        PLACEMENT_CONSTRAINT.finding(
            said,
            where,
            words,
            confidence=PROVEN,
            severity=config_severity(facts),
            observed=True,
            particulars=particulars,
        )
    ]


def _fargate(facts: Facts) -> str | None:
    return "Fargate: AWS manages the hosts" if facts.on_fargate else None


CHECK = Check(
    run=check_placement,
    knowledge=(PLACEMENT_CONSTRAINT,),
    needs=(Fact.CLUSTER, Fact.TASK_DEFINITIONS),
    reads=(Fact.SERVICE, Fact.TASKS),  # ECS's placement messages, the desired count
    step=Step.RESOURCES,
    passed="Some instance meets the task's placement constraints",
    skip=_fargate,
)
