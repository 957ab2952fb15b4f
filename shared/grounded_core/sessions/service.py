"""The sessions API: the direct way to log conversations, and the way to read them back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from grounded_core.agents.service import find_snapshot, get_agent
from grounded_core.clock import MAX_CLOCK_SKEW, iso, parse_iso, utc_now
from grounded_core.errors import Conflict, Invalid, NotFound
from grounded_core.identity.principal import Principal
from grounded_core.ids import new_id
from grounded_core.ingest.stitching import stitch_keys
from grounded_core.ingest.turns import TraceInSession, Turn
from grounded_core.lifecycle.erase import erase_session
from grounded_core.lifecycle.retention import org_state
from grounded_core.pagination import Page, PageRequest
from grounded_core.policies.limiter import Item, admit_one
from grounded_core.pricing.cost import price_call, usd
from grounded_core.pricing.overrides import prices_for
from grounded_core.sessions.models import Session, SessionCreate, SessionView, TimelineEntry, TurnCreate
from grounded_core.sessions.store import (
    STITCH_TAKEN,
    SessionSeed,
    counts_an_error,
    create_session,
    get_session_item,
    legacy_session_traces,
    listed_sessions,
    session_counters,
    touch,
)
from grounded_core.store import keys, table
from grounded_core.store.conditions import ConditionFailed, Put, all_of, eq, exists, gt, matching
from grounded_core.store.counters import rollup_updates
from grounded_core.store.listing import newest_across, time_bound


def _turn_time(value: str | None) -> str | None:
    """A turn's timestamp as ISO-8601 UTC: parsable (as every time bound is) and not in the future."""
    moment = time_bound(value, "timestamp")
    if moment is not None and parse_iso(moment) > utc_now() + MAX_CLOCK_SKEW:
        raise Invalid("timestamp is in the future.", details=[{"field": "timestamp", "message": "in the future"}])
    return moment


def start_session(principal: Principal, request: SessionCreate, now: datetime | None = None) -> SessionView:
    get_agent(principal, request.agent_id)
    admit_one(principal, Item(request.agent_id, request.user_id, request.external_id), now)
    if request.snapshot_id:
        snapshot = find_snapshot(principal.org_id, request.snapshot_id)
        if snapshot is None or snapshot.agent_id != request.agent_id:
            raise Invalid(
                "The snapshot is not one of this agent's.",
                details=[{"field": "snapshotId", "message": "not this agent's"}],
            )
    seed = SessionSeed(
        agent_id=request.agent_id,
        started_at=iso(now or utc_now()),
        snapshot_id=request.snapshot_id,
        user_id=request.user_id,
        anonymous_id=request.anonymous_id,
        external_id=request.external_id,
    )
    pks = [
        keys.stitch(principal.org_id, request.agent_id, k.kind, k.value)
        for k in stitch_keys(request.external_id, request.anonymous_id, None, None)
    ]
    retention = org_state(principal.org_id).retention
    try:
        return create_session(principal.org_id, seed, pks, request.metadata, retention).view()
    except ConditionFailed as failed:
        if failed.label != STITCH_TAKEN:
            raise
        raise Conflict("A session already uses that key.", code="session_key_taken") from None


def _session(principal: Principal, session_id: str) -> Session:
    session = get_session_item(principal.org_id, session_id)
    if session is None:
        raise NotFound(f"No session {session_id}.", code="session_not_found")
    principal.require_agent(session.agent_id)
    return session


def get_session(principal: Principal, session_id: str) -> SessionView:
    return _session(principal, session_id).view()


def list_sessions(
    principal: Principal,
    page: PageRequest,
    agent_id: str | None = None,
    user_id: str | None = None,
    since: str | None = None,
    until: str | None = None,
    has_errors: bool | None = None,
) -> Page[SessionView]:
    """Newest first; by agent (its own index) or across the org. The listings hold each session's
    listing entry (:class:`SessionListing`), read back as the session; ``has_errors`` is judged
    on the session's counters (its entry's ``errored`` narrows what is read)."""
    agent_id = principal.agent_filter(agent_id)
    if agent_id:
        get_agent(principal, agent_id)
    pk, index, prefix = (
        (keys.agent_sessions(principal.org_id, agent_id), "GSI1", "S#")
        if agent_id
        else (keys.org_sessions(principal.org_id), "GSI2", "")
    )
    counted = gt("errors", 0) | gt("errorEvents", 0)  # a session item listed itself (written before entries)
    wanted = None if has_errors is None else eq("errored", True) | counted if has_errors else ~counted
    where = all_of([matching(userId=user_id), wanted])
    listed, cursor = newest_across(keys.every_shard(pk), index, prefix, since, until, page, where)
    sessions = listed_sessions(principal.org_id, listed)
    if has_errors is not None:
        sessions = [item for item in sessions if counts_an_error(item) == has_errors]
    return Page(items=[session.view() for session in Session.load_all(sessions)], nextCursor=cursor)


def add_turn(principal: Principal, session_id: str, request: TurnCreate, now: datetime | None = None) -> Turn:
    session = _session(principal, session_id)
    admit_one(principal, Item(session.agent_id, session.user_id, session.id), now)
    timestamp = _turn_time(request.timestamp) or iso(now or utc_now())
    cost = price_call(request.model, request.usage, prices_for(principal.org_id)) if request.usage else None
    turn = Turn(
        id=new_id("turn"),
        role=request.role,
        content=request.content,
        timestamp=timestamp,
        tool_calls=request.tool_calls,
        model=request.model,
        usage=request.usage,
        latency_ms=request.latency_ms,
        cost_usd=usd(cost),
        org_id=principal.org_id,
        session_id=session_id,
    )
    usage = request.usage
    counters = {
        "turns": 1,
        "inputTokens": usage.input_tokens if usage else 0,
        "outputTokens": usage.output_tokens if usage else 0,
        "cacheReadTokens": usage.cache_read_tokens if usage else 0,
        "cacheWriteTokens": usage.cache_write_tokens if usage else 0,
        "costNanos": cost or 0,
        "unpricedCalls": 1 if usage and usage.total and cost is None else 0,
    }
    retention = org_state(principal.org_id).retention
    item = retention.stamp(turn.to_item(), timestamp)
    rollups = rollup_updates(
        principal.org_id, session.agent_id, timestamp, {k: v for k, v in counters.items() if k != "unpricedCalls"}
    )
    try:
        table.transact([Put(item), session_counters(principal.org_id, session_id, counters), *rollups])
    except ConditionFailed:  # the session's condition: it was erased meanwhile
        raise NotFound(f"No session {session_id}.", code="session_not_found") from None
    touch(principal.org_id, session_id, timestamp, retention)
    return turn


def end_session(principal: Principal, session_id: str, now: datetime | None = None) -> SessionView:
    """Sets ``endedAt`` once; ending again keeps the first time."""
    _session(principal, session_id)
    try:
        item = table.update(
            keys.session(principal.org_id, session_id),
            keys.SESSION_SK,
            set_if_absent={"endedAt": iso(now or utc_now())},
            when=exists(),
        )
    except ConditionFailed:
        raise NotFound(f"No session {session_id}.", code="session_not_found") from None
    return Session.from_item(item).view()


def timeline(principal: Principal, session_id: str) -> list[TimelineEntry]:
    """Turns, trace summaries and telemetry events, in time order: one query of the session's
    partition (each trace's item there holds its summary and turns)."""
    items = table.query_all(keys.session(principal.org_id, session_id))
    session = next((Session.from_item(item) for item in items if item["SK"] == keys.SESSION_SK), None)
    if session is None:
        raise NotFound(f"No session {session_id}.", code="session_not_found")
    principal.require_agent(session.agent_id)
    entries = []
    placed = [TraceInSession.from_item(item) for item in items if item["SK"].startswith(keys.TRACE_IN_SESSION_PREFIX)]
    for item in items:
        if item["SK"].startswith((keys.TURN_PREFIX, keys.EVENT_PREFIX)):
            kind = "turn" if item["SK"].startswith(keys.TURN_PREFIX) else "event"
            entries.append(TimelineEntry(kind=kind, timestamp=item["timestamp"], data=_public(item)))
    for trace in placed:
        entries.append(TimelineEntry(kind="trace", timestamp=trace.timestamp, data=_summary(trace)))
        entries += [TimelineEntry(kind="turn", timestamp=turn["timestamp"], data=turn) for turn in trace.turn_entries()]
    if session.traces > len(placed):  # some normalized before traces had an item in their session
        entries += _legacy_traces(principal.org_id, session_id, {trace.id for trace in placed})
    return sorted(entries, key=lambda entry: (entry.timestamp, entry.kind))


def _summary(trace: TraceInSession) -> dict[str, Any]:
    return {
        "id": trace.id,
        "name": trace.name,
        "status": trace.status,
        "startedAt": trace.timestamp,
        "endedAt": trace.ended_at,
        "error": trace.error,
        "spanCount": trace.span_count,
        "costUsd": usd(trace.cost_nanos),
    }


def _legacy_traces(org_id: str, session_id: str, shown: set[str]) -> list[TimelineEntry]:
    """Summaries of traces linked to the session by their index entry (their turns are items of
    the session's own)."""
    entries = []
    for trace in legacy_session_traces(org_id, session_id):
        if trace["id"] in shown:
            continue
        summary = {key: trace.get(key) for key in ("id", "name", "status", "startedAt", "endedAt", "error")}
        summary["spanCount"] = len(trace["spans"]) if isinstance(trace.get("spans"), list) else None
        summary["costUsd"] = usd(trace.get("normalization", {}).get("costNanos"))
        entries.append(TimelineEntry(kind="trace", timestamp=trace["startedAt"], data=summary))
    return entries


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key not in keys.STORAGE_ATTRIBUTES}


def delete_session(principal: Principal, session_id: str) -> None:
    """Erase the session and everything attached: turns, events, traces (their items, received
    OTLP spans, S3 bodies and markers), stitch keys. Daily rollups keep their counts (they hold no
    personal data)."""
    _session(principal, session_id)
    erase_session(principal.org_id, session_id)
