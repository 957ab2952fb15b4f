"""Erasing stored content: whole partitions, and traces with their payloads in S3."""

from __future__ import annotations

from collections.abc import Iterable

from grounded_core import adapters
from grounded_core.sessions.store import erase_session_items, legacy_session_traces
from grounded_core.store import keys, table


def erase_partition(pk: str, anchor_sk: str | None = None) -> int:
    """Delete every item of a partition — ``anchor_sk`` (the item that lists it elsewhere) last,
    so an erasure cut short can always be found and finished. The number of items deleted."""
    items = table.query_all(pk, consistent=True)
    doomed = [(item["PK"], item["SK"]) for item in items if item["SK"] != anchor_sk]
    table.batch_delete(doomed)
    anchors = [(item["PK"], item["SK"]) for item in items if item["SK"] == anchor_sk]
    table.batch_delete(anchors)
    return len(items)


def erase_traces(org_id: str, trace_ids: Iterable[str]) -> int:
    """Every item of each trace (stored trace, markers, received OTLP spans and state) and its
    payload in S3; the number of items deleted."""
    deleted = 0
    for trace_id in trace_ids:
        pk = keys.trace(org_id, trace_id)
        stored = table.get(pk, keys.TRACE_SK, consistent=True)
        if stored and stored.get("payloadKey"):
            adapters.delete_objects([stored["payloadKey"]])
        deleted += erase_partition(pk, keys.TRACE_SK)
    return deleted


def session_trace_ids(org_id: str, session_id: str) -> list[str]:
    """The session's traces: their items in its partition, and (normalized by an older version)
    their index entries."""
    placed = table.query_all(keys.session(org_id, session_id), keys.TRACE_IN_SESSION_PREFIX, consistent=True)
    linked = legacy_session_traces(org_id, session_id)
    return list(dict.fromkeys(str(item["id"]) for item in [*placed, *linked]))


def erase_session(org_id: str, session_id: str) -> int:
    """The session and everything attached: its traces (items, received spans, payloads), turns,
    events and stitch keys; the number of items deleted."""
    deleted = erase_traces(org_id, session_trace_ids(org_id, session_id))
    return deleted + erase_session_items(org_id, session_id)
