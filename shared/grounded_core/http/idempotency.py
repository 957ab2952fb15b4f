"""``Idempotency-Key`` on creating requests (every ``POST``): for 24 hours the same key with the
same body answers the first response again, without doing the work twice; the same key with
another body is a 422; a request whose twin is still running is a 409. Keys are the caller's own
(scoped by org and credential), so nobody can replay another's answer.

A first request claims its key with a put-if-absent before it runs; its answer (status and body)
is kept when it succeeds or is refused (2xx and 4xx); after a 5xx the claim is released, so a retry
runs again. An answer that carries a secret shown once (a new API key, an invite's token) is never
kept: a repeat of such a request gets a 409 saying it was done — it is not done twice either.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import Headers
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from grounded_core.clock import iso, utc_now
from grounded_core.model import StoredModel
from grounded_core.store import table
from grounded_core.store.conditions import ConditionFailed, absent

HEADER = "idempotency-key"
#: routes whose answer holds a secret shown once: the answer is not kept, only that it was given
SECRET_ANSWERS = re.compile(r"^/api/(keys|keys/[^/]+/rotate|invites)/?$")
KEPT = timedelta(hours=24)
MAX_KEY_LENGTH = 255


class IdempotencyRecord(StoredModel):
    """A request made with an ``Idempotency-Key``, and its answer once it has one."""

    scope: str  # org and credential
    key: str
    request_hash: str
    state: str = "running"  # running | done
    status: int | None = None
    body: str | None = None
    created_at: str

    def keys(self) -> dict[str, str]:
        return {"PK": f"{self.scope}#IDEMPOTENCY#{self.key}", "SK": "IDEMPOTENCY"}


def _scope(request: Request) -> str | None:
    """The caller's org and credential, or ``None`` when it has none (the route will refuse it)."""
    from grounded_core.errors import GroundedError
    from grounded_core.http.access import principal_of

    try:
        principal = principal_of(request)
    except GroundedError:
        return None
    return f"ORG#{principal.org_id}#{principal.user_id or principal.key_id or principal.kind}"


def _error(status: int, message: str, code: str) -> Response:
    return Response(json.dumps({"error": message, "code": code}), status, media_type="application/json")


async def with_idempotency(request: Request, call_next: Any) -> Any:
    """Middleware body: replay, refuse or run-and-keep a ``POST`` that carries the header."""
    key = request.headers.get(HEADER)
    if request.method != "POST" or not key:
        return await call_next(request)
    if len(key) > MAX_KEY_LENGTH:
        return _error(400, f"An Idempotency-Key is at most {MAX_KEY_LENGTH} characters.", "invalid_idempotency_key")
    scope = _scope(request)
    if scope is None:
        return await call_next(request)
    body = await request.body()
    digest = hashlib.sha256(f"{request.method} {request.url.path}\n".encode() + body).hexdigest()
    now = utc_now()
    record = IdempotencyRecord(scope=scope, key=key, request_hash=digest, created_at=iso(now))
    try:
        table.put(record.to_item(ttl=int((now + KEPT).timestamp())), when=absent(), label="claim")
    except ConditionFailed as failed:
        return _answer_again(failed.item or table.get(*record.key_pair(), consistent=True) or {}, digest)
    try:
        response = await call_next(request)
    except Exception:
        table.delete(*record.key_pair())
        raise
    if response.status_code >= 500:
        table.delete(*record.key_pair())
        return response
    content = b"".join([chunk async for chunk in response.body_iterator])
    secret = response.status_code < 400 and SECRET_ANSWERS.match(request.url.path)  # errors hold none
    kept = None if secret else content.decode()
    table.update(*record.key_pair(), set={"state": "done", "status": response.status_code, "body": kept})
    return Response(content, response.status_code, headers=dict(response.headers))


class KeyedPosts:
    """ASGI middleware: a ``POST`` that carries the header goes through :func:`with_idempotency`
    (as Starlette's ``BaseHTTPMiddleware``, which buffers the answer to keep it); every other request
    goes straight on, without that middleware's task and stream (~0.2 ms of CPU each)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.keyed = BaseHTTPMiddleware(app, dispatch=with_idempotency)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and HEADER in Headers(scope=scope):
            await self.keyed(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _answer_again(item: dict[str, Any], digest: str) -> Response:
    if item.get("requestHash") != digest:
        return _error(
            422,
            "This Idempotency-Key was used with another request: use a new key for a new request.",
            "idempotency_key_reused",
        )
    if item.get("state") != "done":
        return _error(
            409, "A request with this Idempotency-Key is still running; retry shortly.", "idempotency_in_progress"
        )
    if item.get("body") is None:
        return _error(
            409,
            "This request was done; its answer held a secret that is shown only once, so it is not kept.",
            "idempotent_secret_not_kept",
        )
    return Response(
        str(item.get("body") or ""),
        int(item.get("status") or 200),
        media_type="application/json",
        headers={"idempotent-replayed": "true"},
    )
