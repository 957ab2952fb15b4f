"""Reading traces back: one by id (large fields loaded from S3), or a filtered list. A trace's
normalization is its ``APPLIED`` marker's once it was applied (the stored trace is not written
again), read with it."""

from __future__ import annotations

from typing import Any

from grounded_core.errors import NotFound
from grounded_core.identity.principal import Principal
from grounded_core.ingest.models import TraceView
from grounded_core.ingest.payloads import payloads_joined
from grounded_core.pagination import Page, PageRequest
from grounded_core.pricing.cost import usd
from grounded_core.store import keys, table
from grounded_core.store.conditions import matching
from grounded_core.store.listing import newest_across, newest_between

INTERNAL = keys.STORAGE_ATTRIBUTES | {"orgId", "payloadKey"}


def trace_view(item: dict[str, Any], marker: dict[str, Any] | None, with_payloads: bool) -> TraceView:
    """The trace as shown; ``marker``: its ``APPLIED`` marker, if it was applied."""
    body = {key: value for key, value in item.items() if key not in INTERNAL}
    if with_payloads:
        body = payloads_joined(item, body)
    current = marker is not None and int(marker.get("revision") or 0) >= int(item.get("revision") or 0)
    applied = marker.get("normalization") if marker and current else None  # else: a later revision waits
    normalization = dict(applied or body.get("normalization") or {"state": "pending"})
    nanos, unpriced = normalization.pop("costNanos", None), normalization.pop("unpricedCalls", 0)
    body["costUsd"] = None if nanos is None or (nanos == 0 and unpriced) else usd(nanos)
    body["costPartial"] = bool(unpriced)
    body["normalization"] = normalization
    return TraceView.model_validate(body)


def get_trace(principal: Principal, trace_id: str) -> TraceView:
    pk = keys.trace(principal.org_id, trace_id)
    found = table.batch_get([(pk, keys.TRACE_SK), (pk, keys.APPLIED_SK)])
    item = found.get((pk, keys.TRACE_SK))
    if item is None:
        raise NotFound(f"No trace {trace_id}.", code="trace_not_found")
    principal.require_agent(item["agentId"])
    return trace_view(item, found.get((pk, keys.APPLIED_SK)), with_payloads=True)


def views(org_id: str, trace_ids: list[str], items: dict[str, dict[str, Any]] | None = None) -> list[TraceView]:
    """The traces (in order, those still there) with their normalization: one BatchGetItem for
    their markers — and for the traces themselves unless ``items`` has them."""
    wanted = [(keys.trace(org_id, trace_id), keys.APPLIED_SK) for trace_id in trace_ids]
    if items is None:
        wanted += [(keys.trace(org_id, trace_id), keys.TRACE_SK) for trace_id in trace_ids]
    found = table.batch_get(wanted)
    shown = []
    for trace_id in trace_ids:
        pk = keys.trace(org_id, trace_id)
        item = items.get(trace_id) if items is not None else found.get((pk, keys.TRACE_SK))
        if item is not None:
            shown.append(trace_view(item, found.get((pk, keys.APPLIED_SK)), with_payloads=False))
    return shown


def list_traces(
    principal: Principal,
    page: PageRequest,
    agent_id: str | None = None,
    session_id: str | None = None,
    since: str | None = None,
    until: str | None = None,
    status: str | None = None,
) -> Page[TraceView]:
    """Newest first: a session's traces from their items in its partition, otherwise the org's
    from its index, filtered."""
    agent_id = principal.agent_filter(agent_id)
    wanted = matching(agentId=agent_id, status=status)
    org_id = principal.org_id
    if not session_id:
        listing = keys.every_shard(keys.org_traces(org_id))
        items, cursor = newest_across(listing, "GSI2", "", since, until, page, wanted)
        return Page(items=views(org_id, [i["id"] for i in items], {i["id"]: i for i in items}), nextCursor=cursor)
    pk = keys.session(org_id, session_id)
    placed, cursor = newest_between(pk, None, keys.TRACE_IN_SESSION_PREFIX, since, until, page, wanted)
    return Page(items=views(org_id, [str(item["id"]) for item in placed]), nextCursor=cursor)
