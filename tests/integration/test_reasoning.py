"""What was seen outranks what could go wrong (issue 11), on the demo account in the emulator.

Every demo service is diagnosed in this process, as the bot would, over HTTP against moto; the
tests read the diagnosis a user gets: its status, its cause, the warnings and the checklist.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.cache import MemoryStore
from bot.demo.scenarios import SCENARIOS
from bot.demo.specs import Scenario
from bot.model import Cause, Diagnosis, Finding, Step, Target
from bot.render.evidence import evidence_lines
from bot.service import Diagnoser
from bot.settings import Settings
from tests.invariants import broken


@pytest.fixture(scope="module")
def diagnoses(account: dict[str, str]) -> dict[str, Diagnosis]:
    diagnoser = Diagnoser(Settings(), MemoryStore())
    targets = [Target(cluster=s.cluster, service=s.service) for s in SCENARIOS]
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            found = list(pool.map(diagnoser.diagnose, targets))
    finally:
        diagnoser.close()
    return {d.target.service or "": d for d in found}


def codes(diagnosis: Diagnosis, severity: str) -> list[Cause]:
    return [f.code for f in diagnosis.findings if f.severity == severity]


def finding(diagnosis: Diagnosis, code: Cause, severity: str) -> Finding:
    return next(f for f in diagnosis.findings if f.code is code and f.severity == severity)


def checklist(diagnosis: Diagnosis) -> dict[Step, tuple[str, str]]:
    return {item.step: (item.status, item.note) for item in diagnosis.checklist}


HEALTHY = [s for s in SCENARIOS if not s.failure]


@pytest.mark.parametrize("scenario", HEALTHY, ids=[s.service for s in HEALTHY])
def test_no_false_alarm(diagnoses: dict[str, Diagnosis], scenario: Scenario) -> None:
    """Healthy, scaled-in, redeployed, Spot-reclaimed, user-stopped, host-retired and
    latent-only services: none is failing, and expected stops are only information."""
    diagnosis = diagnoses[scenario.service]
    assert diagnosis.status == "healthy", diagnosis.cause
    assert codes(diagnosis, "error") == []
    cause = diagnosis.cause
    assert (cause.code if cause else None) == scenario.cause
    assert cause is None or cause.severity == "info"
    assert all(status != "failed" for status, _ in checklist(diagnosis).values())


def test_the_no_false_alarm_set_holds_every_kind_of_quiet_service() -> None:
    kinds = {s.cause for s in HEALTHY} | {s.warning for s in HEALTHY}
    assert {
        None,
        Cause.DEPLOYMENT_OR_SCALE_IN,
        Cause.SPOT_INTERRUPTION,
        Cause.STOPPED_BY_USER,
        Cause.INFRASTRUCTURE,
        Cause.LOG_GROUP_MISSING,
    } <= kinds
    assert len([s for s in HEALTHY if s.cause is Cause.DEPLOYMENT_OR_SCALE_IN]) >= 2


def test_a_deleted_log_group_under_running_tasks_is_a_warning(
    diagnoses: dict[str, Diagnosis],
) -> None:
    diagnosis = diagnoses["profile-api"]
    assert (diagnosis.status, diagnosis.cause) == ("healthy", None)
    warning = finding(diagnosis, Cause.LOG_GROUP_MISSING, "warning")
    assert warning.title.startswith("The next task that starts will fail: log group")
    assert "/ecs/profile-api" in warning.title
    assert checklist(diagnosis)[Step.LOGS][0] == "warning"


def test_a_pull_that_timed_out_outranks_a_missing_log_group(
    diagnoses: dict[str, Diagnosis],
) -> None:
    diagnosis = diagnoses["inventory-sync"]
    assert diagnosis.status == "failing"
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.NO_ROUTE_TO_INTERNET
    also = finding(diagnosis, Cause.LOG_GROUP_MISSING, "warning")
    assert also.title.startswith("Fix this too: log group /ecs/inventory-sync")
    assert "Not what stopped the recent tasks" in evidence_lines(also.evidence)[0]
    steps = checklist(diagnosis)
    assert steps[Step.NETWORK][0] == "failed"
    assert steps[Step.LOGS][0] == "warning"
    assert steps[Step.EXIT_CODE] == (
        "skipped",
        "No container started: the tasks stopped before any could run",
    )


def test_an_app_that_listens_at_once_but_answers_503(diagnoses: dict[str, Diagnosis]) -> None:
    cause = diagnoses["quote-service"].cause
    assert cause is not None
    assert cause.code is Cause.HEALTH_CHECK_FAILING
    assert any(
        "ready 0 s after the task started" in line for line in evidence_lines(cause.evidence)
    )
    assert any('"GET /healthz HTTP/1.1" 503' in line for line in evidence_lines(cause.evidence))


def test_a_health_check_on_the_wrong_port_names_both_ports(
    diagnoses: dict[str, Diagnosis],
) -> None:
    cause = diagnoses["web-frontend"].cause
    assert cause is not None
    assert cause.code is Cause.HEALTH_CHECK_PORT_MISMATCH
    assert (
        cause.title
        == "Target group web-frontend checks port 8080, but container web-frontend serves 3000"
    )


def test_a_pull_error_whose_image_exists_now_keeps_the_named_cause(
    diagnoses: dict[str, Diagnosis],
) -> None:
    cause = diagnoses["wishlist-api"].cause
    assert cause is not None
    assert (cause.code, cause.step) == (Cause.IMAGE_NOT_FOUND, Step.IMAGE)
    assert cause.title.endswith("(when the tasks stopped; it looks fixed since)")
    assert "the registry has wishlist-api:3.1.0" in evidence_lines(cause.evidence)
    assert any(line.startswith("It looks fixed since") for line in evidence_lines(cause.evidence))


def test_two_different_exit_1_failures_are_two_findings(diagnoses: dict[str, Diagnosis]) -> None:
    """Redis refusing connections and a missing variable: two failures past the start, each
    naming what it is about."""
    failures = [f for f in diagnoses["notify-worker"].findings if f.severity == "error"]
    assert {f.code: f.tasks for f in failures} == {
        Cause.DEPENDENCY_UNREACHABLE: 2,
        Cause.CONFIG_MISSING: 2,
    }
    titles = " | ".join(f.title for f in failures)
    assert "notify-cache.internal:6379" in titles
    assert "SMTP_HOST" in titles


def test_a_failing_migration_container_is_the_cause(diagnoses: dict[str, Diagnosis]) -> None:
    cause = diagnoses["accounts-web"].cause
    assert cause is not None
    assert cause.code is Cause.APP_CRASH
    assert cause.title == "Container migrate exits with code 1 before accounts-web could start"
    assert any("dependsOn SUCCESS" in line for line in evidence_lines(cause.evidence))
    assert any('relation "plans" does not exist' in line for line in evidence_lines(cause.evidence))


def test_a_grace_period_shorter_than_the_start(diagnoses: dict[str, Diagnosis]) -> None:
    cause = diagnoses["slow-start-api"].cause
    assert cause is not None
    assert cause.code is Cause.HEALTH_CHECK_START_PERIOD
    assert "grace period of 30 s" in cause.title
    assert "the app said it was ready 50 s after starting" in evidence_lines(cause.evidence)


def test_tasks_stuck_provisioning_on_an_ec2_capacity_provider(
    diagnoses: dict[str, Diagnosis],
) -> None:
    cause = diagnoses["batch-cp-runner"].cause
    assert cause is not None
    assert cause.code is Cause.NO_CONTAINER_INSTANCES
    assert cause.title == (
        "Tasks wait in PROVISIONING for container instances, but managed scaling is off"
    )
    assert any(
        "capacity provider batch-cp-asg: managed scaling DISABLED" in line
        for line in evidence_lines(cause.evidence)
    )


def test_an_essential_container_that_exits_0_ended_rather_than_crashed(
    diagnoses: dict[str, Diagnosis],
) -> None:
    cause = diagnoses["report-daemon"].cause
    assert cause is not None
    assert cause.code is Cause.NOT_FOREGROUND
    assert cause.title == (
        "Container report-daemon's main process ended or went to the background (exit 0)"
    )


def test_a_killed_pull_points_at_the_image_not_the_network(
    diagnoses: dict[str, Diagnosis],
) -> None:
    cause = diagnoses["report-exporter"].cause
    assert cause is not None
    assert (cause.code, cause.step) == (Cause.UNKNOWN, Step.IMAGE)
    assert "the image pull was killed before it finished" in cause.title
    assert checklist(diagnoses["report-exporter"])[Step.NETWORK][0] == "passed"


def test_a_jvm_out_of_its_heap_raises_the_heap_not_the_container(
    diagnoses: dict[str, Diagnosis],
) -> None:
    diagnosis = diagnoses["risk-engine"]
    cause = diagnosis.cause
    assert cause is not None
    assert (cause.code, cause.step) == (Cause.HEAP_EXHAUSTED, Step.EXIT_CODE)
    assert cause.title.endswith("(-Xmx256m), below its 1024 MiB memory limit")
    assert any(
        "java.lang.OutOfMemoryError: Java heap space" in line
        for line in evidence_lines(cause.evidence)
    )
    assert diagnosis.next_step is not None
    assert "not the container's memory" in diagnosis.next_step.action


def test_a_database_whose_group_keeps_the_task_out_names_the_rule_to_add(
    diagnoses: dict[str, Diagnosis],
) -> None:
    diagnosis = diagnoses["ledger-worker"]
    cause = diagnosis.cause
    assert cause is not None
    assert (cause.code, cause.step) == (Cause.DEPENDENCY_UNREACHABLE, Step.EXIT_CODE)
    assert cause.title.endswith(
        "did not answer in time (ledger-db.aaaaaaaaaa.us-east-1.rds.amazonaws.com:5432)"
    )
    lines = evidence_lines(cause.evidence)
    assert any("RDS instance ledger-db (available) answers at" in line for line in lines)
    assert any("(ledger-db)) admit none of the task's" in line for line in lines)
    step = diagnosis.next_step
    assert step is not None
    assert "RDS instance ledger-db's security group" in step.action
    assert step.command is not None
    assert step.command.startswith("aws ec2 authorize-security-group-ingress --group-id sg-")
    assert "FromPort=5432,ToPort=5432,UserIdGroupPairs=[{GroupId=sg-" in step.command


def test_a_member_of_constraint_no_instance_meets_names_it_and_each_instance(
    diagnoses: dict[str, Diagnosis],
) -> None:
    diagnosis = diagnoses["frame-renderer"]
    cause = diagnosis.cause
    assert cause is not None
    assert cause.code is Cause.PLACEMENT_CONSTRAINT
    assert (
        cause.title == "No container instance in legacy-ec2 has what its memberOf constraint asks"
    )
    lines = evidence_lines(cause.evidence)
    assert any("memberOf(attribute:ecs.instance-type =~ c6i.* and" in line for line in lines)
    failing = [line for line in lines if "is t3.medium, not attribute:ecs.instance-type" in line]
    assert len(failing) == 2  # both hosts of legacy-ec2, by their EC2 ids
    assert diagnosis.next_step is not None
    assert diagnosis.next_step.command is not None
    assert "--attribute-name ecs.instance-type" in diagnosis.next_step.command


def test_a_gpu_task_on_hosts_without_gpus_says_what_each_registered(
    diagnoses: dict[str, Diagnosis],
) -> None:
    cause = diagnoses["gpu-inference"].cause
    assert cause is not None
    assert cause.code is Cause.PLACEMENT_CONSTRAINT
    assert cause.title == "No container instance in legacy-ec2 has the 1 GPU the task reserves"
    assert Cause.NO_CONTAINER_INSTANCES not in [f.code for f in diagnoses["gpu-inference"].findings]
    assert sum("0 GPUs registered, 0 free" in line for line in evidence_lines(cause.evidence)) == 2


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.service for s in SCENARIOS])
def test_every_demo_diagnosis_tells_one_story(
    diagnoses: dict[str, Diagnosis], scenario: Scenario
) -> None:
    """Status and state, the findings the cause explains, the checklist, history and the next
    step all agree with the cause (tests/invariants.py)."""
    assert broken(diagnoses[scenario.service]) == []
