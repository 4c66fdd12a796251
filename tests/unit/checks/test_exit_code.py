"""Step 2: how the essential container ended, read together with why the task stopped."""

from __future__ import annotations

import pytest

from bot.checks.base import UNCONFIRMED
from bot.checks.exit_code import (
    APP_CRASH,
    CHECK,
    COMMAND_NOT_FOUND,
    EXEC_PERMISSION_DENIED,
    OUT_OF_MEMORY,
    SEGFAULT,
    SIGTERM,
    check_exit_code,
)
from bot.model import Cause, Dependency, Deployment, Particulars, Step
from bot.render.evidence import evidence_lines
from tests import facts_builder as fb

ELB_KILL = fb.real("elb-health-check", "Task failed ELB health checks in (target-group")
DEPLOYMENT = fb.real("deployment-or-scale-in")
OOM = fb.real("out-of-memory")


def test_a_healthy_service_has_nothing_to_say() -> None:
    assert check_exit_code(fb.facts()) == []


def test_exit_1_is_an_app_crash_quoting_the_last_meaningful_log_lines() -> None:
    stop = fb.stopped(exit_code=1)
    lines = (
        "Starting api 1.4.2",
        "/app/dist/config/rates.js:42",
        "TypeError: Cannot read properties of undefined (reading 'map')",
        "",
    )
    facts = fb.facts(stopped_tasks=(stop,), log_streams=(fb.logs(stop, *lines),))
    finding = fb.only(check_exit_code(facts), Cause.APP_CRASH)
    assert finding.title == (
        'Container app exits with code 1: "TypeError: Cannot read properties of undefined '
        "(reading 'map')\""
    )
    assert "container app exited with code 1" in evidence_lines(finding.evidence)
    assert 'log: "Starting api 1.4.2"' not in evidence_lines(finding.evidence)


def test_a_missing_variable_is_config_missing_naming_it() -> None:
    stop = fb.stopped(exit_code=1)
    lines = (
        "Traceback (most recent call last):",
        '  File "/app/main.py", line 12, in <module>',
        "KeyError: 'DATABASE_URL'",
    )
    facts = fb.facts(stopped_tasks=(stop,), log_streams=(fb.logs(stop, *lines),))
    finding = fb.only(check_exit_code(facts), Cause.CONFIG_MISSING)
    assert finding.title == "Container app exits: a setting the app needs is missing (DATABASE_URL)"
    assert finding.particulars.setting == "DATABASE_URL"
    assert "log: \"KeyError: 'DATABASE_URL'\"" in evidence_lines(finding.evidence)


def test_the_pattern_of_crashes_is_counted() -> None:
    stops = tuple(fb.stopped(n, exit_code=1) for n in range(1, 8))
    stops += (fb.stopped(8, DEPLOYMENT, stop_code="ServiceSchedulerInitiated", exit_code=143),)
    finding = fb.only(check_exit_code(fb.facts(stopped_tasks=stops)), Cause.APP_CRASH)
    assert finding.tasks == 7
    assert evidence_lines(finding.evidence)[0] == "7 of 8 recent stopped tasks show this"


def test_137_with_an_out_of_memory_reason_is_out_of_memory() -> None:
    stop = fb.stopped(exit_code=137, container_reason=OOM)
    finding = fb.only(check_exit_code(fb.facts(stopped_tasks=(stop,))), Cause.OUT_OF_MEMORY)
    assert (
        finding.title == "Container app was killed for running out of memory (task memory 1024 MiB)"
    )
    assert f'container app: "{OOM}"' in evidence_lines(finding.evidence)
    assert finding.confidence >= 90


def test_137_alone_is_most_likely_out_of_memory_but_less_sure() -> None:
    stop = fb.stopped(exit_code=137)
    finding = fb.only(check_exit_code(fb.facts(stopped_tasks=(stop,))), Cause.OUT_OF_MEMORY)
    assert finding.confidence < 90


@pytest.mark.parametrize(
    ("reason", "stop_code"),
    [
        (ELB_KILL, "ServiceSchedulerInitiated"),
        ("Task failed container health checks", "ServiceSchedulerInitiated"),
        (DEPLOYMENT, "ServiceSchedulerInitiated"),
    ],
)
@pytest.mark.parametrize("exit_code", [137, 143])
def test_a_kill_another_step_explains_is_no_exit_code_failure(
    reason: str, stop_code: str, exit_code: int
) -> None:
    stop = fb.stopped(reason=reason, stop_code=stop_code, exit_code=exit_code)
    assert check_exit_code(fb.facts(stopped_tasks=(stop,))) == []


def test_143_nobody_explains_is_a_sigterm_from_inside() -> None:
    stop = fb.stopped(exit_code=143)
    finding = fb.only(check_exit_code(fb.facts(stopped_tasks=(stop,))), Cause.SIGTERM)
    assert "inside the container" in finding.title


def test_143_names_its_sender_when_the_reason_does() -> None:
    stop = fb.stopped(reason="Stopped by the nightly cost saver", stop_code=None, exit_code=143)
    finding = fb.only(check_exit_code(fb.facts(stopped_tasks=(stop,))), Cause.SIGTERM)
    assert '"Stopped by the nightly cost saver"' in finding.title


@pytest.mark.parametrize(
    ("exit_code", "cause"),
    [(126, Cause.EXEC_PERMISSION_DENIED), (127, Cause.COMMAND_NOT_FOUND), (139, Cause.SEGFAULT)],
)
def test_exit_codes_with_a_meaning_of_their_own(exit_code: int, cause: Cause) -> None:
    stop = fb.stopped(exit_code=exit_code)
    assert fb.codes(check_exit_code(fb.facts(stopped_tasks=(stop,)))) == [cause]


def test_the_runtime_failing_to_find_the_command_is_command_not_found() -> None:
    reason = fb.real("command-not-found", 'exec: "python"')
    stop = fb.stopped(reason=reason, stop_code="TaskFailedToStart")
    finding = fb.only(check_exit_code(fb.facts(stopped_tasks=(stop,))), Cause.COMMAND_NOT_FOUND)
    assert finding.title == "Container app's command does not exist in the image"


def test_the_runtime_failing_to_exec_the_entrypoint_is_permission_denied() -> None:
    reason = fb.real("exec-permission-denied", 'exec: "/": permission denied')
    stop = fb.stopped(container_reason=reason)
    findings = check_exit_code(fb.facts(stopped_tasks=(stop,)))
    assert fb.codes(findings) == [Cause.EXEC_PERMISSION_DENIED]


def test_a_standalone_task_that_exits_0_finished_its_work() -> None:
    stop = fb.stopped(exit_code=0, group="family:api-migrations")
    assert check_exit_code(fb.facts(stopped_tasks=(stop,))) == []


def test_a_service_task_that_exits_0_stopped_when_it_should_not() -> None:
    stop = fb.stopped(exit_code=0)
    finding = fb.only(check_exit_code(fb.facts(stopped_tasks=(stop,))), Cause.NOT_FOREGROUND)
    # exit 0 is a process that ended (or went to the background), not a crash
    assert finding.title == (
        "Container app's main process ended or went to the background (exit 0)"
    )


def test_a_non_essential_container_exiting_is_not_the_cause() -> None:
    sidecar = fb.container_definition(name="xray", image="amazon/aws-xray-daemon", essential=False)
    definition = fb.task_definition(containers=(fb.container_definition(), sidecar))
    stop = fb.stopped(
        containers=(fb.container(name="app", exit_code=0), fb.container(name="xray", exit_code=2)),
        group="family:api-batch",
    )
    facts = fb.facts(stopped_tasks=(stop,), task_definitions={fb.TASK_DEFINITION_ARN: definition})
    assert check_exit_code(facts) == []


# --------------------------------------------------------------------------- unread facts


def test_exit_1_whose_logs_were_refused_is_only_a_lead() -> None:
    """The logs would tell an app crash from a binary for another CPU or missing credentials."""
    stop = fb.stopped(exit_code=1)
    facts = fb.failing(stop, gaps=fb.denied("logs:GetLogEvents"))
    finding = fb.only(check_exit_code(facts), Cause.APP_CRASH)
    assert finding.confidence == UNCONFIRMED
    assert (
        evidence_lines(finding.evidence)[-1]
        == "could not confirm: could not call logs:GetLogEvents: access denied"
    )
    diagnosis = fb.diagnose(facts)
    assert diagnosis.cause is not None
    assert (diagnosis.cause.code, diagnosis.cause.step) == (Cause.UNKNOWN, Step.EXIT_CODE)
    assert diagnosis.cause.title.endswith("closest guess: container app exits with code 1")


def test_exit_1_of_a_task_whose_definition_was_refused_is_only_a_lead() -> None:
    stop = fb.stopped(exit_code=1)
    facts = fb.failing(stop, task_definitions={}, gaps=fb.denied("ecs:DescribeTaskDefinition"))
    assert fb.only(check_exit_code(facts), Cause.APP_CRASH).confidence == UNCONFIRMED


def test_exit_1_without_logs_to_read_is_still_an_app_crash() -> None:
    container = fb.container_definition(log_driver=None, log_options={})
    definition = fb.task_definition(containers=(container,))
    facts = fb.failing(
        fb.stopped(exit_code=1), task_definitions={fb.TASK_DEFINITION_ARN: definition}
    )
    assert fb.only(check_exit_code(facts), Cause.APP_CRASH).confidence > UNCONFIRMED
    diagnosis = fb.diagnose(facts)
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.APP_CRASH


def test_no_stopped_task_is_not_said_when_the_tasks_could_not_be_read() -> None:
    assert CHECK.skip(fb.facts()) == "No stopped task to inspect"
    assert CHECK.skip(fb.facts(running_tasks=(), gaps=fb.denied("ecs:DescribeTasks"))) is None


# --------------------------------------------------------------------------- issue 11


def test_crashes_differing_only_in_numbers_are_one_finding() -> None:
    stops = (fb.stopped(1, exit_code=1), fb.stopped(2, exit_code=1))
    streams = tuple(
        fb.logs(stop, f"ConnectionError: Error 111 connecting to cache.internal:6379 (try {n})")
        for n, stop in enumerate(stops)
    )
    finding = fb.only(
        check_exit_code(fb.facts(stopped_tasks=stops, log_streams=streams)), Cause.APP_CRASH
    )
    assert finding.tasks == 2


def test_a_crash_whose_logs_were_not_read_counts_with_the_common_one() -> None:
    stops = tuple(fb.stopped(n, exit_code=1) for n in (1, 2, 3))
    streams = (
        fb.logs(stops[0], "KeyError: 'SMTP_HOST'"),
        fb.logs(stops[1], "KeyError: 'SMTP_HOST'"),
    )
    finding = fb.only(
        check_exit_code(fb.facts(stopped_tasks=stops, log_streams=streams)), Cause.CONFIG_MISSING
    )
    assert finding.tasks == 3


def test_a_failed_migration_container_the_app_waits_on_is_the_cause() -> None:
    """essential: false, dependsOn SUCCESS: its exit 1 is why the app never started. The app's
    own reason is the agent's, from https://github.com/aws/amazon-ecs-agent/pull/3218."""
    app = fb.container_definition(
        depends_on=(Dependency(container="migrate", condition="SUCCESS"),)
    )
    migrate = fb.container_definition(name="migrate", essential=False)
    definition = fb.task_definition(containers=(app, migrate))
    reason = (
        "CannotStartContainerError: dependency graph: failed to resolve container ordering "
        "dependency [migrate(public.ecr.aws/u5s6c6g2/just-sleep) (STOPPED->RUNNING) - Exit: 1] "
        "for target [app(public.ecr.aws/u5s6c6g2/just-sleep) (NONE->RUNNING)"
    )
    stop = fb.stopped(
        containers=(
            fb.container(exit_code=143, reason=reason),
            fb.container(name="migrate", exit_code=1),
        )
    )
    logs = fb.logs(stop, 'relation "plans" does not exist', container_name="migrate")
    facts = fb.failing(
        stop, task_definitions={fb.TASK_DEFINITION_ARN: definition}, log_streams=(logs,)
    )
    diagnosis = fb.diagnose(facts)
    assert diagnosis.cause is not None
    assert diagnosis.cause.code is Cause.APP_CRASH
    assert diagnosis.cause.title == "Container migrate exits with code 1 before app could start"
    assert evidence_lines(diagnosis.cause.evidence)[1] == (
        "container migrate (essential: false) exited with code 1; app waits for it "
        "(dependsOn SUCCESS) and never started"
    )
    assert 'log: "relation "plans" does not exist"' in evidence_lines(diagnosis.cause.evidence)
    assert diagnosis.cause.where.container == "migrate"
    step = diagnosis.next_step  # about the container that failed, and its own log stream
    assert step is not None
    assert step.action.startswith('migrate fails with “relation "plans" does not exist”')
    assert step.command is not None
    assert f"--log-stream-name ecs/migrate/{stop.task_id}" in step.command


def test_a_dependency_that_only_has_to_start_is_not_blamed() -> None:
    app = fb.container_definition(depends_on=(Dependency(container="agent", condition="START"),))
    agent = fb.container_definition(name="agent", essential=False)
    definition = fb.task_definition(containers=(app, agent))
    stop = fb.stopped(
        containers=(fb.container(exit_code=1), fb.container(name="agent", exit_code=1))
    )
    finding = fb.only(
        check_exit_code(
            fb.facts(stopped_tasks=(stop,), task_definitions={fb.TASK_DEFINITION_ARN: definition})
        ),
        Cause.APP_CRASH,
    )
    assert finding.title.startswith("Container app exits with code 1")


# --------------------------------------------------------------------------- fixes


def test_a_crash_on_a_missing_variable_names_the_line_the_file_and_the_variable() -> None:
    crash = fb.stopped(1, exit_code=1)
    lines = (
        "/app/src/db.js:12",
        "Error: REDIS_URL is not set",
        "    at connect (/app/src/db.js:12:11)",
    )
    facts = fb.failing(crash, log_streams=(fb.logs(crash, *lines),))
    finding = fb.only(check_exit_code(facts), Cause.APP_CRASH)
    assert finding.particulars.quoted == "Error: REDIS_URL is not set"
    assert finding.particulars.source == "/app/src/db.js:12"
    assert finding.particulars.variables == ("REDIS_URL",)
    step = fb.fixed(APP_CRASH, facts, particulars=finding.particulars)
    assert "“Error: REDIS_URL is not set” at /app/src/db.js:12" in step.action
    assert "it reads REDIS_URL, which the task definition api:7 does not set" in step.action
    assert step.command is not None
    assert f"--log-stream-name ecs/app/{crash.task_id}" in step.command


def test_a_python_crash_names_its_own_frame_not_a_library_s() -> None:
    crash = fb.stopped(1, exit_code=1)
    lines = (
        "Traceback (most recent call last):",
        '  File "/app/main.py", line 9, in <module>',
        '  File "/usr/lib/python3.12/site-packages/redis/client.py", line 88, in get',
        "KeyError: 'plan'",
    )
    facts = fb.failing(crash, log_streams=(fb.logs(crash, *lines),))
    assert fb.only(check_exit_code(facts), Cause.APP_CRASH).particulars.source == "/app/main.py:9"


def test_a_crash_without_a_word_in_its_logs_shows_the_log_stream() -> None:
    crash = fb.stopped(1, exit_code=1)
    facts = fb.failing(crash, log_streams=(fb.logs(crash),))
    step = fb.fixed(APP_CRASH, facts)
    assert step.action == (
        "app exits without a word in the logs ecs-why read: its log stream holds the rest."
    )
    assert step.command is not None
    assert step.command.startswith("aws logs get-log-events")
    assert step.console_label == "Log stream"


def test_a_failing_deployment_offers_the_revision_the_service_still_runs() -> None:
    crash = fb.stopped(1, exit_code=1)
    old = fb.TASK_DEFINITION_ARN.rsplit(":", 1)[0] + ":2"
    deployments = (
        Deployment(id="ecs-svc/2", status="PRIMARY", task_definition_arn=fb.TASK_DEFINITION_ARN),
        Deployment(id="ecs-svc/1", status="ACTIVE", task_definition_arn=old, running=1),
    )
    facts = fb.failing(crash, service=fb.service(running=1, deployments=deployments))
    step = fb.fixed(APP_CRASH, facts, particulars=Particulars(quoted="TypeError: x is undefined"))
    assert "roll back to api:2, which the service still runs" in step.action
    assert step.command == (
        f"aws ecs update-service --cluster {fb.CLUSTER} --service {fb.SERVICE} "
        "--task-definition api:2"
    )


def test_an_entrypoint_that_is_not_executable_is_named_in_the_message_read() -> None:
    denied = fb.stopped(
        1,
        exit_code=126,
        container_reason="CannotStartContainerError: exec /app/start.sh: permission denied",
    )
    lines = ("/bin/sh: /app/start.sh: Permission denied",)
    facts = fb.failing(denied, log_streams=(fb.logs(denied, *lines),))
    finding = fb.only(check_exit_code(facts), Cause.EXEC_PERMISSION_DENIED)
    assert finding.particulars.not_executable == "/app/start.sh"
    step = fb.fixed(EXEC_PERMISSION_DENIED, facts, particulars=finding.particulars)
    assert step.action.startswith("/app/start.sh is not executable in the image of app")
    assert "`RUN chmod +x /app/start.sh`" in step.action
    assert step.console_label == "Log stream"


def test_a_missing_binary_is_named_beside_what_the_revision_runs() -> None:
    missing = fb.stopped(
        1,
        exit_code=127,
        container_reason='CannotStartContainerError: exec: "gunicorn": executable file not found '
        "in $PATH",
    )
    runs = fb.container_definition(command=("gunicorn", "app:api"))
    facts = fb.failing(
        missing, task_definitions={fb.TASK_DEFINITION_ARN: fb.task_definition(containers=(runs,))}
    )
    finding = fb.only(check_exit_code(facts), Cause.COMMAND_NOT_FOUND)
    assert finding.particulars.binary == "gunicorn"
    step = fb.fixed(COMMAND_NOT_FOUND, facts, particulars=finding.particulars)
    assert step.action.startswith(
        "The image of app has no “gunicorn” on its PATH, but the task definition api:7 runs "
        "`gunicorn app:api`"
    )
    assert step.command is not None
    assert step.command.startswith("aws ecs describe-task-definition --task-definition api:7")


def test_out_of_memory_raises_the_limit_that_killed_it() -> None:
    facts = fb.failing(fb.stopped(1, exit_code=137))
    memory = Particulars(memory_limit=512, memory_scope="container")
    step = fb.fixed(OUT_OF_MEMORY, facts, particulars=memory)
    assert "raise container app's memory (512 MiB) in a new revision of api:7" in step.action
    assert step.command is not None
    assert "aws cloudwatch get-metric-statistics --namespace AWS/ECS" in step.command
    # an hour before the stop (11:57:20) to now, a quarter of an hour after it being later
    assert "--start-time 2024-05-01T10:57:20Z --end-time 2024-05-01T12:00:00Z" in step.command
    reserved = fb.fixed(OUT_OF_MEMORY, facts, particulars=Particulars(memory_reservation=256))
    assert "it has only a reservation of 256 MiB, which limits nothing" in reserved.action


def test_a_segfault_quotes_the_line_read() -> None:
    crash = fb.stopped(1, exit_code=139)
    facts = fb.failing(crash, log_streams=(fb.logs(crash, "Segmentation fault (core dumped)"),))
    finding = fb.only(check_exit_code(facts), Cause.SEGFAULT)
    step = fb.fixed(SEGFAULT, facts, particulars=finding.particulars)
    assert step.action.startswith(
        "A native crash in app. Its log says “Segmentation fault (core dumped)”."
    )
    assert step.command is not None
    assert step.command.startswith("aws logs get-log-events")


def test_a_sigterm_the_app_sent_itself_is_quoted_else_cloudtrail_is_asked() -> None:
    stop = fb.stopped(1, exit_code=143)
    said = "watchdog: event loop blocked for 30s, sending SIGTERM to pid 1"
    facts = fb.failing(stop, log_streams=(fb.logs(stop, said),))
    finding = fb.only(check_exit_code(facts), Cause.SIGTERM)
    assert finding.particulars.sender == said
    inside = fb.fixed(SIGTERM, facts, particulars=finding.particulars)
    assert inside.action.startswith(f"The SIGTERM comes from inside app: “{said}”.")
    outside = fb.fixed(SIGTERM, facts)
    assert "CloudTrail's StopTask events name any caller" in outside.action
    assert outside.command is not None
    assert outside.command.startswith("aws cloudtrail lookup-events")
