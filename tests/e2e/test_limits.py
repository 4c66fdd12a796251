"""Limits that count cost, and Slack's own limits on every list, through signed requests to the
real HTTP endpoint, a fake Slack and the demo account in the emulator.

The rate limit charges what asks AWS (a new diagnosis, Diagnose again, Fetch logs) to the user
and the channel, on every entry point; a cached answer and Details are free but capped per user.
"""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from bot.cache import MemoryStore
from bot.demo.traffic import EmulatorServer
from bot.model import Cause
from bot.render.blocks import ACTION_DETAILS
from bot.render.home import ACTION_HOME_PAGE, ACTION_HOME_RERUN
from bot.render.incident import ACTION_UNSILENCE
from bot.watch.incidents import ServiceRef
from bot.watch.watches import WatchBook
from handlers.watch import ACTION_WATCHING_PAGE
from tests.e2e.conftest import Bot, running_bot, scenario
from tests.e2e.test_home_and_unfurls import console_url, open_home, share, watch_in
from tests.e2e.test_http_mode import card_for, click, slash, text_of
from tests.e2e.test_watches import shortcut_on
from tests.fake_slack import TEAM, FakeSlack
from tests.harness import CHANNEL, USER, block_action, form, interaction, slash_command
from tests.unit.render.test_blocks import assert_sound

OOM = scenario(Cause.OUT_OF_MEMORY)
CRASH = scenario(Cause.APP_CRASH)
OWN_ACCOUNT_ID = "123456789012"  # moto's


def click_in_home(bot: Bot, view: dict[str, Any], button: dict[str, Any]) -> None:
    """A click on `button` of the Home tab `view`, as Slack sends it."""
    click = {
        "type": "block_actions",
        "user": {"id": USER, "team_id": TEAM},
        "team": {"id": TEAM},
        "container": {"type": "view", "view_id": "V1"},
        "trigger_id": f"{uuid.uuid4().int % 10**12}.fake",
        "view": view,
        "actions": [{**button, "block_id": "b", "action_ts": "1700005000.1"}],
    }
    assert bot.http.signed(interaction(click)).status == 200


def slowed(slack: FakeSlack, url: str) -> bool:
    return "Slow down a little" in json.dumps(slack.responses(url))


# --------------------------------------------------------------------------- what is charged


def test_twenty_shortcut_targets_with_a_limit_of_3_reach_aws_3_times(
    slack: FakeSlack, demo_account: EmulatorServer
) -> None:
    with running_bot(slack, demo_account, rate_limit_user=3) as bot:
        urls = []
        for n in range(20):
            task = f"arn:aws:ecs:us-east-1:{OWN_ACCOUNT_ID}:task/{OOM.cluster}/{uuid.uuid4().hex}"
            urls.append(slack.new_response_url())
            shortcut_on(bot, f"ECS Task State Change: {task} STOPPED", f"1700001{n:03}.1", urls[-1])
        bot.settle()
        assert len(bot.diagnoser.calls) == 3
        assert len({target for target, _ in bot.diagnoser.calls}) == 3
        # Listeners run concurrently once acked: which three is not fixed, how many is.
        refused = [url for url in urls if slowed(slack, url)]
        assert len(refused) == 17
        for url in set(urls) - set(refused):  # each of the three was looked up in AWS
            assert ":mag: no task" in slack.responses(url)[0]["text"]
        note = slack.responses(refused[-1])[0]
        assert note["response_type"] == "ephemeral"
        assert "You have asked for 3 diagnoses in the last 60 seconds" in note["text"]


def test_forty_requests_for_one_cached_service_are_all_answered_without_aws(
    slack: FakeSlack, demo_account: EmulatorServer
) -> None:
    with running_bot(slack, demo_account, rate_limit_user=3) as bot:
        target = f"{OOM.cluster}/{OOM.service}"
        _, card = card_for(bot, target)  # the one diagnosis that asks AWS
        demo_account.traffic.reset()
        with ThreadPoolExecutor(10) as pool:
            answers = list(pool.map(lambda _: slash(bot, target), range(40)))
        assert all("Diagnosing" in ack["text"] for _, ack in answers)
        paths = {url.removeprefix(slack.base_url) for url, _ in answers}
        cards = slack.wait_for("response_url", 40, where=lambda call: call.path in paths)
        assert all("`out-of-memory`" in json.dumps(c.body["blocks"]) for c in cards)
        # Details of the same card: free as well.
        cards_clicked = [{**card, "ts": f"17000020{n:02}.1"} for n in range(5)]
        details = [click(bot, ACTION_DETAILS, clicked) for clicked in cards_clicked]
        bot.settle()
        assert not any(slowed(slack, url) for url in details)
        posted = slack.calls_to("chat.postMessage", lambda c: "Details" in c.body["text"])
        assert len(posted) == 5
        assert demo_account.traffic.total() == 0
        # What asks AWS is still counted: the user's three are one used, two left.
        fresh = [slash(bot, f"{target} since {n + 1}h")[1]["text"] for n in range(3)]
        assert ["Diagnosing" in text for text in fresh] == [True, True, False]


def test_free_answers_still_have_a_flood_cap_per_user(
    slack: FakeSlack, demo_account: EmulatorServer
) -> None:
    with running_bot(slack, demo_account, rate_limit_user=3, rate_limit_free=10) as bot:
        target = f"{OOM.cluster}/{OOM.service}"
        card_for(bot, target)
        texts = [slash(bot, target)[1]["text"] for _ in range(15)]
        assert ["Diagnosing" in text for text in texts] == [True] * 10 + [False] * 5
        assert texts[-1].startswith(
            ":hourglass: Slow down a little: You have asked for 10 answers in the last 60 "
            "seconds, which is all I allow so that no channel is flooded."
        )
        other = {**slash_command(target, slack.new_response_url()), "user_id": "U0OTHER"}
        assert "Diagnosing" in bot.http.signed(form(other)).json()["text"]  # each user's own


def test_unfurls_and_home_reruns_are_charged_like_any_diagnosis(
    slack: FakeSlack, demo_account: EmulatorServer
) -> None:
    slack.members[USER] = [CHANNEL]
    with running_bot(slack, demo_account, rate_limit_user=2) as bot:
        card_for(bot, f"{OOM.cluster}/{OOM.service}")  # one of two
        share(bot, console_url(OOM.cluster, OOM.service))  # cached: free
        slack.wait_for("chat.unfurl")
        view = open_home(bot)
        button = next(
            block["accessory"]
            for block in view["blocks"]
            if block.get("accessory", {}).get("action_id") == ACTION_HOME_RERUN
        )
        for _ in range(2):  # Diagnose again asks AWS: the second is one too many
            click_in_home(bot, view, button)
        bot.settle()
        to_user = [c.body["text"] for c in slack.calls_to("chat.postMessage")]
        assert sum("Slow down a little" in text for text in to_user) == 1
        assert [fresh for _, fresh in bot.diagnoser.calls].count(True) == 1
        share(bot, console_url(CRASH.cluster, CRASH.service))  # not cached: over the limit
        bot.settle()
        assert len(slack.calls_to("chat.unfurl")) == 1
        assert not any(target.service == CRASH.service for target, _ in bot.diagnoser.calls)


# --------------------------------------------------------------------------- Slack's limits


def watching_page(bot: Bot, listing: dict[str, Any], action: str) -> dict[str, Any] | None:
    """Clicks `action` ("next" or "prev") on a `/ecs-why watching` answer, as Slack sends it;
    the page that replaced it, or None when it has no such button."""
    buttons = [
        element
        for block in listing["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == f"{ACTION_WATCHING_PAGE}_{action}"
    ]
    if not buttons:
        return None
    message = {**listing, "ts": "1700003000.1", "blocks": listing["blocks"]}
    url = bot.slack.new_response_url()
    payload = block_action(buttons[0]["action_id"], message, response_url=url)
    payload["container"]["is_ephemeral"] = True
    assert bot.http.signed(interaction(payload)).status == 200
    (shown,) = bot.slack.wait_for("response_url", where=lambda call: call.path in url)
    assert shown.body["replace_original"] is True
    page: dict[str, Any] = shown.body
    return page


def test_twenty_long_named_watches_are_listed_in_valid_blocks(bot: Bot) -> None:
    labels = [f"c{n:02}-{'x' * 250}/s{n:02}-{'y' * 250}" for n in range(20)]
    for label in labels:
        assert "now watches" in slash(bot, f"watch {label}")[1]["text"]
    response = bot.http.signed(form(slash_command("watching", bot.slack.new_response_url())))
    assert response.status == 200
    listing = response.json()
    shown, pages = "", 0
    page: dict[str, Any] | None = listing
    while page is not None:
        assert_sound(page["blocks"])
        shown += json.dumps(page["blocks"])
        pages += 1
        page = watching_page(bot, page, "next")
    assert all(label[:300] in shown for label in labels)  # each shown, if cut short
    assert listing["text"] == "This channel watches 20 targets."


def test_sixty_mutes_fit_in_fifty_blocks_and_page_through_all(
    slack: FakeSlack, demo_account: EmulatorServer
) -> None:
    store = MemoryStore()
    book = WatchBook(store)
    for n in range(60):
        service = ServiceRef(
            account=OWN_ACCOUNT_ID, region="us-east-1", cluster="production", service=f"s{n}"
        )
        book.mute(CHANNEL, service, "app-crash")
    with running_bot(slack, demo_account, store) as bot:
        _, first = slash(bot, "watching")
        pages = [first]
        while (page := watching_page(bot, pages[-1], "next")) is not None:
            pages.append(page)
        assert len(pages) == 2
        for page in pages:
            assert len(page["blocks"]) <= 50
            assert_sound(page["blocks"])
        undo = [
            block["accessory"]["value"]
            for page in pages
            for block in page["blocks"]
            if block.get("accessory", {}).get("action_id") == ACTION_UNSILENCE
        ]
        assert sorted(undo) == sorted(book.silences(CHANNEL, datetime.now(UTC)))
        assert len(undo) == 60
        back = watching_page(bot, pages[-1], "prev")
        assert back is not None
        assert back["blocks"] == first["blocks"]


def test_the_home_tab_pages_through_forty_five_watches(bot: Bot) -> None:
    bot.slack.members[USER] = [CHANNEL]
    labels = [f"{OOM.cluster}/svc-{n:02}" for n in range(45)]
    for label in labels:
        watch_in(bot, CHANNEL, label)
    bot.settle()
    view, shown, views = open_home(bot), "", 1
    while True:
        assert len(view["blocks"]) <= 100
        shown += text_of(view["blocks"])
        buttons = [
            element
            for block in view["blocks"]
            if block["type"] == "actions"
            for element in block["elements"]
            if element["action_id"] == f"{ACTION_HOME_PAGE['watches']}_next"
        ]
        if not buttons:
            break
        publishes = len(bot.slack.calls_to("views.publish"))
        click_in_home(bot, view, buttons[0])
        view = bot.slack.wait_for("views.publish", publishes + 1)[-1].body["view"]
        views += 1
    assert views == 3
    assert "Page 3 of 3" in text_of(view["blocks"])
    assert all(f"watches `{label}`" in shown for label in labels)
