"""Reading traces back: one by id (large fields loaded from S3), or a filtered list."""

from __future__ import annotations

from typing import Any

from grounded_core import adapters
from grounded_core.errors import NotFound
from grounded_core.identity.principal import Principal
from grounded_core.ingest.models import TraceView
from grounded_core.ingest.payloads import join_payloads
from grounded_core.pagination import Page, PageRequest
from grounded_core.pricing.cost import usd
from grounded_core.store import keys, table
from grounded_core.store.conditions import matching
from grounded_core.store.listing import newest_between

INTERNAL = keys.STORAGE_ATTRIBUTES | {"orgId", "payloadKey"}


def trace_view(item: dict[str, Any], with_payloads: bool) -> TraceView:
    body = {key: value for key, value in item.items() if key not in INTERNAL}
    if with_payloads and item.get("payloadKey"):
        body = join_payloads(body, adapters.get_json(item["payloadKey"]))
    normalization = dict(body.get("normalization") or {"state": "pending"})
    nanos, unpriced = normalization.pop("costNanos", None), normalization.pop("unpricedCalls", 0)
    body["costUsd"] = None if nanos is None or (nanos == 0 and unpriced) else usd(nanos)
    body["costPartial"] = bool(unpriced)
    body["normalization"] = normalization
    return TraceView.model_validate(body)


def get_trace(principal: Principal, trace_id: str) -> TraceView:
    item = table.get(keys.trace(principal.org_id, trace_id), keys.TRACE_SK)
    if item is None:
        raise NotFound(f"No trace {trace_id}.", code="trace_not_found")
    principal.require_agent(item["agentId"])
    return trace_view(item, with_payloads=True)


def list_traces(
    principal: Principal,
    page: PageRequest,
    agent_id: str | None = None,
    session_id: str | None = None,
    since: str | None = None,
    until: str | None = None,
    status: str | None = None,
) -> Page[TraceView]:
    """Newest first: a session's traces from its index, otherwise the org's, filtered."""
    agent_id = principal.agent_filter(agent_id)
    if session_id:
        pk, index, prefix = keys.session(principal.org_id, session_id), "GSI1", keys.TRACE_IN_SESSION_PREFIX
    else:
        pk, index, prefix = keys.org_traces(principal.org_id), "GSI2", ""
    items, cursor = newest_between(pk, index, prefix, since, until, page, matching(agentId=agent_id, status=status))
    return Page(items=[trace_view(item, with_payloads=False) for item in items], nextCursor=cursor)
