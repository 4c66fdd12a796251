"""The invariants of one story (tests/invariants.py) over facts hypothesis builds: stops with
real AWS messages, exit codes and log lines, on services whose numbers, deployments, network,
roles and images vary."""

from __future__ import annotations

import re
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tests.facts_builder as fb
from bot.model import Deployment, Facts, SecurityGroup, Task
from tests.invariants import broken
from tests.unit.real_messages import REAL_MESSAGES

REASONS = sorted({m.text for m in REAL_MESSAGES if m.kind == "stopped-reason"})
CONTAINER_REASONS = sorted({m.text for m in REAL_MESSAGES if m.kind == "container-reason"})
# The role a real "unable to assume the role" names, made the task's own execution role.
EVENTS = sorted(
    re.sub(r"arn:aws:iam::[^']+", fb.EXECUTION_ROLE_ARN, m.text)
    for m in REAL_MESSAGES
    if m.kind == "service-event"
)
LOG_LINES = sorted({m.text for m in REAL_MESSAGES if m.kind == "log-line"})
STOP_CODES = (
    "EssentialContainerExited",
    "TaskFailedToStart",
    "ServiceSchedulerInitiated",
    "UserInitiated",
    "SpotInterruption",
)
FAMILY = f"arn:aws:ecs:{fb.REGION}:{fb.ACCOUNT}:task-definition/api"
OLD, NEW = f"{FAMILY}:6", fb.TASK_DEFINITION_ARN  # revision 7 is the builder's


# The revision before, which ran another image.
BEFORE = fb.task_definition(
    arn=OLD, revision=6, containers=(fb.container_definition(image="repo/api:1.4.1"),)
)


@st.composite
def stops(draw: st.DrawFn) -> list[Task]:
    found = []
    for n in range(1, draw(st.integers(0, 4)) + 1):
        stop = fb.stopped(
            n,
            reason=draw(st.just("Essential container in task exited") | st.sampled_from(REASONS)),
            stop_code=draw(st.just(STOP_CODES[0]) | st.sampled_from(STOP_CODES)),
            exit_code=draw(st.sampled_from([None, 0, 1, 2, 126, 127, 137, 139, 143, 255])),
            container_reason=draw(st.none() | st.none() | st.sampled_from(CONTAINER_REASONS)),
        )
        minutes = draw(st.sampled_from([0, 20]))
        found.append(
            stop.model_copy(update={"stopped_at": fb.NOW - timedelta(minutes=minutes + n)})
        )
    return found


@st.composite
def facts(draw: st.DrawFn) -> Facts:
    stopped = draw(stops())
    streams = tuple(
        fb.logs(stop, draw(st.sampled_from(LOG_LINES))) for stop in stopped if draw(st.booleans())
    )
    deployments = draw(
        st.sampled_from(
            [
                (),
                (  # a rollout the old revision still serves
                    Deployment(id="d2", status="PRIMARY", task_definition_arn=NEW),
                    Deployment(id="d1", status="ACTIVE", task_definition_arn=OLD, running=1),
                ),
                (Deployment(id="d3", status="PRIMARY", task_definition_arn=OLD, running=2),),
            ]
        )
    )
    events = tuple(
        fb.event(text, 3) for text in draw(st.lists(st.sampled_from(EVENTS), max_size=2))
    )
    if draw(st.booleans()):
        events += (fb.event(f"(service {fb.SERVICE}) has reached a steady state.", 1),)
    service = fb.service(
        running=draw(st.integers(0, 2)),
        deployments=deployments,
        task_definition_arn=deployments[0].task_definition_arn if deployments else NEW,
        events=events,
    )
    network = fb.network()
    if draw(st.booleans()):
        network = fb.network(security_groups=(SecurityGroup(id=fb.SECURITY_GROUP, name="api"),))
    roles = dict(fb.facts().roles)
    if draw(st.booleans()):
        roles[fb.EXECUTION_ROLE_ARN] = fb.role(fb.EXECUTION_ROLE_ARN, exists=False)
    image = fb.image(tag_exists=draw(st.booleans()))
    return fb.facts(
        service=service,
        running_tasks=(),
        stopped_tasks=tuple(stopped),
        log_streams=streams,
        network=network,
        roles=roles,
        images=(image,),
        task_definitions={NEW: fb.task_definition(), OLD: BEFORE},
        baseline=BEFORE,
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts())
def test_any_diagnosis_tells_one_story(built: Facts) -> None:
    assert broken(fb.diagnose(built)) == []
