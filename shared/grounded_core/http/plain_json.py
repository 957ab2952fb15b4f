"""JSON sent as ``text/plain``, read as JSON on the routes that accept it.

A browser's ``navigator.sendBeacon`` cannot set headers, and across origins it may only send a
CORS-safelisted content type without a preflight — so the browser SDK sends its JSON as
``text/plain``. On the routes named here such a body is parsed as JSON, exactly as
``application/json`` is (a body that is not JSON is the usual 400 ``malformed_json``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

PLAIN = b"text/plain"


class PlainTextJson:
    """ASGI middleware: on ``paths``, a ``text/plain`` body is declared ``application/json``."""

    def __init__(self, app: Any, paths: Iterable[str]) -> None:
        self.app = app
        self.paths = frozenset(paths)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") == "http" and scope.get("path") in self.paths:
            scope = {**scope, "headers": [_as_json(name, value) for name, value in scope.get("headers", [])]}
        await self.app(scope, receive, send)


def _as_json(name: bytes, value: bytes) -> tuple[bytes, bytes]:
    if name.lower() == b"content-type" and value.split(b";", 1)[0].strip().lower() == PLAIN:
        return name, b"application/json"
    return name, value
