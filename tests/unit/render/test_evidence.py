"""Typed evidence in words: each kind reads as one line (the JSON document's strings), and a
card's shape picks the decisive line, folds repeated events and takes the counts out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.model import Evidence, Kind
from bot.render.evidence import REASON_CUT, Line, evidence_lines, said, shape
from bot.render.json import diagnosis_to_json
from tests.unit.render.test_blocks import diagnosis

AT = datetime(2025, 1, 2, 20, 12, tzinfo=UTC)
EVENT = "(service api) is unable to consistently start tasks successfully."
BOILERPLATE = " For more information, see the Troubleshooting section of the Amazon ECS Guide."


@pytest.mark.parametrize(
    ("item", "line"),
    [
        (Evidence(kind=Kind.TASKS, count=3, total=5), "3 of 5 recent stopped tasks show this"),
        (Evidence(kind=Kind.TASKS, count=1, total=1), "The stopped task shows this"),
        (Evidence(kind=Kind.EVENTS, count=2), "2 current service events say so"),
        (Evidence(kind=Kind.EVENTS, count=1), "A current service event says so"),
        (
            Evidence(kind=Kind.MESSAGE, text="Task failed to start", source="stoppedReason"),
            'stoppedReason: "Task failed to start"',
        ),
        (
            Evidence(kind=Kind.MESSAGE, text="OutOfMemoryError", source="container web"),
            'container web: "OutOfMemoryError"',
        ),
        (Evidence(kind=Kind.EVENT, text=EVENT, when=AT), f'service event at 20:12: "{EVENT}"'),
        (Evidence(kind=Kind.EVENT, text=EVENT), f'service event: "{EVENT}"'),
        (
            Evidence(kind=Kind.EXIT, text="137", source="container web"),
            "container web exited with code 137",
        ),
        (Evidence(kind=Kind.LOG, text="KeyError: 'DB'"), "log: \"KeyError: 'DB'\""),
        (Evidence(kind=Kind.LOG, text="boom", source="container web"), 'container web log: "boom"'),
        (
            Evidence(kind=Kind.APP, text="listening on 3000", source="but the app listens on 3000"),
            'but the app listens on 3000: "listening on 3000"',
        ),
        (
            Evidence(kind=Kind.APP, text="Tomcat started on port 8080"),
            '"Tomcat started on port 8080"',
        ),
        (
            Evidence(kind=Kind.CONFIG, text='{"Effect": "Deny"}', source="role r, policy p"),
            'role r, policy p: {"Effect": "Deny"}',
        ),
        (Evidence(kind=Kind.CONFIG, text="VPC endpoints: none"), "VPC endpoints: none"),
        (
            Evidence(kind=Kind.CONTRARY, text="yet subnet s routes 0.0.0.0/0 to nat-1"),
            "yet subnet s routes 0.0.0.0/0 to nat-1",
        ),
        (
            Evidence(
                kind=Kind.TARGET,
                text="Target.Timeout (Request timed out)",
                source="target 10.0.0.1:80 unhealthy",
            ),
            "target 10.0.0.1:80 unhealthy: Target.Timeout (Request timed out)",
        ),
        (
            Evidence(kind=Kind.ACTION, text="no capacity", source="SERVICE_TASK_PLACEMENT_FAILURE"),
            "SERVICE_TASK_PLACEMENT_FAILURE: no capacity",
        ),
        (
            Evidence(
                kind=Kind.UNCONFIRMED,
                text="could not call iam:GetRole: denied",
                source="iam:GetRole",
            ),
            "could not confirm: could not call iam:GetRole: denied",
        ),
        (
            Evidence(
                kind=Kind.UNREAD,
                text="could not call ecs:ListTasks: denied",
                source="ecs:ListTasks",
            ),
            "could not call ecs:ListTasks: denied",
        ),
        (
            Evidence(
                kind=Kind.ROLLOUT,
                text="rollout FAILED, 3 failed tasks",
                source="deployment d (primary)",
            ),
            "deployment d (primary): rollout FAILED, 3 failed tasks",
        ),
        (Evidence(kind=Kind.NOTE, text="all replaced"), "all replaced"),
    ],
)
def test_each_kind_reads_as_one_line(item: Evidence, line: str) -> None:
    assert said(item) == line


def test_the_shape_leads_with_the_apps_error_and_takes_the_counts_out() -> None:
    shaped = shape(
        (
            Evidence(kind=Kind.TASKS, count=4, total=4),
            Evidence(kind=Kind.EXIT, text="1", source="container app"),
            Evidence(kind=Kind.LOG, text="Starting api"),
            Evidence(kind=Kind.LOG, text="TypeError: x is undefined"),
        )
    )
    assert shaped.tasks == "4 of 4 recent stopped tasks"
    assert shaped.decisive == Line("log", "TypeError: x is undefined")
    assert [line.text for line in shaped.rest] == [
        "container app exited with code 1",
        'log: "Starting api"',
    ]


def test_without_an_error_logged_the_first_line_that_is_not_a_bare_exit_code_leads() -> None:
    shaped = shape(
        (
            Evidence(kind=Kind.EXIT, text="137", source="container app"),
            Evidence(kind=Kind.APP, text="GET /health 404 not found", source="the app answered"),
            Evidence(kind=Kind.CONFIG, text="task memory 512 MiB"),
        )
    )
    assert shaped.decisive == Line("the app answered", "GET /health 404 not found")
    assert shape((Evidence(kind=Kind.EXIT, text="1", source="container a"),)).decisive == Line(
        "container a exited with code 1"
    )


def test_repeated_service_events_are_quoted_once_with_how_often_and_since_when() -> None:
    shaped = shape(
        (
            Evidence(kind=Kind.EVENTS, count=2),
            Evidence(kind=Kind.EVENT, text=EVENT + BOILERPLATE, when=AT),
            Evidence(kind=Kind.EVENT, text=EVENT + BOILERPLATE, when=AT.replace(minute=1)),
        )
    )
    assert shaped.events == 2
    assert shaped.decisive == Line("service event ×2 since 20:01", EVENT)
    assert shaped.rest == ()


def test_a_reason_ecs_cut_short_says_so_and_each_line_shows_once() -> None:
    reason = "CannotPullContainerError: " + "x" * (REASON_CUT - 26)
    message = Evidence(kind=Kind.MESSAGE, text=reason, source="stoppedReason")
    shaped = shape((message, message, Evidence(kind=Kind.NOTE, text="n")))
    assert shaped.decisive == Line("stoppedReason", reason + "…")
    assert shaped.rest == (Line("n"),)
    log = Evidence(kind=Kind.LOG, text=reason)  # only AWS's reasons are cut at 255
    assert shape((log,)).decisive == Line("log", reason)


def test_the_json_document_carries_each_item_as_its_line() -> None:
    evidence = (
        Evidence(kind=Kind.TASKS, count=2, total=3),
        Evidence(kind=Kind.MESSAGE, text="Essential container exited", source="stoppedReason"),
    )
    document = diagnosis_to_json(diagnosis(evidence=evidence))
    expected = [
        "2 of 3 recent stopped tasks show this",
        'stoppedReason: "Essential container exited"',
    ]
    assert document["cause"]["evidence"] == expected
    assert document["findings"][0]["evidence"] == list(evidence_lines(evidence)) == expected
