"""Cursor pagination: ``?limit=`` (default 50, max 200) and an opaque ``?cursor=``.

A cursor is the DynamoDB ``LastEvaluatedKey`` of the previous page, base64url-encoded JSON. It
carries no authority: the store always combines it with a key built from the caller's org, so a
cursor forged from another org's keys positions nothing and DynamoDB rejects it.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from grounded_core.errors import BadRequest

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

T = TypeVar("T")


class PageRequest(BaseModel):
    limit: int = DEFAULT_LIMIT
    start_key: dict[str, Any] | None = None


class Page(BaseModel, Generic[T]):
    """``{"items": [...], "nextCursor": "…" | null}``."""

    model_config = ConfigDict(populate_by_name=True)

    items: list[T]
    next_cursor: str | None = Field(None, alias="nextCursor")


def encode_cursor(last_evaluated_key: dict[str, Any] | None) -> str | None:
    if not last_evaluated_key:
        return None
    raw = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True, default=str)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise BadRequest("The cursor is not one this API returned.", code="invalid_cursor") from None
    if not isinstance(decoded, dict) or not all(isinstance(value, str | int) for value in decoded.values()):
        raise BadRequest("The cursor is not one this API returned.", code="invalid_cursor")
    return decoded
