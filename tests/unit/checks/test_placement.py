"""placement-constraint from the constraints themselves: memberOf evaluated per instance, GPUs
against what each instance registered, distinctInstance against how many may take a task."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.checks.placement import PLACEMENT_CONSTRAINT, check_placement, refusals, subjects
from bot.model import Cause, ContainerInstance, Facts, PlacementConstraint, ServiceEvent
from bot.parse.cluster_query import evaluate, parse
from tests import facts_builder as fb
from tests.invariants import broken

T3 = {
    "ecs.instance-type": "t3.medium",
    "ecs.availability-zone": "us-east-1a",
    "ecs.os-type": "linux",
}
NO_PLACE = (
    "(service api) was unable to place a task because no container instance met all of its "
    "requirements. The closest matching (container-instance 5b0d6b4e) is missing an attribute "
    "required by your task. For more information, see the Troubleshooting section of the "
    "Amazon ECS Developer Guide."
)


def short_on_ec2(
    *constraints: PlacementConstraint,
    gpus: int = 0,
    events: tuple[ServiceEvent, ...] = (),
    **instance: object,
) -> Facts:
    """A service on EC2 that runs none of its 2 tasks, on two connected t3.medium instances."""
    facts = fb.on_ec2(running_tasks=())
    definition = facts.task_definitions[fb.TASK_DEFINITION_ARN]
    containers = tuple(c.model_copy(update={"gpus": gpus}) for c in definition.containers)
    definition = definition.model_copy(
        update={"placement_constraints": constraints, "containers": containers}
    )
    fields = {"attributes": T3} | instance
    return facts.model_copy(
        update={
            "service": fb.service(
                launch_type="EC2", running=0, events=events, subnets=(), security_groups=()
            ),
            "task_definitions": {fb.TASK_DEFINITION_ARN: definition},
            "cluster": fb.cluster(
                registered_instances=2,
                instances=(fb.container_instance(1, **fields), fb.container_instance(2, **fields)),
            ),
        }
    )


def with_service(facts: Facts, **fields: object) -> Facts:
    assert facts.service is not None
    return facts.model_copy(update={"service": facts.service.model_copy(update=fields)})


def member_of(expression: str) -> PlacementConstraint:
    return PlacementConstraint(type="memberOf", expression=expression)


def test_a_member_of_expression_no_instance_meets_is_the_cause_naming_each_instance() -> None:
    expression = (
        "attribute:ecs.instance-type =~ g5.* and "
        "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]"
    )
    facts = short_on_ec2(member_of(expression))
    diagnosis = fb.diagnose(facts)
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.PLACEMENT_CONSTRAINT
    assert (
        diagnosis.cause.title
        == "No container instance in production has what its memberOf constraint asks"
    )
    said = [e.text for e in diagnosis.cause.evidence]
    assert f"memberOf({expression}): no connected instance meets it" in said
    assert (
        "i-00000000000000001: attribute:ecs.instance-type is t3.medium, "
        "not attribute:ecs.instance-type =~ g5.*" in said
    )
    assert diagnosis.cause.particulars.instances == ("i-00000000000000001", "i-00000000000000002")
    assert diagnosis.next_step is not None
    assert "meets `attribute:ecs.instance-type =~ g5.*" in diagnosis.next_step.action
    assert diagnosis.next_step.command == (
        "aws ecs list-attributes --cluster production --target-type container-instance "
        "--attribute-name ecs.instance-type"
    )


def test_an_expression_one_instance_meets_refuses_nothing() -> None:
    facts = short_on_ec2(member_of("attribute:ecs.instance-type == t3.medium"))
    assert refusals(facts) == []
    assert Cause.PLACEMENT_CONSTRAINT not in fb.codes(fb.diagnose(facts).findings)


def test_a_subject_the_bot_cannot_read_proves_nothing() -> None:
    facts = short_on_ec2(member_of("task:group == service:database"))
    assert refusals(facts) == []


def test_instances_whose_attributes_were_not_read_prove_nothing() -> None:
    facts = short_on_ec2(member_of("attribute:ecs.instance-type =~ g5.*"), attributes={})
    assert check_placement(facts) == []


def test_a_gpu_no_instance_has_is_the_cause_with_what_each_registered() -> None:
    facts = short_on_ec2(gpus=1, events=(fb.event(NO_PLACE),))
    finding = fb.only(check_placement(facts), Cause.PLACEMENT_CONSTRAINT)
    assert finding.title == "No container instance in production has the 1 GPU the task reserves"
    assert "i-00000000000000002: 0 GPUs registered, 0 free" in [e.text for e in finding.evidence]
    assert NO_PLACE in [e.text for e in finding.evidence]  # ECS's own words stay first
    step = fb.fixed(PLACEMENT_CONSTRAINT, facts, particulars=finding.particulars)
    assert step.action.startswith(
        "The task reserves 1 GPU and no instance of production has that many free"
    )


def test_a_gpu_instance_with_one_free_takes_the_task() -> None:
    facts = short_on_ec2(gpus=1, registered_gpus=4, remaining_gpus=1)
    assert refusals(facts) == []


def test_distinct_instance_with_fewer_instances_than_tasks() -> None:
    distinct = (PlacementConstraint(type="distinctInstance"),)
    facts = with_service(short_on_ec2(), desired=3, placement_constraints=distinct)
    finding = fb.only(check_placement(facts), Cause.PLACEMENT_CONSTRAINT)
    assert "3 tasks desired, 2 connected instances for one each" in [
        e.text for e in finding.evidence
    ]
    step = fb.fixed(PLACEMENT_CONSTRAINT, facts, particulars=finding.particulars)
    assert step.command is None
    assert "lower the desired count" in step.action


def test_a_service_that_runs_what_it_wants_is_not_blamed_for_its_constraint() -> None:
    facts = short_on_ec2(member_of("attribute:ecs.instance-type =~ g5.*"))
    facts = facts.model_copy(
        update={
            "service": fb.service(
                launch_type="EC2", running=2, desired=2, subnets=(), security_groups=()
            )
        }
    )
    assert check_placement(facts) == []


def test_the_services_own_constraints_count_too() -> None:
    zone = member_of("attribute:ecs.availability-zone == eu-west-1a")
    found = refusals(with_service(short_on_ec2(), placement_constraints=(zone,)))
    assert [r.constraint for r in found] == [
        "memberOf(attribute:ecs.availability-zone == eu-west-1a)"
    ]


# --------------------------------------------------------------------------- properties

TYPES = st.sampled_from(["t3.medium", "c6i.large", "g5.xlarge", "m5.large"])
ZONES = st.sampled_from(["us-east-1a", "us-east-1b", "us-east-1c"])
EXPRESSIONS = st.sampled_from(
    [
        "attribute:ecs.instance-type =~ g5.*",
        "attribute:ecs.instance-type == c6i.large or attribute:ecs.instance-type == m5.large",
        "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]",
        "attribute:ecs.availability-zone != us-east-1c and attribute:stack exists",
        "not (attribute:ecs.instance-type =~ t3.*)",
        "task:group == service:database",
    ]
)


@st.composite
def placements(draw: st.DrawFn) -> Facts:
    """A service on EC2, short of tasks or not, on one to three connected instances of random
    types, zones and GPUs, with a random memberOf expression and GPU requirement."""
    instances = []
    for n in range(1, draw(st.integers(1, 3)) + 1):
        attributes = {"ecs.instance-type": draw(TYPES), "ecs.availability-zone": draw(ZONES)}
        if draw(st.booleans()):
            attributes["stack"] = "prod"
        gpus = draw(st.integers(0, 2))
        instance = fb.container_instance(
            n, attributes=attributes, registered_gpus=gpus, remaining_gpus=gpus
        )
        instances.append(instance)
    constraints = (member_of(draw(EXPRESSIONS)),) if draw(st.booleans()) else ()
    facts = short_on_ec2(*constraints, gpus=draw(st.integers(0, 1)))
    facts = with_service(facts, running=draw(st.integers(0, 2)))
    cluster = fb.cluster(registered_instances=len(instances), instances=tuple(instances))
    return facts.model_copy(update={"cluster": cluster})


def _meets(facts: Facts, instance: ContainerInstance) -> bool | None:
    """Whether one instance may take the task: every expression holds (or cannot be told),
    and it has the GPUs."""
    definition = facts.task_definitions[fb.TASK_DEFINITION_ARN]
    needed = sum(c.gpus for c in definition.containers)
    found = [
        evaluate(parse(c.expression or ""), subjects(instance))
        for c in definition.placement_constraints
    ]
    return False not in found and instance.remaining_gpus >= needed


@settings(max_examples=200, deadline=None)
@given(placements())
def test_placement_constraint_is_the_cause_exactly_when_no_instance_may_take_the_task(
    facts: Facts,
) -> None:
    assert facts.cluster is not None
    assert facts.service is not None
    diagnosis = fb.diagnose(facts)
    assert broken(diagnosis) == []
    refused = not any(_meets(facts, i) for i in facts.cluster.instances)
    short = facts.service.running < facts.service.desired
    found = Cause.PLACEMENT_CONSTRAINT in fb.codes(diagnosis.findings)
    assert found == (refused and short)
    if found:
        assert diagnosis.cause is not None
        assert diagnosis.cause.code is Cause.PLACEMENT_CONSTRAINT
        assert diagnosis.cause.particulars.instances  # each instance that fails is named


def test_instances_that_each_fail_a_different_requirement_refuse_the_task_together() -> None:
    facts = short_on_ec2(member_of("attribute:ecs.instance-type =~ g5.*"), gpus=1)
    gpu_less = fb.container_instance(1, attributes=T3 | {"ecs.instance-type": "g5.xlarge"})
    wrong_type = fb.container_instance(2, attributes=T3, registered_gpus=1, remaining_gpus=1)
    cluster = fb.cluster(registered_instances=2, instances=(gpu_less, wrong_type))
    finding = fb.only(
        check_placement(facts.model_copy(update={"cluster": cluster})),
        Cause.PLACEMENT_CONSTRAINT,
    )
    assert (
        finding.title
        == "No container instance in production has what the task requires, all at once"
    )
    said = [e.text for e in finding.evidence]
    assert "i-00000000000000001: GPU: 1: 0 GPUs registered, 0 free" in said
    assert (
        "i-00000000000000002: memberOf(attribute:ecs.instance-type =~ g5.*): "
        "attribute:ecs.instance-type is t3.medium, not attribute:ecs.instance-type =~ g5.*"
    ) in said
    step = fb.fixed(PLACEMENT_CONSTRAINT, facts, particulars=finding.particulars)
    assert step.action.startswith("Each connected instance of production fails one or another")
