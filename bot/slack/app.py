"""The Slack app: built from Settings, served over Socket Mode (app token) or HTTP (waitress).

Nothing is built at import time; `serve` builds everything once and passes it down.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import io
import json
import logging
import re
import secrets
import signal
import sys
import threading
import time
import urllib.parse
from concurrent.futures import Executor, ThreadPoolExecutor
from types import FrameType
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.listener.listener_error_handler import CustomListenerErrorHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from waitress.server import create_server

from bot.aws.watch_queue import Queue
from bot.aws.watch_reads import Reader
from bot.cache import Deduplicator, Store, make_store
from bot.errors import EcsWhyError
from bot.service import Diagnoser
from bot.settings import Settings
from bot.slack.access import Access
from bot.slack.ratelimit import RateLimit
from bot.slack.socket_mode import OnceHandler
from bot.watch.acks import Acks
from bot.watch.follow import Follower, open_incidents
from bot.watch.queue import QueueFollower, QueueReader
from bot.watch.rules import ChannelRules
from bot.watch.watches import WatchBook
from handlers import actions, command, home, incidents, mention, shortcut, unfurl
from handlers.deps import Deps, Diagnoses
from handlers.incident_cards import Budget, CappedRateLimit, deliverer
from handlers.recent import Recent
from handlers.replies import SLACK_FAILURES, Conversation, Replies, Reply

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

    from waitress.server import BaseWSGIServer, MultiSocketServer

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
CLICK_WINDOW = 5.0  # seconds in which a second click on the same button is a double click
HTTP_THREADS = 16
MAX_BODY = 1 << 20  # Slack's payloads are a few kB; refuse more before verifying anything
# Slack signs "v0:{timestamp}:{body}" and refuses timestamps older than five minutes:
# https://docs.slack.dev/authentication/verifying-requests-from-slack
SIGNATURE_WINDOW = 300
TIMESTAMP = re.compile(r"[0-9]{1,12}")
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def _required(value: SecretStr | None, variable: str, meaning: str) -> str:
    if value is None or not value.get_secret_value():
        raise EcsWhyError(f"{variable} is not set: set it to {meaning}")
    return value.get_secret_value()


def diagnosis_pool(settings: Settings) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(settings.diagnosis_workers, thread_name_prefix="ecs-why-diagnosis")


def make_client(
    settings: Settings, *, timeout: float = 10, retries: list[RetryHandler] | None = None
) -> WebClient:
    """The Web API client: `SLACK_API_URL`, and retries on rate limits and dropped connections
    (unless `retries` says otherwise)."""
    token = _required(settings.slack_bot_token, "SLACK_BOT_TOKEN", "the app's bot token (xoxb-…)")
    base_url = str(settings.slack_api_url).rstrip("/") + "/"
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=timeout,  # type: ignore[arg-type]  # typed int; urllib takes any number
        # Retries sleep in the calling thread, which is always one of ours, never Bolt's.
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
        ]
        if retries is None
        else retries,
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
    app = App(
        name="ecs-why",
        client=client,
        signing_secret=signing_secret(settings),
        # auth.test runs on the first request instead of here: building talks to no network.
        token_verification_enabled=False,
        raise_error_for_unhandled_request=True,  # to `on_listener_error`, for one log line
    )
    dedup = Deduplicator(store)
    app.error(refuse_malformed)
    app.listener_runner.listener_error_handler = CustomListenerErrorHandler(
        app.logger, on_listener_error
    )
    deps = Deps(
        diagnoser=diagnoser,
        executor=executor or diagnosis_pool(settings),
        dedup=dedup,
        clicks=Deduplicator(store, ttl=CLICK_WINDOW),
        replies=Replies(client, store, slack_api_url=str(settings.slack_api_url)),
        access=access_of(settings),
        limit=RateLimit(
            store,
            per_user=settings.rate_limit_user,
            per_channel=settings.rate_limit_channel,
            free_per_user=settings.rate_limit_free,
            window=settings.rate_limit_window,
        ),
        account_ids=settings.account_ids(),
        watches=WatchBook(store, settings.accounts),
        recent=Recent(store),
        incidents=functools.partial(open_incidents, store, settings.events_log_group),
        acks=Acks(store),
    )
    for register in (
        command.register,
        mention.register,
        actions.register,
        incidents.register,
        shortcut.register,
        home.register,
        unfurl.register,
    ):
        register(app, deps)
    # Last: after the signature check and after command.reparse_form has read the body.
    app.middleware(lambda req, next_: refuse_replays(dedup, req, next_))
    return app


def access_of(settings: Settings) -> Access:
    return Access(settings.channels, settings.access_contact, settings.default_regions())


def make_follower(
    settings: Settings, diagnoser: Diagnoser, store: Store, client: WebClient, **options: Any
) -> Follower:
    """The watch follower (bot/watch/follow.py), within the channels' rules (what it says about
    them goes through `client`); `options` are the Follower's (`lease`…). Its cards go through a
    Slack client of its own whose every call, a capped Retry-After and one retry fit in its
    lease (`ECS_WHY_WATCH_LEASE`); no blind retry of a dropped connection: a post whose answer
    was lost is looked for first."""
    lease = float(options.pop("lease", settings.watch_lease))
    budget = Budget.within(lease)
    cards = make_client(settings, timeout=budget.timeout, retries=[CappedRateLimit(budget.wait)])
    queued = settings.watch_queue is not None
    reader = (QueueReader if queued else Reader)(settings, settings.events_log_group, store)
    deliver = deliverer(cards, diagnoser, budget, Acks(store))
    book = WatchBook(store, settings.accounts)
    replies = Replies(client, store, slack_api_url=str(settings.slack_api_url))
    rules = ChannelRules(
        access_of(settings).refusal,
        lambda channel, text: replies.post(Conversation(channel=channel), Reply(text)),
    )
    options = {
        "poll": settings.watch_poll,
        "diagnose": diagnoser.diagnose,
        "rules": rules,
        "lease": lease,
        **options,
    }
    if isinstance(reader, QueueReader):  # every replica takes from the queue (bot/watch/queue.py)
        if "queue" not in options:
            options["queue"] = Queue.from_settings(settings)
        return QueueFollower(store, book, reader, deliver, **options)
    return Follower(store, book, reader, deliver, **options)


def signing_secret(settings: Settings) -> str:
    """The secret HTTP requests are signed with; Socket Mode needs none, and gets a random one
    so that no HTTP request can pass."""
    if settings.slack_app_token is not None:
        return secrets.token_hex(32)
    return _required(
        settings.slack_signing_secret,
        "SLACK_SIGNING_SECRET",
        "the app's signing secret (or set SLACK_APP_TOKEN to use Socket Mode)",
    )


def refuse_replays(
    dedup: Deduplicator, req: BoltRequest, next_: Callable[[], BoltResponse]
) -> BoltResponse:
    """Runs after the signature check: a request seen before is acknowledged and dropped.

    A captured request stays validly signed for five minutes, and Bolt does not remember what
    it handled. Its signature is unique to its timestamp and body; its `trigger_id` (slash
    commands, buttons, shortcuts) is unique to the user's action, also over Socket Mode. Both
    are claimed in the shared store, so a replay to any replica is dropped."""
    signature = (req.headers.get("x-slack-signature") or [""])[0]
    trigger = req.body.get("trigger_id") if isinstance(req.body, dict) else None
    claims = [f"signature:{signature}"] if signature else []
    claims += [f"trigger:{trigger}"] if isinstance(trigger, str) and trigger else []
    # Every claim is made (not only up to the first seen), so each is remembered.
    if not all([dedup.first_time(claim) for claim in claims]):
        log.warning("dropped a replayed Slack request (%s)", claims[-1][:80])
        return BoltResponse(status=200, body="")
    return next_()


def refuse_malformed(error: Exception) -> BoltResponse:
    """Bolt's own parsing and listener matching index a request's fields unchecked: a signed
    request of an odd shape is a 400 and one log line, not a 500 and a traceback."""
    log.warning("refused a malformed Slack request (%s: %s)", type(error).__name__, error)
    return BoltResponse(status=400, body="not a Slack request")


def on_listener_error(error: Exception) -> None:
    """A signed request nothing here handles is one line (Bolt's own warning quotes the whole
    body over many); an error raised by one of our listeners keeps its traceback."""
    if isinstance(error, BoltUnhandledRequestError):
        log.warning("ignored a signed Slack request that no listener here handles")
    else:
        log.error("a Slack listener failed: %s", error, exc_info=error)


def wsgi(app: App, secret: str) -> WSGIApplication:
    """`POST /slack/events` to Bolt once its signature is good and it parses, `GET /healthz`,
    else 404. The signature is checked first, on the raw bytes: nothing an unsigned request
    sends is parsed."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def route(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == EVENTS_PATH and method == "POST":
            raw = environ["wsgi.input"].read(MAX_BODY + 1)
            environ["wsgi.input"] = io.BytesIO(raw)
            timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
            signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
            if not signed(raw, timestamp, signature, secret, now=time.time()):
                log.warning("refused a request with a missing, stale or wrong Slack signature")
                status, body = "401 Unauthorized", b"invalid signature"
            elif malformed(raw, environ.get("CONTENT_TYPE", "")):
                log.warning("refused a signed request whose body no Slack request has")
                status, body = "400 Bad Request", b"not a Slack request"
            else:
                return slack(environ, start_response)
        elif path == HEALTH_PATH and method == "GET":
            status, body = "200 OK", b"ok"
        else:
            status, body = "404 Not Found", b"not found"
        start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    return route


def signed(raw: bytes, timestamp: str, signature: str, secret: str, *, now: float) -> bool:
    """Whether Slack signed `raw` (its exact bytes) within the last five minutes."""
    if not (TIMESTAMP.fullmatch(timestamp) and SIGNATURE.fullmatch(signature)):
        return False
    if abs(now - int(timestamp)) > SIGNATURE_WINDOW:
        return False
    base = b"v0:" + timestamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def malformed(raw: bytes, content_type: str) -> bool:
    """True for a body no Slack request has, which Bolt would raise on before any listener."""
    try:
        text = raw.decode("utf-8")
        if content_type.startswith("application/json") or text.startswith("{"):
            payload = json.loads(text)
        else:
            form = urllib.parse.parse_qs(text, keep_blank_values=True)
            payload = json.loads(form["payload"][0]) if "payload" in form else {}
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: JSON nested deep
        return True
    if not isinstance(payload, dict):
        return True
    try:  # Bolt builds a request's context (channel, user, team) before any of our code runs
        BoltRequest(body=text, headers={"content-type": [content_type]})
    except Exception:  # noqa: BLE001 - whatever Bolt's parsing raises, the body is not Slack's
        return True
    # Fields Bolt and our listeners read without checking their type.
    if any(not isinstance(payload.get(k, {}), dict | str) for k in ("user", "channel", "team")):
        return True
    if not isinstance(payload.get("event", {}), dict):
        return True
    actions = payload.get("actions", [{}])
    return not (isinstance(actions, list) and actions and all(isinstance(a, dict) for a in actions))


def make_http_server(
    app: App, settings: Settings, *, host: str, port: int
) -> BaseWSGIServer | MultiSocketServer:
    """A production WSGI server (waitress) around the app, bound but not yet running.

    waitress reads requests asynchronously (a slow client holds a connection, not a thread) up
    to `http_connection_limit` connections, and closes one idle for `http_channel_timeout`
    seconds. A client that trickles bytes keeps its connection: a buffering proxy or load
    balancer in front is what stops that (README, Security)."""
    return create_server(
        wsgi(app, signing_secret(settings)),
        host=host,
        port=port,
        threads=HTTP_THREADS,
        max_request_body_size=MAX_BODY,
        connection_limit=settings.http_connection_limit,
        channel_timeout=settings.http_channel_timeout,
        cleanup_interval=max(1, min(30, settings.http_channel_timeout // 2)),
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
    if not settings.channels:
        log.warning(
            "ECS_WHY_CHANNELS is not set: every channel may query every account, region and "
            "cluster the bot can read (see README, Security)"
        )
    store = make_store(settings.redis_url)
    diagnoser = Diagnoser(settings, store)
    executor = diagnosis_pool(settings)
    signal.signal(signal.SIGTERM, _stop)
    follower: Follower | None = None
    try:
        app = build_app(settings, diagnoser, store, client=client, executor=executor)
        follower = make_follower(settings, diagnoser, store, client).start()
        if app_token is not None:
            handler = OnceHandler(app, app_token.get_secret_value(), store)
            handler.client.connect()
            print("ecs-why: connected to Slack in Socket Mode", file=sys.stderr)
            try:
                threading.Event().wait()
            finally:
                handler.client.close()
        else:
            server = make_http_server(app, settings, host="0.0.0.0", port=settings.port)  # noqa: S104 - in a container
            print(
                f"ecs-why: serving Slack on port {settings.port} at {EVENTS_PATH}", file=sys.stderr
            )
            server.run()
    finally:
        if follower is not None:
            follower.stop()
        executor.shutdown(wait=True)
        diagnoser.close()
