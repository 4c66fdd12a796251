"""Watches under rules that changed since they were made, and events that are about another
region than their archive's: the real bot over HTTP, the real follower as `serve` makes it, the
fake Slack, the emulator's archive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.demo.archive_events import task_stopped
from bot.demo.traffic import EmulatorServer
from bot.model import Target
from bot.watch.watches import WatchBook
from tests.e2e.test_http_mode import slash
from tests.e2e.test_watches import CRASH, OOM, cards, showing, watch, watching
from tests.fake_slack import FakeSlack
from tests.harness import CHANNEL

OTHER = "C0PLATFORM"  # a channel whose rules still allow the cluster


def said_in(slack: FakeSlack, channel: str, what: str) -> list[str]:
    return [
        c.body["text"]
        for c in slack.calls_to("chat.postMessage", where=lambda c: c.body["channel"] == channel)
        if what in c.body["text"]
    ]


def test_a_watch_the_rules_no_longer_allow_stops_and_says_so_once(
    slack: FakeSlack, demo_account: EmulatorServer
) -> None:
    rules = {CHANNEL: ["staging:*"], OTHER: ["*"]}
    with watching(slack, demo_account, channels=rules) as setup:
        # Made under wider rules, before a restart narrowed them: the store still holds them.
        book = WatchBook(setup.store)
        book.add(CHANNEL, Target(cluster=OOM.cluster))
        book.add(OTHER, Target(cluster=OOM.cluster))
        (told,) = slack.wait_for(
            "chat.postMessage",
            where=lambda c: c.body["channel"] == CHANNEL and "no longer watches" in c.body["text"],
        )
        assert f"`{OOM.cluster}/*`" in told.body["text"]
        assert "may not query" in told.body["text"]
        assert "staging:*" in told.body["text"]  # the channel's own rules, nothing else
        setup.stop(OOM)
        card = showing(slack, OOM, "1 stop", "chat.postMessage")
        assert card.body["channel"] == OTHER  # the other channel's watch goes on
        for n in range(2, 4):  # several polls later…
            setup.stop(OOM)
            showing(slack, OOM, f"{n} stops")
        assert [c.body["channel"] for c in cards(slack, OOM)] == [OTHER]
        assert len(said_in(slack, CHANNEL, "no longer watches")) == 1  # …said once
        _, listing = slash(setup.bot, "watching")
        assert "watches nothing" in listing["text"]


def test_unwatch_always_takes_back_the_channels_own_watch(
    slack: FakeSlack, demo_account: EmulatorServer
) -> None:
    with watching(slack, demo_account, channels={CHANNEL: ["staging:*"]}, followers=0) as setup:
        WatchBook(setup.store).add(CHANNEL, Target(cluster=OOM.cluster, service=OOM.service))
        _, ack = slash(setup.bot, f"unwatch {OOM.cluster}/{OOM.service}")
        assert ack["response_type"] == "in_channel"
        assert "no longer watches" in ack["text"]
        assert WatchBook(setup.store).of(CHANNEL) == []
        # What it does not watch, it still may not ask about.
        _, again = slash(setup.bot, f"unwatch {OOM.cluster}/{OOM.service}")
        assert again["response_type"] == "ephemeral"
        assert "may not query" in again["text"]


def test_an_event_of_another_region_in_this_archive_gives_no_card_about_that_region(
    slack: FakeSlack, demo_account: EmulatorServer
) -> None:
    with watching(slack, demo_account, channels={CHANNEL: ["*@us-east-1"]}) as setup:
        assert "now watches" in watch(setup.bot, f"{OOM.cluster}/*")["text"]
        now = datetime.now(UTC)
        elsewhere = task_stopped(
            cluster=OOM.cluster, service=OOM.service, at=now, region="eu-west-1"
        )
        # Its envelope claims this archive's region; its ARNs say what it is about.
        elsewhere["region"] = "us-east-1"
        setup.put(elsewhere)
        setup.put(
            task_stopped(
                cluster=CRASH.cluster, service=CRASH.service, at=now + timedelta(seconds=1)
            )
        )
        showing(slack, CRASH, "1 stop", "chat.postMessage")  # the later event was handled…
        assert cards(slack, OOM) == []  # …and the eu-west-1 one gave no card at all
        texts = [c.body.get("text", "") for c in slack.calls if c.method.startswith("chat.")]
        assert not any("eu-west-1" in text for text in texts)
