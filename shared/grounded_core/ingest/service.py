"""Accepting traces and telemetry. An accepted item is durably stored (traces in the table, large
fields in S3) and its normalization queued before the answer; a rejected one says why, and never
stops the good ones of its batch from being stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from grounded_core import adapters
from grounded_core.agents.service import find_snapshot
from grounded_core.clock import iso, parse_iso, utc_now
from grounded_core.errors import Conflict, Forbidden, Invalid, RateLimited
from grounded_core.identity.principal import Principal
from grounded_core.ids import new_id
from grounded_core.ingest.items import EVENTS_PER_MESSAGE, TRACES_PER_MESSAGE
from grounded_core.ingest.models import EventIn, ItemResult, TraceIn, check_times, check_trace_times
from grounded_core.ingest.payloads import payload_key, split_payloads
from grounded_core.ingest.records import StoredTrace
from grounded_core.lifecycle.retention import OrgState, Retention, org_item_key, state_of
from grounded_core.policies.limiter import Item, admit
from grounded_core.settings import get_settings
from grounded_core.store import keys, table

MESSAGE_BUDGET = 200_000  # bytes of events per message (SQS takes 256 KiB)


class Rejected(Exception):
    def __init__(self, code: str, message: str, details: list[dict[str, str]] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


def _validation_details(error: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(part) for part in item["loc"]) or "body", "message": item["msg"]}
        for item in error.errors(include_input=False)
    ]


def _utc(value: str | None) -> str | None:
    return None if value is None else iso(parse_iso(value))


@dataclass
class Candidate:
    index: int
    raw: dict[str, Any]
    agent_id: str = ""
    item_id: str = ""


def _parse_each(
    raw_items: list[Any], parse: Callable[[dict[str, Any]], Any]
) -> tuple[list[ItemResult | None], list[tuple[int, Any]]]:
    results: list[ItemResult | None] = [None] * len(raw_items)
    parsed = []
    for index, raw in enumerate(raw_items):
        try:
            if not isinstance(raw, dict):
                raise Rejected("validation_error", "Each item must be a JSON object.")
            parsed.append((index, parse(raw)))
        except ValidationError as error:
            results[index] = ItemResult(
                index=index,
                status="rejected",
                code="validation_error",
                error="The item is not valid.",
                details=_validation_details(error),
            )
        except Rejected as rejection:
            results[index] = ItemResult(index=index, status="rejected", code=rejection.code, error=rejection.message)
    return results, parsed


def _check_agents(
    principal: Principal, parsed: list[tuple[int, Any]], results: list[ItemResult | None]
) -> tuple[list[tuple[int, Any]], OrgState]:
    """Drop items for an agent the key may not write, or that does not exist in the org; and the
    org's state (its retention), read in the same BatchGetItem."""
    agent_ids = {item.agent_id for _, item in parsed if principal.agent_id in (None, item.agent_id)}
    org = org_item_key(principal.org_id)
    found = table.batch_get([org, *((keys.org(principal.org_id), keys.agent(agent)) for agent in agent_ids)])
    state = state_of(found.get(org))
    kept = []
    for index, item in parsed:
        if state.closed:  # being deleted: its content is not taken any more (a sync still running)
            results[index] = ItemResult(
                index=index, status="rejected", code="org_deleted", error="This org is being deleted."
            )
        elif principal.agent_id is not None and item.agent_id != principal.agent_id:
            results[index] = ItemResult(
                index=index, status="rejected", code="agent_scope", error="This key is limited to another agent."
            )
        elif (keys.org(principal.org_id), keys.agent(item.agent_id)) not in found:
            results[index] = ItemResult(
                index=index, status="rejected", code="unknown_agent", error=f"No agent {item.agent_id}."
            )
        else:
            kept.append((index, item))
    return kept, state


def _rate_limit(
    principal: Principal, parsed: list[tuple[int, Any]], results: list[ItemResult | None], now: datetime
) -> list[tuple[int, Any]]:
    """Drop the items over a rate-limit policy of their agent (each item counts one)."""
    waits = admit(principal, [Item(item.agent_id, item.user_id, item.session_id) for _, item in parsed], now)
    kept = []
    for (index, item), wait in zip(parsed, waits, strict=True):
        if wait is None:
            kept.append((index, item))
        else:
            message = f"Rate limit reached for agent {item.agent_id}; retry in {wait} s."
            results[index] = ItemResult(
                index=index,
                status="rejected",
                code="rate_limited",
                error=message,
                http_status=429,
                retry_after_seconds=wait,
            )
    return kept


def _parse_trace(now: datetime) -> Callable[[dict[str, Any]], TraceIn]:
    def parse(raw: dict[str, Any]) -> TraceIn:
        trace = TraceIn.model_validate(raw)
        try:
            check_trace_times(trace, now)
        except ValueError as error:
            raise Rejected("invalid_timestamps", str(error)) from None
        return trace

    return parse


def trace_item(
    org_id: str, trace_id: str, trace: TraceIn, received_at: str, retention: Retention, **extra: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The trace's table item (times in UTC, large fields as markers, its expiry under the org's
    retention) and the fields for S3."""
    body = trace.model_dump(mode="json", by_alias=True)
    body["id"] = trace_id
    body["startedAt"] = _utc(trace.started_at)
    body["endedAt"] = _utc(trace.ended_at)
    for span in body["spans"]:
        span["startedAt"] = _utc(span["startedAt"])
        span["endedAt"] = _utc(span["endedAt"])
    kept, payloads = split_payloads(body)
    stored = {
        **kept,
        "orgId": org_id,
        "receivedAt": received_at,
        "normalization": {"state": "pending"},
        "payloadKey": payload_key(org_id, trace_id) if payloads else None,
        **extra,
    }
    return retention.stamp(StoredTrace.model_validate(stored).to_item(), body["startedAt"]), payloads


#: a trace's stored item and its marker (there once it was applied)
TRACE_AND_MARKER = (keys.TRACE_SK, keys.APPLIED_SK)


def accept_traces(
    principal: Principal, raw_items: list[Any], now: datetime | None = None, limited: bool = True
) -> list[ItemResult]:
    """Validate, store and queue each trace; one result per item, in order. ``limited=False``
    (connector imports) skips the agent's rate-limit policies, which are about live traffic."""
    moment = now or utc_now()
    results, parsed = _parse_each(raw_items, _parse_trace(moment))
    parsed, org = _check_agents(principal, parsed, results)
    if limited:
        parsed = _rate_limit(principal, parsed, results, moment)
    snapshots = {
        s: find_snapshot(principal.org_id, s)
        for s in {t.resource.snapshot_id for _, t in parsed if t.resource.snapshot_id}
    }
    valid = []
    for index, trace in parsed:
        snapshot = snapshots.get(trace.resource.snapshot_id) if trace.resource.snapshot_id else None
        if trace.resource.snapshot_id and (snapshot is None or snapshot.agent_id != trace.agent_id):
            message = f"Snapshot {trace.resource.snapshot_id} is not one of agent {trace.agent_id}'s."
            results[index] = ItemResult(index=index, status="rejected", code="snapshot_mismatch", error=message)
        else:
            valid.append((index, trace, trace.id or new_id("trc")))
    found = table.batch_get(
        [(keys.trace(principal.org_id, trace_id), sk) for _, t, trace_id in valid if t.id for sk in TRACE_AND_MARKER],
        consistent=True,
    )
    existing = {key: item for key, item in found.items() if key[1] == keys.TRACE_SK}
    to_write: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    to_queue: list[str] = []
    received = iso(moment)
    owners = {item["id"]: item["agentId"] for item in existing.values()}  # whose each taken id is
    for index, trace, trace_id in valid:
        stored = existing.get((keys.trace(principal.org_id, trace_id), keys.TRACE_SK))
        if owners.setdefault(trace_id, trace.agent_id) != trace.agent_id:
            # a client id is one agent's: another agent's trace never takes it over, nor vanishes
            message = f"Trace id {trace_id} is already another agent's trace; send this one with another id."
            results[index] = ItemResult(index=index, status="rejected", code="trace_id_taken", error=message)
            continue
        results[index] = ItemResult(index=index, status="accepted", trace_id=trace_id)
        if stored is not None:  # a re-send: nothing new, but finish its queueing if that was lost
            applied = (keys.trace(principal.org_id, trace_id), keys.APPLIED_SK) in found
            if not applied and stored.get("normalization", {}).get("state") == "pending":
                to_queue.append(trace_id)
        elif trace_id not in to_write:
            to_write[trace_id] = trace_item(principal.org_id, trace_id, trace, received, org.retention)
            to_queue.append(trace_id)
    for item, payloads in to_write.values():
        if payloads:
            adapters.put_json(item["payloadKey"], payloads)
    table.batch_put(item for item, _ in to_write.values())
    conversations = {trace_id: conversation_order(trace) for _, trace, trace_id in valid}
    queue_traces(principal.org_id, sorted(dict.fromkeys(to_queue), key=conversations.__getitem__))
    return [result for result in results if result is not None]


def conversation_order(trace: TraceIn) -> tuple[str, str, str]:
    """Where a trace sorts among a batch's traces when they are queued: a conversation's traces
    next to each other, oldest first, so that a normalize message holds few sessions — each
    session (and its listing entries) is then written once per message for all its traces, and a
    new session is created by its earliest trace."""
    conversation = trace.session_id or trace.anonymous_id or trace.user_id or ""
    return trace.agent_id, conversation, trace.started_at


def queue_traces(org_id: str, trace_ids: list[str]) -> None:
    messages = [
        {"kind": "traces", "orgId": org_id, "ids": trace_ids[start : start + TRACES_PER_MESSAGE]}
        for start in range(0, len(trace_ids), TRACES_PER_MESSAGE)
    ]
    adapters.send_messages(get_settings().normalize_queue_url, messages)


def _parse_event(now: datetime) -> Callable[[dict[str, Any]], EventIn]:
    def parse(raw: dict[str, Any]) -> EventIn:
        event = EventIn.model_validate(raw)
        try:
            check_times(event.timestamp, None, now)
        except ValueError as error:
            raise Rejected("invalid_timestamps", str(error).replace("startedAt", "timestamp")) from None
        return event

    return parse


def accept_events(
    principal: Principal, raw_items: list[Any], now: datetime | None = None, limited: bool = True
) -> list[ItemResult]:
    """Telemetry rides in the normalize messages themselves (SQS is durable): one write per event,
    made by the worker when it attaches the event to its session — a conversation's events queued
    next to each other, oldest first, so that a message's events share few sessions."""
    moment = now or utc_now()
    results, parsed = _parse_each(raw_items, _parse_event(moment))
    parsed, _ = _check_agents(principal, parsed, results)
    if limited:
        parsed = _rate_limit(principal, parsed, results, moment)
    events = []
    for index, event in parsed:
        event_id = event.id or new_id("evt")
        body = event.model_dump(mode="json", by_alias=True) | {"id": event_id, "timestamp": _utc(event.timestamp)}
        events.append(body)
        results[index] = ItemResult(index=index, status="accepted", event_id=event_id)
    events.sort(
        key=lambda body: (body["agentId"], body.get("sessionId") or body.get("anonymousId") or "", body["timestamp"])
    )
    messages = [{"kind": "events", "orgId": principal.org_id, "events": group} for group in pack(events)]
    adapters.send_messages(get_settings().normalize_queue_url, messages)
    return [result for result in results if result is not None]


def pack(
    items: list[dict[str, Any]], most: int = EVENTS_PER_MESSAGE, budget: int = MESSAGE_BUDGET
) -> list[list[dict[str, Any]]]:
    """Group items into messages of at most ``most`` items and ``budget`` bytes of JSON."""
    groups: list[list[dict[str, Any]]] = []
    size = 0
    for item in items:
        length = len(json.dumps(item, default=str))
        if not groups or len(groups[-1]) == most or size + length > budget:
            groups.append([])
            size = 0
        groups[-1].append(item)
        size += length
    return groups


def single(result: ItemResult) -> ItemResult:
    """A one-item ingest (``POST /api/traces``): a rejection is the request's error."""
    if result.status == "accepted":
        return result
    if result.code == "rate_limited":
        raise RateLimited(result.error or "", retry_after_seconds=result.retry_after_seconds or 1)
    if result.code == "agent_scope":
        raise Forbidden(result.error or "", code=result.code)
    if result.code == "trace_id_taken":
        raise Conflict(result.error or "", code=result.code)
    raise Invalid(result.error or "", code=result.code, details=result.details)
