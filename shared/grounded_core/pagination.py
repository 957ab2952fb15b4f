"""Cursor pagination: ``?limit=`` (default 50, max 200) and an opaque ``?cursor=``.

A cursor is the DynamoDB ``LastEvaluatedKey`` of the previous page, sealed (AES-GCM, with a key
from the stack's cursor secret) and bound to the partition it pages through: a client can neither
read it (an API key list's cursor would otherwise carry the key's hash) nor change it, and a cursor
replayed on another list or from another org does not open — all of these are 400 ``invalid_cursor``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from grounded_core.errors import BadRequest

NONCE_BYTES = 12
DEFAULT_LIMIT = 50
MAX_LIMIT = 200

T = TypeVar("T")


class PageRequest(BaseModel):
    """A list request's page. Built on first use, as ``Page`` is: only list routes use it."""

    model_config = ConfigDict(defer_build=True)

    limit: int = DEFAULT_LIMIT
    #: as the client sent it; opened by the listing, which knows the partition it is bound to
    cursor: str | None = None


class Page(BaseModel, Generic[T]):
    """``{"items": [...], "nextCursor": "…" | null}``.

    Built on first use (``defer_build``), as ``ApiModel``s are: each ``Page[X]`` a list route
    declares would otherwise build ``X`` whole, and FastAPI its response adapter, as the function is
    imported — for every list route of the function, where a request uses one."""

    model_config = ConfigDict(populate_by_name=True, defer_build=True)

    items: list[T]
    next_cursor: str | None = Field(None, alias="nextCursor")


def encode_cursor(last_evaluated_key: dict[str, Any] | None, bound_to: str, key: bytes | None = None) -> str | None:
    """The cursor for the page after ``last_evaluated_key`` of the list ``bound_to`` names."""
    if not last_evaluated_key:
        return None
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    raw = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True, default=str).encode()
    nonce = os.urandom(NONCE_BYTES)
    sealed = nonce + AESGCM(key or _cursor_key()).encrypt(nonce, raw, bound_to.encode())
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def decode_cursor(cursor: str | None, bound_to: str, key: bytes | None = None) -> dict[str, Any] | None:
    """The ``LastEvaluatedKey`` a cursor of the list ``bound_to`` carries; anything else is a 400."""
    if not cursor:
        return None
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        sealed = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        raw = AESGCM(key or _cursor_key()).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], bound_to.encode())
        decoded = json.loads(raw)
    except (binascii.Error, ValueError, InvalidTag):
        raise BadRequest("The cursor is not one this list returned.", code="invalid_cursor") from None
    if not isinstance(decoded, dict) or not all(isinstance(value, str) for value in decoded.values()):
        raise BadRequest("The cursor is not one this list returned.", code="invalid_cursor")
    return decoded


def _cursor_key() -> bytes:
    from grounded_core.adapters import cursor_secret

    return hashlib.sha256(b"grounded-cursor:" + cursor_secret().encode()).digest()
