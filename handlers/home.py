"""The Home tab (`app_home_opened`, `views.publish`): the user's last diagnoses with a button
to run each again, and the watches and open incidents of the channels they are in, as far as
those channels' rules allow. Nothing of a channel the user is not in is shown."""

from __future__ import annotations

import json
import logging
from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App

from bot.model import Target
from bot.render.blocks import fallback_text, render_card
from bot.render.home import ACTION_HOME_PAGE, ACTION_HOME_RERUN, HomePages, home_view
from bot.render.pages import nav_actions
from bot.watch.watches import watch_label
from handlers.deps import Deps
from handlers.payload import as_object, as_text
from handlers.replies import Conversation, Reply

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    @app.event("app_home_opened")
    def on_home_opened(event: dict[str, Any]) -> None:
        user = as_text(event.get("user"))
        if event.get("tab") != "home" or not user:
            return
        if deps.spare(user) is not None:  # opened in a loop: the tab keeps its last view
            log.info("not publishing the Home tab of %s: past the rate limit", user)
            return
        deps.background("publishing a Home tab", lambda: publish(deps, user))

    app.action(ACTION_HOME_RERUN)(lambda ack, body: on_rerun(deps, ack, body))
    for action_id in (a for list_ in ACTION_HOME_PAGE.values() for a in nav_actions(list_)):
        app.action(action_id)(lambda ack, body: on_page(deps, ack, body))


def on_page(deps: Deps, ack: Ack, body: dict[str, Any]) -> None:
    """Previous and Next on a Home list: the tab again, showing that page (a free answer)."""
    ack()
    user = as_text(as_object(body.get("user")).get("id"))
    try:
        pages = HomePages.model_validate_json(body["actions"][0]["value"])
    except (KeyError, IndexError, TypeError, ValidationError):
        return
    if not user or deps.spare(user) is not None:
        return
    deps.background("paging a Home tab", lambda: publish(deps, user, pages))


def publish(deps: Deps, user: str, pages: HomePages | None = None) -> None:
    channels = deps.replies.channels_of(user)
    watches = [
        watch
        for watch in deps.watches.all()
        if watch.channel in channels and deps.access.refusal(watch.channel, watch.target) is None
    ]
    watched = [(watch.channel, watch_label(watch.target)) for watch in watches]
    asked = deps.recent.of(user) if deps.recent is not None else []
    deps.replies.home(user, home_view(asked, watched, deps.incidents(watches), pages))


def on_rerun(deps: Deps, ack: Ack, body: dict[str, Any]) -> None:
    """Diagnose again from Home: judged by the rules of the channel it was first asked in, the
    card sent to the user's messages with the app, then the Home tab refreshed."""
    ack()
    user = as_text(as_object(body.get("user")).get("id"))
    if not user:
        return
    try:
        target = Target.model_validate(json.loads(body["actions"][0]["value"])["target"])
    except (KeyError, IndexError, TypeError, ValueError):
        return
    recent = deps.recent.of(user) if deps.recent is not None else []
    asked = next((a for a in recent if a.target == target), None)
    if asked is None:  # gone from the user's list meanwhile: show the list as it is
        deps.background("refreshing a Home tab", lambda: publish(deps, user))
        return
    where = Conversation(channel=user, user=user)  # the app's messages tab with this user

    def deliver(diagnosis: Any) -> None:
        deps.replies.post(where, Reply(fallback_text(diagnosis), render_card(diagnosis)))
        publish(deps, user)

    deps.diagnose_then(
        deps.charge(deps.admit(asked.channel, target), user, fresh=True),
        deliver=deliver,
        tell=lambda message: deps.replies.post(where, Reply(message)),
        user=user,
    )
