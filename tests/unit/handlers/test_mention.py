"""What a mention of the bot asks about, read from its text before any AWS call."""

from __future__ import annotations

import pytest

from handlers.mention import targets_in

TASK = "arn:aws:ecs:us-east-1:123456789012:task/production/0123456789abcdef0123456789abcdef"
OTHER = "arn:aws:ecs:eu-west-1:123456789012:task/batch/fedcba9876543210fedcba9876543210"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"<@U0ECSWHY> why did {TASK} stop?", [TASK]),
        (f"<@U0ECSWHY|ecs-why> {TASK} and {OTHER}, and {TASK} again", [TASK, OTHER]),
        ("<@U0ECSWHY> production/api-service keeps dying", ["production/api-service"]),
        ("<@U0ECSWHY> is `api-service` ok?", ["api-service"]),
        ("<@U0ECSWHY> api-service", ["api-service"]),
        ("<@U0ECSWHY> api-service.", ["api-service"]),
        ("hey <@U0ECSWHY> can you look at prod/api and prod/worker", ["prod/api", "prod/worker"]),
        ("<@U0ECSWHY> why is everything broken", []),
        ("<@U0ECSWHY>", []),
        ("<@U0ECSWHY> <!channel> `<@U0BOSS>`", []),
    ],
)
def test_targets_in_a_mention(text: str, expected: list[str]) -> None:
    assert targets_in(text) == expected
