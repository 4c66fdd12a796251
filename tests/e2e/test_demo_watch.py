"""`ecs-why demo --serve` feeds the emulated event archive: a watch in the team's workspace
gets an incident card of the demo's broken services."""

from __future__ import annotations

from tests.conftest import free_port
from tests.e2e.test_serve import environment, serving
from tests.fake_slack import BOT_TOKEN, FakeSlack
from tests.harness import SIGNING_SECRET, form, slash_command


def test_a_watch_in_the_demo_gets_a_live_incident_card(slack: FakeSlack) -> None:
    port = free_port()
    env = environment(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.api_url,
        PORT=str(port),
        ECS_WHY_WATCH_POLL="0.2",
    )
    with serving(["demo", "--serve"], env, port) as bot:
        command = slash_command("watch production/*", slack.new_response_url())
        response = bot.signed(form(command))
        assert "now watches" in response.json()["text"]
        (card, *_) = slack.wait_for(
            "chat.postMessage",
            where=lambda c: "production/search-indexer:" in c.body["text"],
            timeout=60,
        )
        assert "out-of-memory" in card.body["text"]
        assert "Incident" in str(card.body["blocks"])
