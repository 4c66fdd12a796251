"""Socket Mode, each envelope handled once: Slack sends an envelope again when its ack did not
arrive in time (a slow ack, a connection dropped before the ack got through), possibly on
another connection of another replica, and an event again under a new envelope when none of
its deliveries was acknowledged. The `envelope_id` (and an event's `event_id`) is claimed in
the shared store (Redis with several replicas) before the app sees it; a repeat is
acknowledged and dropped. So an envelope is handled at most once: one whose replica died
before answering is not handled again.
Reconnecting after a `disconnect` message or a dropped connection is slack_sdk's own."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.cache import Deduplicator, Store

log = logging.getLogger(__name__)

PING_INTERVAL = 2.0  # seconds between pings: a connection that died is replaced after 5 failed


class OnceHandler(SocketModeHandler):
    """Bolt's Socket Mode handler, handing each envelope to the app once."""

    def __init__(self, app: App, app_token: str, store: Store) -> None:
        super().__init__(app, app_token, ping_interval=PING_INTERVAL)
        self._seen = Deduplicator(store)

    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        claims = [f"envelope:{req.envelope_id}"]
        event_id = req.payload.get("event_id") if req.type == "events_api" else None
        claims += [f"event-envelope:{event_id}"] if isinstance(event_id, str) and event_id else []
        # Every claim is made (not only up to the first seen), so each is remembered.
        if not all([self._seen.first_time(claim) for claim in claims]):
            log.info("envelope %s was delivered again: acknowledged, not handled", req.envelope_id)
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        super().handle(client, req)
