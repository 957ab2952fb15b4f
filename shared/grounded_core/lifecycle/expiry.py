"""What DynamoDB's TTL removed, as the table's stream tells it."""

from __future__ import annotations

from typing import Any

from grounded_core.store import keys

#: who removes an item whose ``ttl`` passed (a user's delete carries no such identity)
TTL_SERVICE = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


def payload_keys(records: list[dict[str, Any]]) -> list[str]:
    """The S3 payloads of the stored traces TTL removed (the stream's filter sends only those; a
    record of anything else is ignored here too)."""
    found = []
    for record in records:
        if record.get("eventName") != "REMOVE" or record.get("userIdentity") != TTL_SERVICE:
            continue
        old = (record.get("dynamodb") or {}).get("OldImage") or {}
        if (old.get("SK") or {}).get("S") != keys.TRACE_SK:
            continue
        key = (old.get("payloadKey") or {}).get("S")
        if key:
            found.append(str(key))
    return found
