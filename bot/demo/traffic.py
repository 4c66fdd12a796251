"""Watches the requests that reach the emulator: counts them by operation, can slow them down,
and can answer them as AWS does when it throttles or refuses.

The demo reports how many AWS requests each diagnosis cost; the benchmarks add a fixed latency
to every request to measure how many round trips a diagnosis waits for one after another; the
fault tests make AWS throttle a share of requests or deny a service, in each protocol's own
error shape, so the real botocore parsing and retry code runs.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal
from xml.sax.saxutils import escape

from botocore.loaders import Loader
from botocore.model import ServiceModel

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_SCOPE = re.compile(r"Credential=[^/]+/\d+/[^/]+/([^/]+)/aws4_request")
# Who signed a request, and for which region: `Credential=KEY/DATE/REGION/SERVICE/aws4_request`.
CREDENTIAL = re.compile(r"Credential=(?P<key>[^/]+)/\d+/(?P<region>[^/]+)/")


# Services whose API is REST (the operation is in the method and path), by signing name.
REST_SERVICES = {"elasticfilesystem": "efs"}


@cache
def _rest_routes(service: str) -> tuple[tuple[str, re.Pattern[str], str], ...]:
    """(method, path pattern, operation) of every operation, from botocore's service model."""
    model = ServiceModel(Loader().load_service_model(service, "service-2"))
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        path = http["requestUri"].partition("?")[0]
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path))
        routes.append((http["method"], re.compile(pattern + "/?"), name))
    return tuple(routes)


def operation_of(environ: dict[str, Any], body: bytes) -> str:
    """`service:Operation` of a signed AWS request, as IAM names it."""
    scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    service = scope.group(1) if scope else "?"
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return f"{service}:{target.rsplit('.', 1)[-1]}"
    if service in REST_SERVICES:
        method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
        for route_method, pattern, name in _rest_routes(REST_SERVICES[service]):
            if route_method == method and pattern.fullmatch(path):
                return f"{service}:{name}"
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
    action = (form.get("Action") or query.get("Action") or ["?"])[0]
    return f"{service}:{action}"


Protocol = Literal["json", "query", "ec2"]

# What AWS answers, by protocol. ECR throttles with its own code, which botocore does not know.
THROTTLE_CODES: dict[Protocol, str] = {
    "json": "ThrottlingException",
    "query": "Throttling",
    "ec2": "RequestLimitExceeded",
}
DENY_CODES: dict[Protocol, str] = {
    "json": "AccessDeniedException",
    "query": "AccessDenied",
    "ec2": "UnauthorizedOperation",
}
_CALLER = "arn:aws:sts::123456789012:assumed-role/ecs-why/bot"


Fault = Literal["throttle", "deny", "fail"]


@dataclass(frozen=True)
class Faults:
    """What the emulator answers instead of the real thing; the default is no fault at all.

    `throttle` is the share of requests answered as throttled. Whether a request is throttled
    depends only on `seed`, the request itself and how often it was sent, never on timing, and
    the same request is throttled at most `max_in_a_row` times in a row (throttling clears, as
    AWS's does, so a client that retries gets through); `throttle_only`, when set, names the
    services or operations it applies to. `deny` names services ("iam") or operations
    ("iam:GetRole") refused on every request, as a policy without them would; `fail` names
    those answered with an internal error (HTTP 500), as any AWS API now and then does.
    """

    throttle: float = 0.0
    throttle_only: frozenset[str] = frozenset()
    deny: frozenset[str] = frozenset()
    fail: frozenset[str] = frozenset()
    seed: int = 0
    max_in_a_row: int = 2


def protocol_of(environ: dict[str, Any], operation: str) -> Protocol:
    """The wire protocol of a request: JSON (ECS, logs, ECR, EFS), EC2's query, or query."""
    if environ.get("HTTP_X_AMZ_TARGET") or operation.partition(":")[0] in REST_SERVICES:
        return "json"
    return "ec2" if operation.startswith("ec2:") else "query"


def error_response(
    protocol: Protocol, code: str, message: str, status: int
) -> tuple[str, list[tuple[str, str]], bytes]:
    """An AWS error as the protocol sends it: status line, headers and body."""
    request_id = str(uuid.uuid4())
    if protocol == "json":
        body = json.dumps({"__type": code, "message": message}).encode()
        headers = [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("x-amzn-ErrorType", code),
            ("x-amzn-RequestId", request_id),
        ]
    elif protocol == "ec2":
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>{code}</Code>'
            f"<Message>{escape(message)}</Message></Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>"
        ).encode()
        headers = [("Content-Type", "text/xml;charset=UTF-8")]
    else:
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
            f"<Message>{escape(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
    reason = {400: "Bad Request", 403: "Forbidden", 500: "Internal Server Error"}[status]
    return f"{status} {reason}", [*headers, ("Content-Length", str(len(body)))], body


def _chance(*parts: object) -> float:
    """A number in [0, 1) that depends only on `parts`."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class Traffic:
    """WSGI middleware: every AWS request is counted and, if asked, delayed by `latency` s or
    answered with a fault (see `Faults` and `inject`)."""

    def __init__(self, app: WsgiApp, latency: float = 0.0) -> None:
        self.app = app
        self.latency = latency
        self._counts: Counter[str] = Counter()
        self._requests: Counter[tuple[str, str]] = Counter()
        self._faults = Faults()
        self._in_a_row: Counter[tuple[str, str]] = Counter()
        self._injected: Counter[tuple[str, str]] = Counter()
        self._callers: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO", "").startswith("/moto-api"):
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        operation = operation_of(environ, body)
        request = hashlib.sha256(
            b"\0".join([environ.get("QUERY_STRING", "").encode(), body])
        ).hexdigest()
        caller = CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
        with self._lock:
            self._counts[operation] += 1
            self._callers[(caller["key"], caller["region"]) if caller else ("-", "-")] += 1
            self._requests[(operation, request)] += 1
            fault = self._fault(operation, request)
        if self.latency:
            time.sleep(self.latency)
        if fault is None:
            return self.app(environ, start_response)
        status, headers, answer = self._answer(fault, protocol_of(environ, operation), operation)
        start_response(status, headers)
        return [answer]

    def _fault(self, operation: str, request: str) -> Fault | None:
        """Which fault answers this request, if any; called with the lock held."""
        faults, key = self._faults, (operation, request)
        names = {operation, operation.partition(":")[0]}
        if names & faults.deny:
            return "deny"
        if names & faults.fail:
            return "fail"
        if faults.throttle_only and not names & faults.throttle_only:
            return None
        if not faults.throttle or self._in_a_row[key] >= faults.max_in_a_row:
            self._in_a_row[key] = 0
            return None
        if _chance(faults.seed, operation, request, self._requests[key]) < faults.throttle:
            self._in_a_row[key] += 1
            return "throttle"
        self._in_a_row[key] = 0
        return None

    def _answer(
        self, fault: Fault, protocol: Protocol, operation: str
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        if fault == "deny":
            code, status = DENY_CODES[protocol], 400 if protocol == "json" else 403
            message = (
                f"User: {_CALLER} is not authorized to perform: {operation} because no "
                f"identity-based policy allows the {operation} action"
            )
        elif fault == "fail":
            code, status, message = "InternalFailure", 500, "We encountered an internal error."
        else:
            code, status, message = THROTTLE_CODES[protocol], 400, "Rate exceeded"
            if operation.startswith("ecr:"):
                code = "ThrottleException"
        with self._lock:
            self._injected[(operation, code)] += 1
        return error_response(protocol, code, message, status)

    @contextmanager
    def inject(self, faults: Faults) -> Iterator[None]:
        """Answer with `faults` inside the block; requests are normal again after it."""
        with self._lock:
            self._faults = faults
            self._in_a_row.clear()
        try:
            yield
        finally:
            with self._lock:
                self._faults = Faults()

    def injected(self) -> Counter[tuple[str, str]]:
        """How many times each (operation, error code) was answered instead of the emulator."""
        with self._lock:
            return Counter(self._injected)

    def counts(self) -> Counter[str]:
        with self._lock:
            return Counter(self._counts)

    def callers(self) -> Counter[tuple[str, str]]:
        """Requests by the (access key id, region) that signed them (moto: key → account)."""
        with self._lock:
            return Counter(self._callers)

    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())

    def repeats(self) -> list[str]:
        """Operations sent more than once with exactly the same parameters."""
        with self._lock:
            return sorted({op for (op, _), n in self._requests.items() if n > 1})

    def reset(self) -> None:
        """Forget every request counted and fault injected (faults in force stay in force)."""
        with self._lock:
            self._counts.clear()
            self._callers.clear()
            self._requests.clear()
            self._in_a_row.clear()
            self._injected.clear()


class EmulatorServer:
    """moto's AWS emulator on a free local port, behind `Traffic`, with the ECS service
    deployments API it lacks (`bot.demo.deployments_api`)."""

    def __init__(self, latency: float = 0.0) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import WSGIRequestHandler, make_server

        from bot.demo.deployments_api import DeploymentsApi

        class QuietHandler(WSGIRequestHandler):
            def log_request(self, *args: Any, **kwargs: Any) -> None:
                pass

        moto = DomainDispatcherApplication(create_backend_app)
        self.traffic = Traffic(DeploymentsApi(moto), latency)  # what moto lacks, answered too
        self._server = make_server(
            "127.0.0.1", 0, self.traffic, threaded=True, request_handler=QuietHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> EmulatorServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join()
