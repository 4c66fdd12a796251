"""The Slack app: built from Settings, served over Socket Mode (app token) or HTTP (waitress).

Nothing is built at import time; `serve` builds everything once and passes it down.
"""

from __future__ import annotations

import io
import json
import secrets
import signal
import sys
import threading
import urllib.parse
from concurrent.futures import Executor, ThreadPoolExecutor
from types import FrameType
from typing import TYPE_CHECKING

from pydantic import SecretStr
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from waitress.server import create_server

from bot.access import Access
from bot.cache import Deduplicator, Store, make_store
from bot.errors import EcsWhyError
from bot.follow import Follower, Reader
from bot.service import Diagnoser
from bot.settings import Settings
from bot.watches import WatchBook
from handlers import actions, command, incidents, mention, shortcut
from handlers.deps import Deps, Diagnoses
from handlers.replies import SLACK_FAILURES, Replies

if TYPE_CHECKING:
    from collections.abc import Iterable
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

    from waitress.server import BaseWSGIServer, MultiSocketServer

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
CLICK_WINDOW = 5.0  # seconds in which a second click on the same button is a double click
HTTP_THREADS = 16
MAX_BODY = 1 << 20  # Slack's payloads are a few kB; refuse more before verifying anything


def _required(value: SecretStr | None, variable: str, meaning: str) -> str:
    if value is None or not value.get_secret_value():
        raise EcsWhyError(f"{variable} is not set: set it to {meaning}")
    return value.get_secret_value()


def diagnosis_pool(settings: Settings) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(settings.diagnosis_workers, thread_name_prefix="ecs-why-diagnosis")


def make_client(settings: Settings) -> WebClient:
    """The Web API client: `SLACK_API_URL`, and retries on rate limits and dropped connections."""
    token = _required(settings.slack_bot_token, "SLACK_BOT_TOKEN", "the app's bot token (xoxb-…)")
    base_url = settings.slack_api_url.rstrip("/") + "/"
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=10,
        # Retries sleep in the calling thread, which is always one of ours, never Bolt's.
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
        ],
    )


def build_app(
    settings: Settings,
    diagnoser: Diagnoses,
    store: Store,
    *,
    client: WebClient | None = None,
    executor: Executor | None = None,
) -> App:
    """The Bolt app with every handler registered; `executor` runs diagnoses (default: a pool
    of `diagnosis_workers` threads)."""
    client = client or make_client(settings)
    if settings.slack_app_token is None:
        signing_secret = _required(
            settings.slack_signing_secret,
            "SLACK_SIGNING_SECRET",
            "the app's signing secret (or set SLACK_APP_TOKEN to use Socket Mode)",
        )
    else:  # Socket Mode needs no signature; a random secret makes sure no HTTP request passes
        signing_secret = secrets.token_hex(32)
    app = App(
        name="ecs-why",
        client=client,
        signing_secret=signing_secret,
        # auth.test runs on the first request instead of here: building talks to no network.
        token_verification_enabled=False,
    )
    deps = Deps(
        diagnoser=diagnoser,
        executor=executor or diagnosis_pool(settings),
        dedup=Deduplicator(store),
        clicks=Deduplicator(store, ttl=CLICK_WINDOW),
        replies=Replies(client, store),
        access=Access(settings.channels, settings.access_contact),
        watches=WatchBook(store, settings.accounts),
    )
    for register in (command.register, mention.register, actions.register):
        register(app, deps)
    incidents.register(app, deps)
    shortcut.register(app, deps)
    return app


def make_follower(
    settings: Settings, diagnoser: Diagnoser, store: Store, client: WebClient
) -> Follower:
    """The watch follower (bot/follow.py), delivering incident cards through `client`."""
    reader = Reader(settings, settings.events_log_group)
    deliver = incidents.deliverer(client, diagnoser)
    book = WatchBook(store, settings.accounts)
    return Follower(store, book, reader, deliver, poll=settings.watch_poll)


def wsgi(app: App) -> WSGIApplication:
    """`POST /slack/events` to Bolt (which verifies the signature), `GET /healthz`, else 404."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def route(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == EVENTS_PATH and method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(length) if length > 0 else b""
            environ["wsgi.input"] = io.BytesIO(raw)
            if not malformed(raw, environ.get("CONTENT_TYPE", "")):
                return slack(environ, start_response)
            status, body = "400 Bad Request", b"not a Slack request"
        elif path == HEALTH_PATH and method == "GET":
            status, body = "200 OK", b"ok"
        else:
            status, body = "404 Not Found", b"not found"
        start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    return route


def malformed(raw: bytes, content_type: str) -> bool:
    """True for a body no Slack request has: slack_bolt would raise on it (a 500 and a
    traceback, before it even checks the signature), so the edge answers 400 instead."""
    try:
        text = raw.decode("utf-8")
        if content_type.startswith("application/json"):
            payload = json.loads(text)
        else:
            form = urllib.parse.parse_qs(text, keep_blank_values=True)
            payload = json.loads(form["payload"][0]) if "payload" in form else {}
    except (UnicodeDecodeError, ValueError):
        return True
    if not isinstance(payload, dict):
        return True
    # Fields Bolt reads without checking their type.
    if any(not isinstance(payload.get(k, {}), dict | str) for k in ("user", "channel", "team")):
        return True
    if not isinstance(payload.get("event", {}), dict):
        return True
    actions = payload.get("actions", [{}])
    return not (isinstance(actions, list) and actions and all(isinstance(a, dict) for a in actions))


def make_http_server(app: App, *, host: str, port: int) -> BaseWSGIServer | MultiSocketServer:
    """A production WSGI server (waitress) around the app, bound but not yet running."""
    return create_server(
        wsgi(app),
        host=host,
        port=port,
        threads=HTTP_THREADS,
        max_request_body_size=MAX_BODY,
        ident="ecs-why",
    )


def _check_token(client: WebClient) -> None:
    try:
        client.auth_test()
    except SlackApiError as error:
        raise EcsWhyError(
            f"Slack refused SLACK_BOT_TOKEN ({error.response.get('error')}): check the token"
        ) from error
    except SLACK_FAILURES as error:
        raise EcsWhyError(f"cannot reach Slack at {client.base_url}: {error}") from error


def _stop(signum: int, frame: FrameType | None) -> None:
    # `docker stop` sends SIGTERM: leave the serving loop so running diagnoses can finish.
    raise SystemExit(0)


def serve(settings: Settings) -> None:
    """Runs the bot until stopped: Socket Mode when `SLACK_APP_TOKEN` is set, else HTTP."""
    client = make_client(settings)
    app_token = settings.slack_app_token
    if app_token is None:
        _required(settings.slack_signing_secret, "SLACK_SIGNING_SECRET", "the app's signing secret")
    _check_token(client)
    store = make_store(settings.redis_url)
    diagnoser = Diagnoser(settings, store)
    executor = diagnosis_pool(settings)
    signal.signal(signal.SIGTERM, _stop)
    follower: Follower | None = None
    try:
        app = build_app(settings, diagnoser, store, client=client, executor=executor)
        follower = make_follower(settings, diagnoser, store, client).start()
        if app_token is not None:
            handler = SocketModeHandler(app, app_token.get_secret_value())
            handler.client.connect()
            print("ecs-why: connected to Slack in Socket Mode", file=sys.stderr)
            try:
                threading.Event().wait()
            finally:
                handler.client.close()
        else:
            server = make_http_server(app, host="0.0.0.0", port=settings.port)  # noqa: S104 - in a container
            print(
                f"ecs-why: serving Slack on port {settings.port} at {EVENTS_PATH}", file=sys.stderr
            )
            server.run()
    finally:
        if follower is not None:
            follower.stop()
        executor.shutdown(wait=True)
        diagnoser.close()
