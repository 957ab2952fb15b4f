"""What DynamoDB's TTL removed, as the table's stream tells it."""

from __future__ import annotations

from typing import Any

from grounded_core.store import keys

#: who removes an item whose ``ttl`` passed (a user's delete carries no such identity)
TTL_SERVICE = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


def _removed(records: list[dict[str, Any]], sort_key: str) -> list[dict[str, Any]]:
    """The old images of the items with ``sort_key`` that TTL removed (the stream's filter sends
    only stored traces and sessions; a record of anything else is ignored here too)."""
    found = []
    for record in records:
        if record.get("eventName") != "REMOVE" or record.get("userIdentity") != TTL_SERVICE:
            continue
        old = (record.get("dynamodb") or {}).get("OldImage") or {}
        if (old.get("SK") or {}).get("S") == sort_key:
            found.append(old)
    return found


def payload_keys(records: list[dict[str, Any]]) -> list[str]:
    """The S3 payloads of the stored traces TTL removed."""
    removed = ((old.get("payloadKey") or {}).get("S") for old in _removed(records, keys.TRACE_SK))
    return [str(key) for key in removed if key]


def listing_entries(records: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The listing entries of the sessions TTL removed: an entry has no expiry of its own, so
    that a session seen later never leaves the listings before it goes."""
    return [(str(old["PK"]["S"]), keys.LISTED_SK) for old in _removed(records, keys.SESSION_SK)]
