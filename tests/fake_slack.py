"""A fake Slack for end-to-end tests, reached over real HTTP and WebSocket connections.

`FakeSlack` serves the Web API (`SLACK_API_URL`), `response_url`s and file uploads, records
every call, keeps the messages posted to channels (with their metadata, which
`conversations.history` returns with `include_all_metadata`), and answers like Slack does
(including `ok: false` errors, 429s and the 5-post limit of a response_url, when a test asks for
them). A fault may also let a call take effect and then answer late, or never.
`FakeSocketMode` is the WebSocket end of Socket Mode: the fake `apps.connections.open` hands out
its ws:// URL.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

BOT_TOKEN = "xoxb-0000-fake-bot-token"
APP_TOKEN = "xapp-1-fake-app-token"
BOT_USER = "U0ECSWHY"
TEAM = "T0FAKE"
RESPONSE_URL_POSTS = 5


@dataclass(frozen=True)
class Call:
    method: str  # a Web API method ("chat.postMessage"), "response_url" or "upload"
    body: dict[str, Any]
    path: str
    token: str | None = None
    at: float = field(default_factory=time.monotonic)  # when it arrived


@dataclass
class Fault:
    """How the next `times` calls of one method fail.

    `status`, `error` and `disconnect` refuse the call (it changes nothing); `then`, `delay` and
    `lose` let it take effect (a message is stored) and then run `then`, answer `delay`
    seconds late, or drop the connection without an answer."""

    status: int = 200
    error: str | None = None  # answered as {"ok": false, "error": error}
    retry_after: int | None = None
    disconnect: bool = False  # the connection drops before any answer
    times: int = 1
    then: Callable[[], None] | None = None
    delay: float = 0.0
    lose: bool = False

    @property
    def refuses(self) -> bool:
        return self.status != 200 or self.error is not None or self.disconnect


@dataclass
class _Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.members: dict[str, list[str]] = {}  # user → the channels users.conversations lists
        self.messages: dict[str, list[dict[str, Any]]] = {}  # channel → its messages, oldest first
        self.socket = FakeSocketMode()
        self._faults: dict[str, list[Fault]] = {}
        self._changed = threading.Condition()
        self._ts = itertools.count(1)
        self._response_posts: Counter[str] = Counter()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> FakeSlack:
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        self.socket.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.socket.stop()

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def new_response_url(self) -> str:
        return f"{self.base_url}/response/{uuid.uuid4().hex}"

    # ------------------------------------------------------------------ what tests ask

    def fail(self, method: str, **fault: Any) -> None:
        """Makes the next call(s) of `method` fail as `Fault(**fault)` says."""
        with self._changed:
            self._faults.setdefault(method, []).append(Fault(**fault))

    def calls_to(self, method: str, where: Callable[[Call], bool] | None = None) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.method == method and (where is None or where(c))]

    def wait_for(
        self,
        method: str,
        count: int = 1,
        *,
        where: Callable[[Call], bool] | None = None,
        timeout: float = 20.0,
    ) -> list[Call]:
        """The calls to `method` once there are `count` of them; fails saying what did arrive."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(found := self.calls_to(method, where)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(c.method, c.path) for c in self.calls]
                    raise AssertionError(f"expected {count} {method} call(s); Slack saw {seen}")
                self._changed.wait(left)
            return found

    def responses(self, url: str) -> list[dict[str, Any]]:
        """What was posted to one response_url, in order."""
        path = url.removeprefix(self.base_url)
        return [c.body for c in self.calls_to("response_url") if c.path == path]

    # ------------------------------------------------------------------ serving

    def _record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def _fault(self, method: str) -> Fault | None:
        with self._changed:
            faults = self._faults.get(method)
            if not faults:
                return None
            fault = faults[0]
            fault.times -= 1
            if fault.times <= 0:
                faults.pop(0)
            return fault

    def _answer(self, path: str, headers: dict[str, str], raw: bytes) -> _Answer | None:
        if path.startswith("/response/"):
            return self._response_url(path, raw)
        if path.startswith("/upload/"):
            self._record(Call("upload", {"content": raw.decode()}, path))
            return _Answer(200, f"OK - {len(raw)}".encode())
        method = path.removeprefix("/api/")
        body = _parse(headers.get("content-type", ""), raw)
        token = headers.get("authorization", "").removeprefix("Bearer ") or body.get("token")
        self._record(Call(method, body, path, token))
        fault = self._fault(method)
        if fault is not None and fault.refuses:
            if fault.disconnect:
                return None
            retry = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            error = fault.error or ("ratelimited" if fault.status == 429 else "fatal_error")
            return _Answer(fault.status, _json({"ok": False, "error": error}), retry)
        expected = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if token != expected:
            return _Answer(200, _json({"ok": False, "error": "invalid_auth"}))
        answer = _Answer(200, _json(self._web_api(method, body)))
        if fault is not None:
            if fault.then is not None:
                fault.then()
            time.sleep(fault.delay)
            if fault.lose:
                return None
        return answer

    def _response_url(self, path: str, raw: bytes) -> _Answer:
        self._record(Call("response_url", json.loads(raw or b"{}"), path))
        with self._changed:
            self._response_posts[path] += 1
            used = self._response_posts[path]
        if (fault := self._fault("response_url")) is not None:
            return _Answer(fault.status, (fault.error or "error").encode())
        if used > RESPONSE_URL_POSTS:
            return _Answer(404, b"used_url")
        return _Answer(200, b"ok")

    def _web_api(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        ts = f"{1700000000 + next(self._ts)}.000100"
        match method:
            case "auth.test":
                return {
                    "ok": True,
                    "url": "https://fake.slack.com/",
                    "team": "Fake",
                    "user": "ecs-why",
                    "team_id": TEAM,
                    "user_id": BOT_USER,
                    "bot_id": "B0ECSWHY",
                    "is_enterprise_install": False,
                }
            case "chat.postMessage":
                message = {k: body.get(k) for k in ("text", "blocks", "thread_ts")}
                self._store(body["channel"], {**message, "ts": ts}, body.get("metadata"))
                return {"ok": True, "channel": body["channel"], "ts": ts, "message": message}
            case "chat.update":
                self._edit(body["channel"], body["ts"], body)
                return {"ok": True, "channel": body["channel"], "ts": body["ts"]}
            case "conversations.history":
                return self._history(body)
            case "chat.postEphemeral":
                return {"ok": True, "message_ts": ts}
            case "files.getUploadURLExternal":
                file_id = f"F{next(self._ts):08d}"
                upload_url = f"{self.base_url}/upload/{file_id}"
                return {"ok": True, "upload_url": upload_url, "file_id": file_id}
            case "files.completeUploadExternal":
                return {"ok": True, "files": json.loads(body["files"])}
            case "views.publish":
                return {"ok": True, "view": {"id": f"V{next(self._ts):08d}", **body["view"]}}
            case "chat.unfurl":
                return {"ok": True}
            case "users.conversations":
                channels = [{"id": c} for c in self.members.get(str(body.get("user")), [])]
                return {"ok": True, "channels": channels, "response_metadata": {"next_cursor": ""}}
            case "apps.connections.open":
                return {"ok": True, "url": self.socket.url}
        return {"ok": False, "error": "unknown_method"}

    def _store(self, channel: str, message: dict[str, Any], metadata: Any) -> None:
        if isinstance(metadata, str):  # form-encoded calls send it as JSON text
            metadata = json.loads(metadata)
        with self._changed:
            kept = {**message, "metadata": metadata} if metadata else message
            self.messages.setdefault(channel, []).append(kept)

    def _edit(self, channel: str, ts: str, body: dict[str, Any]) -> None:
        with self._changed:
            for message in self.messages.get(channel, []):
                if message["ts"] == ts:
                    message.update({k: body[k] for k in ("text", "blocks") if k in body})

    def _history(self, body: dict[str, Any]) -> dict[str, Any]:
        """Newest first, `limit` a page, paged by `cursor`; metadata only when asked for."""
        limit, start = int(body.get("limit") or 100), int(body.get("cursor") or 0)
        metadata = str(body.get("include_all_metadata")).lower() in ("1", "true")
        with self._changed:
            newest = list(reversed(self.messages.get(str(body.get("channel")), [])))
        page = [
            m if metadata else {k: v for k, v in m.items() if k != "metadata"}
            for m in newest[start : start + limit]
        ]
        more = str(start + limit) if start + limit < len(newest) else ""
        return {"ok": True, "messages": page, "response_metadata": {"next_cursor": more}}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # conversations.history: the arguments in the query
                path, _, query = self.path.partition("?")
                headers = {k.lower(): v for k, v in self.headers.items()}
                headers["content-type"] = "application/x-www-form-urlencoded"
                self._send(fake._answer(path, headers, query.encode()))

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                self._send(fake._answer(self.path, headers, raw))

            def _send(self, answer: _Answer | None) -> None:
                if answer is None:
                    self.close_connection = True
                    return
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    kind = "application/json" if answer.body.startswith(b"{") else "text/plain"
                    self.send_header("Content-Type", f"{kind}; charset=utf-8")
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up waiting: as Slack sees it

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: the calls are recorded instead

        return Handler


def _parse(content_type: str, raw: bytes) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        parsed: dict[str, Any] = json.loads(raw)
        return parsed
    return dict(parse_qsl(raw.decode()))


def _json(value: dict[str, Any]) -> bytes:
    return json.dumps(value).encode()


class FakeSocketMode:
    """Slack's Socket Mode WebSocket server: sends envelopes, records what the app sends back."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self._connections: list[ServerConnection] = []
        self._changed = threading.Condition()
        self._server: Server | None = None
        self.url = ""

    def start(self) -> None:
        self._server = serve(self._session, "127.0.0.1", 0)
        self.url = f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/link/?ticket=fake"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()

    def _session(self, connection: ServerConnection) -> None:
        hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0FAKE"}}
        connection.send(json.dumps(hello))
        with self._changed:
            self._connections.append(connection)
            self._changed.notify_all()
        try:
            for message in connection:
                with self._changed:
                    self.received.append(json.loads(message))
                    self._changed.notify_all()
        except (ConnectionClosed, OSError):
            pass  # the app went away without a close frame, as clients may; or `drop`
        finally:
            with self._changed:
                if connection in self._connections:
                    self._connections.remove(connection)
                self._changed.notify_all()

    def send(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        timeout: float = 10.0,
        envelope_id: str | None = None,
        retry: int = 0,
        to: int = -1,
    ) -> str:
        """Sends an envelope to the newest connection (`to`: another, by the order they opened
        in); returns its envelope_id. `envelope_id`
        sends one again, as Slack does when the ack did not arrive in time (`retry`: how many
        times it did so already)."""
        envelope_id = envelope_id or uuid.uuid4().hex
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "accepts_response_payload": kind != "events_api",
            "payload": payload,
        }
        if retry:
            envelope |= {"retry_attempt": retry, "retry_reason": "timeout"}
        self.wait_for_connections(1 if to < 0 else to + 1, timeout=timeout)
        with self._changed:
            connection = self._connections[to]
        connection.send(json.dumps(envelope))
        return envelope_id

    def wait_for_connections(self, count: int, *, timeout: float = 10.0) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._connections) >= count, timeout):
                raise AssertionError("the app never connected to the Socket Mode server")

    def disconnect(self) -> None:
        """Asks the app to move to a new connection, as Slack does every few hours."""
        self.wait_for_connections(1)
        with self._changed:
            connections = list(self._connections)
        for connection in connections:
            connection.send(json.dumps({"type": "disconnect", "reason": "refresh_requested"}))

    def drop(self) -> None:
        """Drops every connection without a word, as a network failure does."""
        self.wait_for_connections(1)
        with self._changed:
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.socket.shutdown(socket.SHUT_RDWR)

    def wait_for_ack(self, envelope_id: str, *, timeout: float = 10.0) -> dict[str, Any]:
        def ack() -> dict[str, Any] | None:
            return next((m for m in self.received if m.get("envelope_id") == envelope_id), None)

        with self._changed:
            if not self._changed.wait_for(lambda: ack() is not None, timeout):
                raise AssertionError(f"envelope {envelope_id} was never acknowledged")
            found = ack()
            assert found is not None
            return found
