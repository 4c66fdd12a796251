"""manifest.yml declares exactly what the bot uses: its command, its event, interactivity,
Socket Mode, and the scopes of the Web API methods it calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from handlers.command import COMMAND

MANIFEST = Path(__file__).parents[2] / "manifest.yml"

# Every Web API method the bot calls (handlers/replies.py) and the bot scope it needs.
METHOD_SCOPES = {
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.postEphemeral": "chat:write",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
    "chat.unfurl": "links:write",
    "users.conversations": "channels:read",
    "conversations.history": "channels:history",
}
# users.conversations lists private channels with groups:read, conversations.history reads them
# with groups:history; link_shared needs links:read.
EXTRA_SCOPES = {"groups:read", "groups:history", "links:read"}


def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(MANIFEST.read_text())
    return loaded


def test_the_manifest_declares_the_command_the_event_and_interactivity() -> None:
    app = manifest()
    assert app["_metadata"]["major_version"] == 2
    assert app["display_information"]["name"] == "ecs-why"
    (command,) = app["features"]["slash_commands"]
    assert command["command"] == COMMAND
    assert command["usage_hint"]
    assert len(command["description"]) <= 100
    events = app["settings"]["event_subscriptions"]["bot_events"]
    assert events == ["app_mention", "app_home_opened", "link_shared"]
    assert app["features"]["app_home"]["home_tab_enabled"] is True
    assert app["features"]["unfurl_domains"] == ["console.aws.amazon.com"]
    assert app["settings"]["interactivity"]["is_enabled"] is True
    assert app["settings"]["socket_mode_enabled"] is True


def test_the_manifest_asks_for_the_minimum_scopes() -> None:
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    # commands: the slash command; app_mentions:read: the app_mention event.
    assert scopes == {"commands", "app_mentions:read", *METHOD_SCOPES.values(), *EXTRA_SCOPES}


def test_the_manifest_declares_the_message_shortcut_and_no_scope_for_it() -> None:
    from handlers.shortcut import CALLBACK_ID

    (shortcut,) = manifest()["features"]["shortcuts"]
    assert (shortcut["type"], shortcut["callback_id"]) == ("message", CALLBACK_ID)
    assert len(shortcut["name"]) <= 24
    assert len(shortcut["description"]) <= 80
