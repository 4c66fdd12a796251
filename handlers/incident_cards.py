"""Incident cards to Slack for the follower: posted once, then updated in place, and never a
Slack call that could outlive the follower's lease.

Slack has no idempotency key. A new card carries message metadata (`ecs_why_incident`, with the
incident key and the id the follower saved before posting); when a post's answer was lost (a
timeout, a crash right after Slack took it), the card is looked for in the channel's history
(`conversations.history`, scopes `channels:history` and `groups:history`) and updated instead
of posted again. What is left is a post sent while its sender was frozen past its lease and
that reaches Slack after the next holder looked: then a rare second card.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.errors import EcsWhyError
from bot.render.incident import incident_header, incident_text, render_incident_card
from bot.watch.acks import Acks
from bot.watch.incidents import Acknowledged, Card, Deliver, LeaseLeft
from handlers.deps import Diagnoses
from handlers.replies import SLACK_FAILURES

log = logging.getLogger(__name__)

EVENT_TYPE = "ecs_why_incident"
HISTORY_PAGES = 5  # pages of `HISTORY_PAGE` messages searched for a card whose answer was lost
HISTORY_PAGE = 200


@dataclass(frozen=True)
class Budget:
    """What one Slack call of the follower may take: its client's `timeout`, and the longest
    Retry-After it waits out before its one retry (`wait`); Slack asking for longer is waited
    out across polls instead. A call starts only with `needed` seconds of lease left."""

    timeout: float
    wait: float

    @classmethod
    def within(cls, lease: float) -> Budget:
        """A call, a wait and a retry in 80% of the lease."""
        return cls(timeout=0.3 * lease, wait=0.2 * lease)

    @property
    def needed(self) -> float:
        return 2 * self.timeout + self.wait


def retry_after(headers: dict[str, Any]) -> float:
    """Slack's Retry-After in seconds (1 when it gives none readable)."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            text = value[0] if isinstance(value, list) and value else value
            try:
                return max(0.0, float(text))
            except (TypeError, ValueError):
                break
    return 1.0


class CappedRateLimit(RateLimitErrorRetryHandler):
    """Waits out a 429 once, and only when Slack asks for at most `cap` seconds."""

    def __init__(self, cap: float) -> None:
        super().__init__(max_retry_count=1)
        self._cap = cap

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return (
            response is not None
            and response.status_code == 429
            and retry_after(response.headers) <= self._cap
        )

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        time.sleep(retry_after(response.headers) if response is not None else self._cap)
        state.increment_current_attempt()


@dataclass
class _Pause:
    """Until when Slack asked this process to make no call (a Retry-After above the cap)."""

    until: float = 0.0
    clock: Callable[[], float] = field(default=time.monotonic)

    def over(self) -> bool:
        return self.clock() >= self.until


def deliverer(
    client: WebClient, diagnoser: Diagnoses, budget: Budget, acks: Acks | None = None
) -> Deliver:
    """Posts or updates one incident card; its ts, or None when Slack did not take it (or no
    call could start: the lease too short, or Slack's Retry-After not over). Who acknowledged
    it in `acks` stays on the card through every update."""
    pause = _Pause()

    def deliver(card: Card, left: LeaseLeft) -> str | None:
        acked = acks.of(card.channel, card.incident.key) if acks is not None else None
        text, blocks = _message(card, diagnoser, acked)

        def may_call() -> bool:
            return pause.over() and left() > budget.needed

        try:
            return _send(client, card, text, blocks, may_call)
        except SLACK_FAILURES as error:
            if isinstance(error, SlackApiError) and error.response.status_code == 429:
                wait = retry_after(dict(error.response.headers))
                pause.until = pause.clock() + wait
                log.warning("Slack asked to wait %.0f s before posting %s", wait, card.incident.key)
            else:
                key, channel = card.incident.key, card.channel
                log.warning("delivering %s to %s failed: %s", key, channel, error)
        return None

    return deliver


def _message(
    card: Card, diagnoser: Diagnoses, acked: Acknowledged | None = None
) -> tuple[str, list[dict[str, Any]]]:
    try:
        # A recovered incident's card shows the service as it is now, not as cached.
        diagnosis = diagnoser.diagnose(card.target, fresh=card.incident.state == "recovered")
    except EcsWhyError as error:  # the card still says what happened, and why not more
        log.info("no diagnosis for the incident %s: %s", card.incident.key, error)
        return incident_text(card.incident), incident_header(
            card.incident, f"Could not diagnose it: {error}", acked
        )
    blocks = render_incident_card(card.incident, diagnosis, acked=acked)
    return incident_text(card.incident, diagnosis), blocks


def _send(
    client: WebClient,
    card: Card,
    text: str,
    blocks: list[dict[str, Any]],
    may_call: Callable[[], bool],
) -> str | None:
    ts = card.ts
    if ts is None and card.lost:
        if not may_call():
            return None
        ts = _find(client, card)
    if ts is not None:
        if not may_call():
            return None
        try:
            client.chat_update(channel=card.channel, ts=ts, text=text, blocks=blocks)
            return ts
        except SlackApiError as error:
            if error.response.get("error") != "message_not_found":
                raise
            log.info("the card of %s was deleted: posting a new one", card.incident.key)
    if not may_call():
        return None
    payload = {"incident": card.incident.key, "card": card.card_id or uuid.uuid4().hex}
    response = client.chat_postMessage(
        channel=card.channel,
        text=text,
        blocks=blocks,
        metadata={"event_type": EVENT_TYPE, "event_payload": payload},
    )
    posted = response.get("ts")
    return posted if isinstance(posted, str) else None


def _find(client: WebClient, card: Card) -> str | None:
    """The ts of the card posted under `card.card_id`, from the channel's recent history."""
    cursor = None
    for _ in range(HISTORY_PAGES):
        try:
            page = client.conversations_history(
                channel=card.channel, limit=HISTORY_PAGE, include_all_metadata=True, cursor=cursor
            )
        except SlackApiError as error:
            if error.response.status_code == 429:
                raise
            log.warning(
                "cannot look for the card of %s in %s (%s): posting it, maybe twice",
                card.incident.key,
                card.channel,
                error.response.get("error"),
            )
            return None
        for message in page.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == EVENT_TYPE and payload.get("card") == card.card_id:
                found = message.get("ts")
                return found if isinstance(found, str) else None
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None
    return None
