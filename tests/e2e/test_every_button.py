"""Every button of every demo card, clicked as Slack sends a click (signed, over HTTP), leads
somewhere: the fake Slack sees a visible, non-empty answer that is neither an error nor a bare
"does not exist"; a link button leads to its page. Incident cards too: Acknowledge, Snooze 1 h,
Mute this cause and each choice of their menu."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.demo.scenarios import SCENARIOS
from bot.demo.traffic import EmulatorServer
from bot.model import Cause, Diagnosis, Target
from bot.render.blocks import render_card
from bot.render.incident import ACTION_MORE, render_incident_card
from bot.watch.incidents import Incident, ServiceRef
from tests.e2e.conftest import Bot, running_bot, scenario
from tests.fake_slack import Call, FakeSlack
from tests.harness import block_action, interaction

ANSWERS = ("response_url", "chat.postMessage", "chat.update", "chat.postEphemeral", "upload")
# What an answer that leads nowhere says (handlers/messages.py, render_logs): only the bot's
# own words count, not a message from AWS quoted on a card.
NOWHERE = (
    "This log stream does not exist",
    "No log stream is known",
    "Something went wrong",
    "I could not diagnose",
    "no longer knows what to look at",
    "Nothing to undo",
    "Slow down",
)
_ts = iter(range(1, 10**6))


@pytest.fixture(scope="module")
def generous(demo_account: EmulatorServer) -> Iterator[Bot]:
    """One bot for every click of this module; its rate limits leave room for all of them."""
    with (
        FakeSlack() as slack,
        running_bot(
            slack,
            demo_account,
            rate_limit_user=1000,
            rate_limit_channel=1000,
            rate_limit_free=10_000,
        ) as bot,
    ):
        yield bot


def posted(card: list[dict[str, Any]], text: str) -> dict[str, Any]:
    """The card as the message Slack would hold after posting it."""
    return {"text": text, "blocks": card, "ts": f"1700000000.{next(_ts):06d}"}


def elements(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def click(bot: Bot, message: dict[str, Any], element: dict[str, Any], option: int = 0) -> str:
    """Clicks `element` of `message` (for a menu, its `option`); what Slack then saw, as text."""
    before = len(bot.slack.calls)
    body = block_action(element["action_id"], message, response_url=bot.slack.new_response_url())
    if element["type"] == "overflow":
        chosen = element["options"][option]
        body["actions"][0].update(type="overflow", selected_option=chosen)
    response = bot.http.signed(interaction(body))
    assert response.status == 200, element
    bot.settle()
    deadline = time.monotonic() + 30
    while not (answers := _answers(bot.slack.calls[before:])) and time.monotonic() < deadline:
        time.sleep(0.05)
        bot.settle()
    return "\n".join(json.dumps(call.body, ensure_ascii=False) for call in answers)


def _answers(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method in ANSWERS or c.method.startswith("files.")]


def leads_somewhere(said: str, what: str) -> None:
    assert said.strip(), f"{what}: no answer"
    assert not any(words in said for words in NOWHERE), (what, said[:500])


def diagnosed(bot: Bot, target: Target) -> Diagnosis:
    return bot.diagnoser.inner.diagnose(target)


def test_every_button_of_every_demo_card_leads_somewhere(generous: Bot) -> None:
    for case in SCENARIOS:
        diagnosis = diagnosed(generous, Target(cluster=case.cluster, service=case.service))
        message = posted(render_card(diagnosis), diagnosis.target.label)
        for element in elements(message):
            what = f"{diagnosis.target.label}: {element['text']['text']}"
            if "url" in element:  # Slack opens the page; the bot only acknowledges
                assert element["url"].startswith("https://"), what
                continue
            leads_somewhere(click(generous, message, element), what)


def incident_card(bot: Bot, cause: Cause) -> dict[str, Any]:
    case = scenario(cause)
    diagnosis = diagnosed(bot, Target(cluster=case.cluster, service=case.service))
    assert diagnosis.cause is not None
    first = datetime.now(UTC) - timedelta(minutes=30)
    incident = Incident(
        key=f"123456789012:us-east-1:{case.cluster}:{case.service}:{cause.value}:1",
        service=ServiceRef(
            account="123456789012", region="us-east-1", cluster=case.cluster, service=case.service
        ),
        cause=diagnosis.cause,
        revision=1,
        state="updated",
        stops=4,
        first=first,
        last=first + timedelta(minutes=10),
    )
    return posted(render_incident_card(incident, diagnosis), case.service)


@pytest.mark.parametrize("cause", [Cause.OUT_OF_MEMORY, Cause.IMAGE_NOT_FOUND])
def test_every_button_and_menu_choice_of_an_incident_card_leads_somewhere(
    generous: Bot, cause: Cause
) -> None:
    message = incident_card(generous, cause)
    for element in elements(message):
        if element["type"] == "overflow":
            for n, option in enumerate(element["options"]):
                what = f"{cause} menu: {option['text']['text']}"
                if "url" in option:
                    assert option["url"].startswith("https://"), what
                    continue
                leads_somewhere(click(generous, message, element, n), what)
            continue
        what = f"{cause}: {element['text']['text']}"
        if "url" in element:
            continue
        said = click(generous, message, element)
        leads_somewhere(said, what)
        if element["text"]["text"] == "Acknowledge":
            assert "acknowledged by <@" in said
            assert '"Acknowledge"' not in said  # the button is gone once it is done
    assert ACTION_MORE in [e["action_id"] for e in elements(message)]
