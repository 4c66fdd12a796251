"""Slack's side of a request to the bot: payloads signed exactly as Slack signs them, and the
real app served over real HTTP (waitress) in this process."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlencode

from slack_bolt import App
from waitress import wasyncore

from bot.settings import Settings
from bot.slack.app import EVENTS_PATH, make_http_server
from tests.fake_slack import TEAM

P = ParamSpec("P")
T = TypeVar("T")

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CHANNEL = "C0ONCALL"
USER = "U0HUMAN"


def sign(body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends: v0=HMAC-SHA256(secret, "v0:{timestamp}:{body}")."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


FORM = "application/x-www-form-urlencoded"


def slash_command(text: str, response_url: str) -> dict[str, str]:
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "team_domain": "fake",
        "channel_id": CHANNEL,
        "channel_name": "oncall",
        "user_id": USER,
        "user_name": "alex",
        "command": "/ecs-why",
        "text": text,
        "api_app_id": "A0FAKE",
        "response_url": response_url,
        "trigger_id": f"{uuid.uuid4().int % 10**12}.{uuid.uuid4().int % 10**12}.fake",
    }


def mention_event(text: str, *, ts: str, thread_ts: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "app_mention",
        "user": USER,
        "text": text,
        "ts": ts,
        "channel": CHANNEL,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "api_app_id": "A0FAKE",
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
    }


def block_action(action_id: str, message: dict[str, Any], *, response_url: str) -> dict[str, Any]:
    """A click on button `action_id` of a card that was posted as `message` (with its ts)."""
    button = next(
        element
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == action_id
    )
    return {
        "type": "block_actions",
        "user": {"id": USER, "username": "alex", "team_id": TEAM},
        "api_app_id": "A0FAKE",
        "team": {"id": TEAM, "domain": "fake"},
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": CHANNEL,
            "is_ephemeral": False,
        },
        "trigger_id": f"{uuid.uuid4().int % 10**12}.fake",
        "channel": {"id": CHANNEL, "name": "oncall"},
        "message": message,
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "ecs_why_actions",
                "text": button.get("text"),
                "value": button.get("value"),
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def form(fields: dict[str, str]) -> str:
    return urlencode(fields)


def interaction(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


@dataclass
class Response:
    status: int
    body: str
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


class BotClient:
    """Sends requests to a bot over HTTP, as Slack does."""

    def __init__(self, url: str) -> None:
        self.url = url

    def request(
        self,
        body: str,
        *,
        headers: dict[str, str] | None = None,
        content_type: str = FORM,
        path: str = EVENTS_PATH,
        method: str = "POST",
        timeout: float = 30,
    ) -> Response:
        request = urllib.request.Request(  # noqa: S310 - our local server
            self.url + path,
            data=body.encode() if method == "POST" else None,
            method=method,
            headers={"Content-Type": content_type, **(headers or {})},
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                body = response.read().decode()
                return Response(response.status, body, time.perf_counter() - started)
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read().decode(), time.perf_counter() - started)

    def signed(
        self, body: str, *, content_type: str = FORM, timeout: float = 30, **sign_args: Any
    ) -> Response:
        """POSTs `body` to /slack/events signed as Slack signs it."""
        return self.request(
            body, headers=sign(body, **sign_args), content_type=content_type, timeout=timeout
        )


class BotServer(BotClient):
    """The real app on waitress, on a free local port, in a background thread."""

    def __init__(self, app: App, settings: Settings) -> None:
        self._server = make_http_server(app, settings, host="127.0.0.1", port=0)
        super().__init__(f"http://127.0.0.1:{self._server.effective_port}")  # type: ignore[union-attr]
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> BotServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        # waitress stops when its socket map is empty. Empty it from inside its own loop (the
        # trigger runs a thunk there): closing sockets under a running select() raises EBADF.
        server = self._server
        try:
            server.trigger.pull_trigger(  # type: ignore[union-attr]
                lambda: wasyncore.close_all(server._map)  # type: ignore[union-attr]
            )
        except OSError:
            # Its trigger's pipe is already closed (seen twice in ~1,300 tests on a loaded
            # machine, cause not found): nothing can run in its loop; empty the map from here.
            wasyncore.close_all(server._map)  # type: ignore[union-attr]
        self._thread.join(timeout=5)
        server.task_dispatcher.shutdown()


class Settling(ThreadPoolExecutor):
    """A pool that can wait until all it ran, and all that started, has finished."""

    def __init__(self, workers: int, name: str = "settling") -> None:
        super().__init__(workers, thread_name_prefix=name)
        self._futures: list[Future[Any]] = []
        self._lock = threading.Lock()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._futures.append(future)
        return future

    def settle(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                self._futures = [f for f in self._futures if not f.done()]
                pending = list(self._futures)
            if not pending:
                return
            left = deadline - time.monotonic()
            assert left > 0, f"{len(pending)} jobs still running after {timeout}s"
            wait(pending, timeout=left)
