"""ECS console URLs as targets through the real app: a slash command and a mention holding
one get the card of that service or task."""

from __future__ import annotations

import json

from bot.model import Cause
from tests.e2e.conftest import Bot, scenario, stopped_task_arns
from tests.e2e.test_http_mode import card_for
from tests.harness import mention_event, sign

OOM = scenario(Cause.OUT_OF_MEMORY)
CONSOLE = "https://us-east-1.console.aws.amazon.com/ecs/v2/clusters"


def test_a_slash_command_with_a_service_console_url_gets_its_card(bot: Bot) -> None:
    url = f"{CONSOLE}/{OOM.cluster}/services/{OOM.service}/health?region=us-east-1"
    _, card = card_for(bot, url)
    assert card["text"].startswith(f"{OOM.cluster}/{OOM.service} is down: out-of-memory")


def test_a_mention_with_a_task_console_url_is_answered_in_its_thread(bot: Bot) -> None:
    task = stopped_task_arns(OOM)[0].rsplit("/", 1)[1]
    url = f"{CONSOLE}/{OOM.cluster}/tasks/{task}/configuration?region=us-east-1"
    body = json.dumps(mention_event(f"<@U0ECSWHY> why? <{url}>", ts="1700000400.4"))
    response = bot.http.request(body, headers=sign(body), content_type="application/json")
    assert response.status == 200
    (card,) = bot.slack.wait_for(
        "chat.postMessage", where=lambda c: c.body.get("thread_ts") == "1700000400.4"
    )
    assert "out-of-memory" in card.body["text"]
    assert task in json.dumps(card.body["blocks"])
