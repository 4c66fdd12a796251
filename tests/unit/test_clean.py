"""A diagnosis cleaned once where it is built: no secret and no hidden or reordering character
in anything a renderer shows, whatever field of the task definition or log stream held it."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.clean import clean, clean_text, visible
from bot.model import Diagnosis, HealthCheck
from bot.reason import reason
from bot.redact import PEM_MARKER, redact_argv, redact_lines
from bot.render.blocks import logs_file, render_card, render_details, render_logs
from tests import facts_builder as fb

PASSWORD = "Tr0ub4dor-and-3"
KEY_LINES = (
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
    "k9Vd0aQxEXAMPLEbody0123456789+/=",
)
BIDI = "\u202e\u2066\u200b\ufeff"


def test_visible_drops_bidi_zero_width_controls_and_terminal_escapes() -> None:
    text = f"api{BIDI}-service \x1b[31mred\x1b[0m\x07 naïve ✓\tok\nnext"
    assert visible(text) == "api-service red naïve ✓\tok\nnext"


def test_a_zero_width_space_cannot_split_a_key_past_redaction() -> None:
    assert clean_text("key AKIA\u200bIOSFODNN7EXAMPLE") == "key [REDACTED:aws-access-key-id]"


def test_a_private_key_logged_one_line_per_event_is_hidden_from_begin_to_end() -> None:
    lines = ["starting", "-----BEGIN RSA PRIVATE KEY-----", *KEY_LINES]
    lines += ["-----END RSA PRIVATE KEY-----", "listening on :8080 password=x"]
    assert redact_lines(lines) == [
        "starting",
        *[PEM_MARKER] * 4,
        "listening on :8080 password=[REDACTED]",
    ]


def test_a_key_whose_begin_line_was_not_read_is_hidden_up_to_its_end() -> None:
    lines = ["GET /health 200", *KEY_LINES, "-----END PRIVATE KEY-----", "ready"]
    assert redact_lines(lines) == ["GET /health 200", *[PEM_MARKER] * 3, "ready"]


def test_a_key_left_open_hides_every_line_after_it() -> None:
    assert redact_lines(["-----BEGIN EC PRIVATE KEY-----", *KEY_LINES]) == [PEM_MARKER] * 3


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (["./migrate", "--password", PASSWORD], ["./migrate", "--password", "[REDACTED]"]),
        (["./migrate", f"--password={PASSWORD}"], ["./migrate", "--password=[REDACTED]"]),
        (["mysql", "-uroot", f"-p{PASSWORD}"], ["mysql", "-uroot", "-p[REDACTED]"]),
        (["curl", "-u", f"admin:{PASSWORD}"], ["curl", "-u", "admin:[REDACTED]"]),
        (["login", "-u", "ci", "-p", PASSWORD], ["login", "-u", "ci", "-p", "[REDACTED]"]),
        (
            ["CMD-SHELL", f"mysqladmin ping -pX{PASSWORD}"],
            ["CMD-SHELL", "mysqladmin ping -p[REDACTED]"],
        ),
        (
            ["serve", "--token", "$TOKEN", "--port", "80"],
            ["serve", "--token", "$TOKEN", "--port", "80"],
        ),
        (["nginx", "-g", "daemon off;"], ["nginx", "-g", "daemon off;"]),
    ],
)
def test_a_command_held_one_argument_per_item_is_redacted(
    argv: list[str], shown: list[str]
) -> None:
    assert redact_argv(argv) == tuple(shown)


def planted() -> Diagnosis:
    """A crash whose task definition, health check, log options and logs all hold secrets."""
    stop = fb.stopped(1, f"Essential container in task exited {BIDI}", exit_code=1)
    definition = fb.task_definition(
        containers=(
            fb.container_definition(
                command=("./server", "--db-password", PASSWORD),
                entry_point=("sh", "-c", f"PGPASSWORD={PASSWORD} exec ./server"),
                health_check=HealthCheck(
                    command=("CMD-SHELL", f"curl -u admin:{PASSWORD} localhost")
                ),
                log_options={"splunk-token": PASSWORD, "awslogs-group": "/ecs/api"},
            ),
        )
    )
    logs = fb.logs(
        stop,
        "-----BEGIN PRIVATE KEY-----",
        *KEY_LINES,
        "-----END PRIVATE KEY-----",
        f"connecting to postgres://app:{PASSWORD}@db:5432/app",
        f"Error: connect ECONNREFUSED {BIDI}10.0.1.9:5432",
    )
    facts = fb.failing(
        stop,
        task_definitions={fb.TASK_DEFINITION_ARN: definition},
        log_streams=(logs,),
    )
    return clean(reason(facts))


def test_no_output_of_a_cleaned_diagnosis_holds_a_secret_or_a_hidden_character() -> None:
    diagnosis = planted()
    blocks, _ = render_logs(diagnosis.log_streams)
    outputs = [
        diagnosis.model_dump_json(),
        json.dumps(render_card(diagnosis)),
        json.dumps(render_details(diagnosis)),
        json.dumps(blocks),
        logs_file(diagnosis.log_streams),
    ]
    for output in outputs:
        for secret in (PASSWORD, *KEY_LINES):
            assert secret not in output
        assert not any(char in output for char in BIDI)
    assert diagnosis.log_streams[0].lines[-1] == "Error: connect ECONNREFUSED 10.0.1.9:5432"
    definition = diagnosis.task_definition
    assert definition is not None
    assert definition.containers[0].log_options["awslogs-group"] == "/ecs/api"


def test_cleaning_keeps_the_types_and_is_idempotent() -> None:
    diagnosis = planted()
    assert clean(diagnosis) == diagnosis
    assert Diagnosis.model_validate_json(diagnosis.model_dump_json()) == diagnosis


BEGIN, END = "-----BEGIN RSA PRIVATE KEY-----", "-----END RSA PRIVATE KEY-----"
LINE = st.sampled_from([BEGIN, END, *KEY_LINES, "password=hunter2", "listening on :8080", ""])
STREAMS = st.lists(
    LINE | st.lists(LINE, max_size=3).map("".join) | st.text(max_size=20), max_size=12
)


@given(STREAMS)
def test_redact_lines_keeps_the_count_hides_every_key_line_and_is_idempotent(
    lines: list[str],
) -> None:
    once = redact_lines(lines)
    assert len(once) == len(lines)
    assert redact_lines(once) == once
    inside = False
    for line, shown in zip(lines, once, strict=True):
        if inside and line in KEY_LINES:
            assert shown == PEM_MARKER
        if BEGIN in line or END in line:
            inside = line.rfind(BEGIN) > line.rfind(END)
