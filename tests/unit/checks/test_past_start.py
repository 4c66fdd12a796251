"""Failures past the start, read from the app's last words, and the fixes built from what the
decisive line names (bot/checks/past_start.py)."""

from __future__ import annotations

import tests.facts_builder as fb
from bot.checks.exit_code import check_exit_code
from bot.checks.past_start import (
    CONFIG_MISSING,
    DEPENDENCY_UNREACHABLE,
    FILE_LIMIT,
    HEAP_EXHAUSTED,
    NOT_FOREGROUND,
)
from bot.model import Cause, Facts, Particulars, Where


def crashed(*lines: str, code: int = 1, **definition: object) -> Facts:
    stop = fb.stopped(exit_code=code)
    definitions = {fb.TASK_DEFINITION_ARN: fb.task_definition(**definition)} if definition else {}
    return fb.failing(
        stop,
        log_streams=(fb.logs(stop, *lines),),
        **({"task_definitions": definitions} if definitions else {}),
    )


def test_a_refused_connection_names_the_endpoint_and_how_it_failed() -> None:
    facts = crashed(
        "Traceback (most recent call last):",
        "redis.exceptions.ConnectionError: Error 111 connecting to 10.0.7.21:6379. "
        "Connection refused.",
    )
    finding = fb.only(check_exit_code(facts), Cause.DEPENDENCY_UNREACHABLE)
    assert finding.title == (
        "Container app exits: a dependency refused the connection (10.0.7.21:6379)"
    )
    assert (finding.particulars.endpoint, finding.particulars.failure) == (
        "10.0.7.21:6379",
        "refused",
    )
    step = fb.fixed(DEPENDENCY_UNREACHABLE, facts, particulars=finding.particulars)
    assert "cannot reach 10.0.7.21:6379: it refuses connections" in step.action
    assert "sg-0api" in step.action  # the task's security group, to admit at the dependency
    assert step.command is not None
    assert "Name=addr.private-ip-address,Values=10.0.7.21" in step.command


def test_a_name_that_does_not_resolve_asks_about_the_name_and_the_vpc_dns() -> None:
    facts = crashed("Error: getaddrinfo ENOTFOUND orders-db.internal")
    finding = fb.only(check_exit_code(facts), Cause.DEPENDENCY_UNREACHABLE)
    assert (finding.particulars.endpoint, finding.particulars.failure) == (
        "orders-db.internal",
        "dns",
    )
    step = fb.fixed(DEPENDENCY_UNREACHABLE, facts, particulars=finding.particulars)
    assert step.action.startswith("orders-db.internal does not resolve")
    assert step.command == (
        "aws ec2 describe-vpc-attribute --vpc-id vpc-0main --attribute enableDnsSupport"
    )


def test_a_database_login_refused_points_at_the_credentials_not_the_network() -> None:
    facts = crashed('FATAL:  password authentication failed for user "orders"')
    finding = fb.only(check_exit_code(facts), Cause.DEPENDENCY_UNREACHABLE)
    assert (finding.particulars.failure, finding.particulars.db_user) == ("db-auth", "orders")
    step = fb.fixed(DEPENDENCY_UNREACHABLE, facts, particulars=finding.particulars)
    assert step.action.startswith("The database refuses the login of user orders from app")


def test_localhost_is_only_the_task_itself() -> None:
    particulars = Particulars(endpoint="127.0.0.1:5432", failure="refused")
    step = fb.fixed(DEPENDENCY_UNREACHABLE, fb.failing(), particulars=particulars)
    assert "only containers of the same task share localhost" in step.action


def test_an_rds_endpoint_is_looked_up_in_rds() -> None:
    host = "orders.c9akciq32.us-east-1.rds.amazonaws.com"
    particulars = Particulars(endpoint=f"{host}:5432", failure="timeout")
    step = fb.fixed(DEPENDENCY_UNREACHABLE, fb.failing(), particulars=particulars)
    assert "does not answer in time" in step.action
    assert step.command is not None
    assert f"Endpoint.Address==`{host}`" in step.command


def test_a_tls_failure_is_about_the_certificate() -> None:
    facts = crashed(
        'Get "https://billing.internal/": x509: certificate signed by unknown authority'
    )
    finding = fb.only(check_exit_code(facts), Cause.DEPENDENCY_UNREACHABLE)
    step = fb.fixed(DEPENDENCY_UNREACHABLE, facts, particulars=finding.particulars)
    assert "TLS handshake" in step.action


def test_a_missing_variable_the_definition_does_not_set() -> None:
    facts = crashed("KeyError: 'SMTP_HOST'")
    finding = fb.only(check_exit_code(facts), Cause.CONFIG_MISSING)
    step = fb.fixed(
        CONFIG_MISSING, facts, particulars=finding.particulars, where=Where(container="app")
    )
    assert (
        "app needs SMTP_HOST, which api:7 sets neither as a variable nor as a secret" in step.action
    )
    assert step.command is not None
    assert "environment[].name,secrets[].name" in step.command


def test_a_variable_the_definition_sets_is_a_bad_value() -> None:
    facts = crashed("KeyError: 'DATABASE_URL'")  # the builder's container sets DATABASE_URL
    finding = fb.only(check_exit_code(facts), Cause.CONFIG_MISSING)
    step = fb.fixed(CONFIG_MISSING, facts, particulars=finding.particulars)
    assert step.action.startswith("api:7 sets DATABASE_URL, yet app finds it missing or invalid")


def test_a_missing_config_file_is_to_be_added_or_mounted() -> None:
    facts = crashed(
        "FileNotFoundError: [Errno 2] No such file or directory: '/etc/app/config.yaml'"
    )
    finding = fb.only(check_exit_code(facts), Cause.CONFIG_MISSING)
    assert finding.particulars.setting == "/etc/app/config.yaml"
    step = fb.fixed(CONFIG_MISSING, facts, particulars=finding.particulars)
    assert "looks for the file /etc/app/config.yaml" in step.action


def test_a_jvm_heap_set_below_the_limit_raises_the_heap_not_the_container() -> None:
    container = fb.container_definition(
        memory=2048, command=("java", "-Xmx256m", "-jar", "/app/orders.jar")
    )
    facts = crashed(
        'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space',
        containers=(container,),
    )
    finding = fb.only(check_exit_code(facts), Cause.HEAP_EXHAUSTED)
    assert finding.title == (
        "Container app ran out of its own heap (-Xmx256m), below its 2048 MiB memory limit"
    )
    step = fb.fixed(HEAP_EXHAUSTED, facts, particulars=finding.particulars)
    assert "Raise app's heap (-Xmx256m) toward the container's 2048 MiB" in step.action
    assert "not the container's memory" in step.action


def test_a_heap_flag_set_in_the_environment_is_named_never_its_value() -> None:
    container = fb.container_definition(environment_names=("JAVA_TOOL_OPTIONS",))
    facts = crashed("java.lang.OutOfMemoryError: Java heap space", containers=(container,))
    finding = fb.only(check_exit_code(facts), Cause.HEAP_EXHAUSTED)
    step = fb.fixed(HEAP_EXHAUSTED, facts, particulars=finding.particulars)
    assert "it may be set in JAVA_TOOL_OPTIONS" in step.action


def test_too_many_open_files_adds_a_nofile_ulimit() -> None:
    facts = crashed("Error: EMFILE: too many open files, open '/app/data/cache.db'")
    finding = fb.only(check_exit_code(facts), Cause.FILE_LIMIT)
    step = fb.fixed(FILE_LIMIT, facts, particulars=finding.particulars)
    assert "{name: nofile, softLimit: 65536, hardLimit: 65536}" in step.action


def test_threads_it_cannot_start_add_an_nproc_ulimit() -> None:
    facts = crashed("java.lang.OutOfMemoryError: unable to create new native thread")
    finding = fb.only(check_exit_code(facts), Cause.FILE_LIMIT)
    step = fb.fixed(FILE_LIMIT, facts, particulars=finding.particulars)
    assert "nproc" in step.action


def test_a_daemon_that_went_to_the_background_runs_in_the_foreground() -> None:
    facts = crashed(" * Starting nginx nginx", code=0)
    finding = fb.only(check_exit_code(facts), Cause.NOT_FOREGROUND)
    step = fb.fixed(NOT_FOREGROUND, facts, particulars=finding.particulars)
    assert "`nginx -g 'daemon off;'`" in step.action
