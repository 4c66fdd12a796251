"""The Home tab and unfurled console links, end to end: signed events to the real HTTP
endpoint, the fake Slack's views.publish, users.conversations and chat.unfurl."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from bot.demo.traffic import EmulatorServer
from bot.model import Cause
from bot.render.home import ACTION_FULL, ACTION_HOME_RERUN
from tests.e2e.conftest import Bot, running_bot, scenario
from tests.e2e.test_http_mode import slash, text_of
from tests.fake_slack import TEAM, FakeSlack
from tests.harness import CHANNEL, USER, form, interaction, slash_command

OOM = scenario(Cause.OUT_OF_MEMORY)
CRASH = scenario(Cause.APP_CRASH)
OTHER = "C0ELSEWHERE"  # a channel the user is not in


def event(payload: dict[str, Any], **envelope: Any) -> str:
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "api_app_id": "A0FAKE",
            "event": payload,
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
            **envelope,
        }
    )


def send_event(bot: Bot, payload: dict[str, Any], **envelope: Any) -> None:
    response = bot.http.signed(event(payload, **envelope), content_type="application/json")
    assert response.status == 200


def open_home(bot: Bot) -> dict[str, Any]:
    before = len(bot.slack.calls_to("views.publish"))
    send_event(bot, {"type": "app_home_opened", "user": USER, "channel": "D0APP", "tab": "home"})
    call = bot.slack.wait_for("views.publish", before + 1)[-1]
    assert call.body["user_id"] == USER
    view: dict[str, Any] = call.body["view"]
    assert view["type"] == "home"
    return view


def watch_in(bot: Bot, channel: str, target: str) -> None:
    fields = slash_command(f"watch {target}", bot.slack.new_response_url()) | {
        "channel_id": channel
    }
    assert bot.http.signed(form(fields)).status == 200


def test_home_shows_your_diagnoses_and_only_your_channels_watches(bot: Bot) -> None:
    bot.slack.members[USER] = [CHANNEL]
    url, _ = slash(bot, f"{OOM.cluster}/{OOM.service}")
    bot.slack.wait_for("response_url", where=lambda c: c.path in url)
    watch_in(bot, CHANNEL, f"{CRASH.cluster}/{CRASH.service}")
    watch_in(bot, OTHER, f"{OOM.cluster}/*")
    bot.settle()
    view = open_home(bot)
    shown = text_of(view["blocks"])
    assert f"{OOM.cluster}/{OOM.service}" in shown
    assert f"<#{CHANNEL}> watches `{CRASH.cluster}/{CRASH.service}`" in shown
    assert OTHER not in shown
    assert f"`{OOM.cluster}/*`" not in shown
    assert len(view["blocks"]) <= 100


def test_diagnose_again_from_home_sends_the_card_to_your_messages(bot: Bot) -> None:
    bot.slack.members[USER] = [CHANNEL]
    url, _ = slash(bot, f"{OOM.cluster}/{OOM.service}")
    bot.slack.wait_for("response_url", where=lambda c: c.path in url)
    bot.settle()
    view = open_home(bot)
    button = next(
        block["accessory"]
        for block in view["blocks"]
        if block.get("accessory", {}).get("action_id") == ACTION_HOME_RERUN
    )
    publishes = len(bot.slack.calls_to("views.publish"))
    click = {
        "type": "block_actions",
        "user": {"id": USER, "team_id": TEAM},
        "team": {"id": TEAM},
        "container": {"type": "view", "view_id": "V1"},
        "trigger_id": f"{uuid.uuid4().int % 10**12}.fake",
        "view": view,
        "actions": [{**button, "block_id": "b", "action_ts": f"{time.time():.6f}"}],
    }
    assert bot.http.signed(interaction(click)).status == 200
    (card,) = bot.slack.wait_for("chat.postMessage", where=lambda c: c.body["channel"] == USER)
    assert "`out-of-memory`" in text_of(card.body["blocks"])
    bot.slack.wait_for("views.publish", publishes + 1)  # the list refreshed


def console_url(cluster: str, service: str) -> str:
    return (
        f"https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/{cluster}/services/"
        f"{service}/health?region=us-east-1"
    )


def share(bot: Bot, url: str, **envelope: Any) -> None:
    links = [{"url": url, "domain": "console.aws.amazon.com"}]
    payload = {
        "type": "link_shared",
        "channel": CHANNEL,
        "user": USER,
        "message_ts": "1700000500.000100",
        "unfurl_id": "U1",
        "source": "conversations_history",
        "links": links,
    }
    send_event(bot, payload, **envelope)


def test_a_pasted_console_link_unfurls_into_a_compact_card_that_opens_the_full_one(
    bot: Bot,
) -> None:
    url = console_url(OOM.cluster, OOM.service)
    share(bot, url)
    (call,) = bot.slack.wait_for("chat.unfurl")
    assert (call.body["channel"], call.body["ts"]) == (CHANNEL, "1700000500.000100")
    blocks = call.body["unfurls"][url]["blocks"]
    assert OOM.service in text_of(blocks)
    assert len(blocks) <= 3
    (actions,) = [b for b in blocks if b["type"] == "actions"]
    (button,) = actions["elements"]
    assert button["action_id"] == ACTION_FULL
    click = {
        "type": "block_actions",
        "user": {"id": USER, "team_id": TEAM},
        "team": {"id": TEAM},
        "container": {
            "type": "message_attachment",
            "message_ts": "1700000500.000100",
            "channel_id": CHANNEL,
            "is_app_unfurl": True,
        },
        "channel": {"id": CHANNEL},
        "trigger_id": f"{uuid.uuid4().int % 10**12}.fake",
        "actions": [{**button, "block_id": "b", "action_ts": f"{time.time():.6f}"}],
    }
    assert bot.http.signed(interaction(click)).status == 200
    (card,) = bot.slack.wait_for(
        "chat.postMessage", where=lambda c: c.body.get("thread_ts") == "1700000500.000100"
    )
    assert "`out-of-memory`" in text_of(card.body["blocks"])


def test_no_unfurl_in_an_externally_shared_channel_or_outside_the_rules(
    slack: FakeSlack, demo_account: EmulatorServer
) -> None:
    with running_bot(slack, demo_account, channels={CHANNEL: ["staging:*"]}) as refused:
        share(refused, console_url(OOM.cluster, OOM.service))
        refused.settle()
    with running_bot(slack, demo_account) as open_:
        share(open_, console_url(OOM.cluster, OOM.service), is_ext_shared_channel=True)
        share(open_, "https://us-east-1.console.aws.amazon.com/ec2/home#Instances:")
        open_.settle()
        assert not open_.diagnoser.calls
    assert not slack.calls_to("chat.unfurl")
