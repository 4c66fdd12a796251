"""Caches AWS answers by how long they stay true, below every collector, through botocore hooks.

How long each answer is kept is declared with its read (`bot/aws/reads.py`): a stopped task or
a task-definition revision for a day, roles, routes and images for minutes, a service, its
tasks and target health for seconds. A cached answer short-circuits botocore's `before-call`,
so no request leaves at all.
"""

from __future__ import annotations

import hashlib
import json
import urllib.parse
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from botocore.client import BaseClient

from bot.aws.reads import IMMUTABLE, Read, iam_action, read_of
from bot.cache import Store, cache_key


class _CachedHttp:
    """Stands in for the HTTP response botocore expects beside a parsed answer."""

    status_code = 200
    headers: dict[str, str] = {}  # noqa: RUF012 - read-only by botocore


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, bytes):
        raise TypeError("binary answers are not cached")
    raise TypeError(type(value).__name__)


def _decode(item: dict[str, Any]) -> Any:
    if "__datetime__" in item and len(item) == 1:
        return datetime.fromisoformat(item["__datetime__"])
    return item


def _quote_policies(value: Any, shape: Any) -> Any:
    """IAM policy documents back in the URL-quoted form AWS sends them in: botocore decodes
    them after every call (`json_decode_policies`), an answer from this cache included."""
    if shape is None or not _holds_policy(shape):
        return value
    if shape.type_name == "structure" and isinstance(value, dict):
        members = shape.members
        return {k: _quote_policies(v, members.get(k)) for k, v in value.items()}
    if shape.type_name == "list" and isinstance(value, list):
        return [_quote_policies(item, shape.member) for item in value]
    if shape.name == "policyDocumentType" and not isinstance(value, str):
        return urllib.parse.quote(json.dumps(value))
    return value


@lru_cache(maxsize=1024)
def _holds_policy(shape: Any) -> bool:
    """Whether a value of `shape` can hold a policy document: most answers are not walked.
    (botocore makes each shape once per client, so its identity is a fair key.)"""
    return _reaches_policy(shape, frozenset())


def _reaches_policy(shape: Any, seen: frozenset[str]) -> bool:
    if shape.name == "policyDocumentType":
        return True
    if shape.name in seen:  # a shape that holds itself
        return False
    seen |= {shape.name}
    if shape.type_name == "structure":
        return any(_reaches_policy(member, seen) for member in shape.members.values())
    return shape.type_name == "list" and _reaches_policy(shape.member, seen)


class FactCache:
    """Installs the caching hooks on a client; `immutable_only` serves only what cannot change."""

    def __init__(
        self, store: Store, scope: Callable[[], str], *, immutable_only: bool = False
    ) -> None:
        self._store = store
        self._scope = scope
        self._immutable_only = immutable_only

    def install(self, client: BaseClient) -> None:
        # botocore's stubs type handlers as returning None; a before-call answer is documented.
        client.meta.events.register("before-call", self._before_call)  # type: ignore[arg-type]
        client.meta.events.register("after-call", self._after_call)

    def _key(self, model: Any, read: Read, params: dict[str, Any]) -> str:
        body = params.get("body")
        if read.window and isinstance(body, bytes | str):
            body = {k: v for k, v in json.loads(body).items() if k != read.window}
        request = json.dumps(
            [params.get("url_path"), params.get("query_string"), body],
            sort_keys=True,
            default=str,
        )
        digest = hashlib.sha256(request.encode()).hexdigest()[:32]
        # "facts", not "fact": that kind held answers in the form before this one (JSON alone),
        # which a replica of the other version must not read during a rolling deploy.
        return cache_key("facts", self._scope(), iam_action(model), digest)

    def _before_call(
        self, model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any
    ) -> tuple[_CachedHttp, dict[str, Any]] | None:
        read = read_of(model)
        if read is None or not read.ttl:
            return None
        key = self._key(model, read, params)
        context["ecs_why_fact_key"] = key
        if read.window:
            context["ecs_why_window_start"] = _start(read.window, params)
        raw = self._store.get(key)
        if raw is None:
            return None
        head, kept = raw.split(b"\n", 1)
        ttl, *start = map(int, head.split())
        if self._immutable_only and ttl < IMMUTABLE:
            return None  # not decoded: "Diagnose again" skips most answers
        if start and read.window and start[0] > _start(read.window, params):
            return None  # read from a later start: it may lack what is asked
        parsed = json.loads(kept, object_hook=_decode)
        context["ecs_why_from_cache"] = True
        return _CachedHttp(), parsed

    def _after_call(
        self,
        http_response: Any,
        parsed: dict[str, Any],
        model: Any,
        context: dict[str, Any],
        **_: Any,
    ) -> None:
        key = context.get("ecs_why_fact_key")
        read = read_of(model)
        if key is None or read is None or context.get("ecs_why_from_cache"):
            return
        if http_response.status_code >= 300:
            return
        answer = _quote_policies(
            {k: v for k, v in parsed.items() if k != "ResponseMetadata"}, model.output_shape
        )
        start = [context["ecs_why_window_start"]] if "ecs_why_window_start" in context else []
        ttl = read.ttl_of(parsed)
        try:
            body = json.dumps(answer, default=_encode)
        except TypeError:
            return
        # "TTL [START]" on a line of its own: what decides whether the answer is used is read
        # without decoding it.
        head = " ".join(str(number) for number in (ttl, *start))
        self._store.set(key, f"{head}\n{body}".encode(), ttl)


def _start(field: str, params: dict[str, Any]) -> int:
    body = params.get("body")
    request = json.loads(body) if isinstance(body, bytes | str) and body else {}
    return int(request.get(field, 0))
