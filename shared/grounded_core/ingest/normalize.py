"""The normalize worker's logic: traces and telemetry become sessions, turns, costs and rollups.

Idempotent by construction: a trace's effects are applied in one transaction together with its
``APPLIED`` marker (a conditional put), so a redelivered or duplicated message changes nothing —
the new traces of a message in one transaction together, with their counters summed per session,
rollup day and snapshot, falling back to one transaction per trace when that cannot be done;
a telemetry event is counted in the same transaction that writes it (also conditional). A trace's
place in its session (its summary and turns, one item) has keys derived from the trace, so
writing it again overwrites it with itself. The marker is the trace's normalization state: the
stored trace is not written again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from grounded_core.agents.service import SnapshotResolver
from grounded_core.clock import parse_iso
from grounded_core.ingest.items import APPLIED, ItemsFailed, each_alone
from grounded_core.ingest.models import TraceIn
from grounded_core.ingest.payloads import payloads_joined
from grounded_core.ingest.records import Applied, Unresolved
from grounded_core.ingest.stitching import stitch_keys
from grounded_core.ingest.sums import Sums, apply_summed
from grounded_core.ingest.turns import TraceInSession, Turn, turns_of, within_budget
from grounded_core.insights import detect as insights
from grounded_core.judges import online
from grounded_core.lifecycle.retention import (
    TTL,
    OrgState,
    Retention,
    org_item_key,
    state_of,
)
from grounded_core.model import FROM_STORE
from grounded_core.observability import logger
from grounded_core.pricing.cost import nanos_from_usd, price_call
from grounded_core.pricing.overrides import prices_for
from grounded_core.sessions.store import (
    UNCOUNTED,
    SessionSeed,
    Stitched,
    count_session,
    erase_session_items,
    find_or_create_session,
    first_error,
    forget_stitch_keys,
    read_stitch_keys,
    session_counters,
    session_states,
    touch,
)
from grounded_core.store import keys, table
from grounded_core.store.conditions import ConditionFailed, Delete, Put, Update, Write, absent, eq, exists
from grounded_core.store.counters import add_counters, rollup_updates

TRACE_FIELDS = set(TraceIn.model_fields) | {info.alias for info in TraceIn.model_fields.values() if info.alias}
R = TypeVar("R")


def handle_message(message: dict[str, Any]) -> None:
    kind = message.get("kind")
    org_id = message["orgId"]
    if kind == "traces":
        normalize_traces(org_id, message["ids"])
    elif kind == "events":
        from grounded_core.ingest.events import attach_events

        attach_events(org_id, message["events"])
    elif kind == "otel":
        from grounded_core.otel.worker import assemble_due

        assemble_due(org_id, message["traces"])
    elif kind == "renormalize":
        from grounded_core.ingest.renormalize import renormalize_agent

        renormalize_agent(org_id, message["agentId"], message.get("jobId"))
    elif kind == "drift":
        from grounded_core.drift.service import check_new_snapshot

        check_new_snapshot(org_id, message["agentId"], message["snapshotId"])
    else:
        raise ValueError(f"unknown normalize message kind {kind!r}")


def _load_trace(item: dict[str, Any]) -> TraceIn:
    body = {key: value for key, value in item.items() if key in TRACE_FIELDS}
    return TraceIn.model_validate(payloads_joined(item, body), context=FROM_STORE)


def _set_normalization(org_id: str, trace_id: str, state: dict[str, Any]) -> None:
    """The stored trace's normalization state while it is not applied (``unresolved``); never
    brings back a trace erased meanwhile. Once applied, its ``APPLIED`` marker says so."""
    with contextlib.suppress(ConditionFailed):
        table.update(keys.trace(org_id, trace_id), keys.TRACE_SK, set={"normalization": state}, when=exists())


def trace_cost(trace: TraceIn, org_id: str) -> tuple[int, int]:
    """``(nanos, unpriced_calls)``: a span's own ``costUsd`` wins; an unknown model is unpriced."""
    prices = prices_for(org_id)
    nanos, unpriced = 0, 0
    for span in trace.spans:
        if span.cost_usd is not None:
            nanos += nanos_from_usd(span.cost_usd)
            continue
        if span.kind != "llm" and span.usage is None:
            continue
        cost = price_call(span.model, span.usage, prices)
        if cost is None:
            unpriced += 1
        else:
            nanos += cost
    return nanos, unpriced


def _duration_ms(trace: TraceIn) -> int:
    if not trace.ended_at:
        return 0
    return max(0, int((parse_iso(trace.ended_at) - parse_iso(trace.started_at)).total_seconds() * 1000))


_TOKEN_COUNTERS = ("inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens")


def _token_counters(trace: TraceIn) -> dict[str, int]:
    usages = [span.usage for span in trace.spans if span.usage]
    return {
        "inputTokens": sum(u.input_tokens for u in usages),
        "outputTokens": sum(u.output_tokens for u in usages),
        "cacheReadTokens": sum(u.cache_read_tokens for u in usages),
        "cacheWriteTokens": sum(u.cache_write_tokens for u in usages),
    }


def _in_session_item(org_id: str, work: Work, retention: Retention) -> dict[str, Any]:
    """The trace's item in its session: its summary and turns (expiring with the trace)."""
    trace = work.pending.trace
    placed = TraceInSession(
        id=work.trace_id,
        agent_id=trace.agent_id,
        name=trace.name,
        status=trace.status,
        timestamp=trace.started_at,
        ended_at=trace.ended_at,
        error=trace.error,
        span_count=len(trace.spans),
        cost_nanos=work.counters["costNanos"],
        unpriced_calls=work.counters["unpricedCalls"],
        turns=within_budget(work.turns),
        org_id=org_id,
        session_id=work.stitched.session_id,
    )
    return retention.stamp(placed.to_item(), trace.started_at)


@dataclass
class Pending:
    """A trace to apply: new (``before`` is ``None``), or a later revision of one applied before."""

    trace_id: str
    trace: TraceIn
    revision: int
    before: Applied | None
    #: it may have an unresolved marker to clear (it waited for a snapshot; or, assembled from
    #: OTLP spans, an earlier revision did)
    maybe_marked: bool = False


@dataclass
class Work:
    pending: Pending
    snapshot_id: str
    stitched: Stitched
    turns: list[Turn]
    #: the trace's stitch keys (partition keys): forgotten if their session turns out gone
    stitch_pks: list[str]
    #: what the trace adds to its session, rollup day and snapshot (:func:`trace_counters`)
    counters: dict[str, int]

    @property
    def moved_from(self) -> str | None:
        """The session an earlier revision went to, when this revision stitches elsewhere (say,
        its root span arrived late with the session id)."""
        before = self.pending.before
        if before is None or before.normalization["sessionId"] == self.stitched.session_id:
            return None
        return str(before.normalization["sessionId"])

    @property
    def trace_id(self) -> str:
        return self.pending.trace_id


def normalize_traces(org_id: str, trace_ids: list[str], org: OrgState | None = None) -> None:
    """Normalize a message's traces with batched reads and writes; each trace's effects are still
    applied on their own, exactly once per revision (its transaction with the APPLIED marker). A
    trace that fails does not stop the others (:func:`each_alone`). What is written carries its
    expiry under the org's retention; nothing is written for an org being deleted."""
    wanted = [(keys.trace(org_id, trace_id), sk) for trace_id in trace_ids for sk in (keys.TRACE_SK, keys.APPLIED_SK)]
    found = table.batch_get(wanted if org else [org_item_key(org_id), *wanted], consistent=True)
    org = org or state_of(found.get(org_item_key(org_id)))
    if org.closed:
        logger.info("traces of a deleted org dropped", extra={"org_id": org_id, "traces": len(trace_ids)})
        return
    retention = org.retention
    failed: list[str] = []
    pending = _pending_traces(org_id, trace_ids, found, failed)
    snapshots = SnapshotResolver(org_id)
    sessions: dict[tuple[str, ...], Stitched] = {}
    known = read_stitch_keys(pk for entry in pending for pk in _stitch_pks(org_id, entry.trace))

    def prepare(entry: Pending) -> Work | None:
        trace_id, trace, before = entry.trace_id, entry.trace, entry.before
        if before is not None:  # a later revision keeps its snapshot (and rollup day)
            snapshot_id = before.normalization["snapshotId"]
        else:
            snapshot_id = trace.resource.snapshot_id or snapshots.resolve(trace.agent_id, trace.started_at)
        if snapshot_id is None:
            _mark_unresolved(org_id, trace_id, trace.agent_id, retention.expiry(trace.started_at))
            return None
        keys_of_trace = stitch_keys(trace.session_id, trace.anonymous_id, trace.user_id, trace.correlation_keys)
        memo = (trace.agent_id, *(f"{key.kind}:{key.value}" for key in keys_of_trace))
        if memo not in sessions:
            seed = SessionSeed(
                trace.agent_id, trace.started_at, snapshot_id, trace.user_id, trace.anonymous_id, trace.session_id
            )
            sessions[memo] = find_or_create_session(org_id, seed, keys_of_trace, retention, counted=False, known=known)
        turns = turns_of(trace_id, trace)
        pks = _stitch_pks(org_id, trace)
        return Work(entry, snapshot_id, sessions[memo], turns, pks, trace_counters(trace, org_id, len(turns)))

    work = [entry for entry in _alone(pending, prepare, failed) if entry is not None]
    placed = {id(w): _in_session_item(org_id, w, retention) for w in work}
    # before the counters: a trace shown normalized (its marker written) has its session complete
    table.batch_put(placed.values())
    table.batch_delete(key for w in work for key in _stale_items(org_id, w, placed[id(w)]["SK"]))
    # before the counters too: a redelivery of a message whose traces were applied still queues them
    online.sample(org_id, [(w.trace_id, w.pending.trace.agent_id) for w in work if w.pending.before is None])
    prepared = _alone(work, lambda w: _effects(org_id, w, [placed[id(w)]["SK"]], retention), failed)
    applied_effects = _apply_all(org_id, prepared, failed, retention)
    applied = [(e.work.pending.trace, e.work.stitched.session_id, e.work.turns) for e in applied_effects]
    for entry in work:
        if entry.moved_from:
            _drop_if_empty(org_id, entry.moved_from)
    insights.after_traces(org_id, applied, retention)
    if failed:
        raise ItemsFailed("traces", failed)


def _stitch_pks(org_id: str, trace: TraceIn) -> list[str]:
    """The partition keys of the trace's stitch keys, strongest first."""
    found = stitch_keys(trace.session_id, trace.anonymous_id, trace.user_id, trace.correlation_keys)
    return [keys.stitch(org_id, trace.agent_id, key.kind, key.value) for key in found]


def _stale_items(org_id: str, work: Work, placed_sk: str) -> list[tuple[str, str]]:
    """What an earlier revision wrote in its session that this one no longer has (its start
    moved, or the trace moved to another session; markers of older versions list turn items)."""
    if work.pending.before is None:
        return []
    session_pk = keys.session(org_id, work.moved_from or work.stitched.session_id)
    kept = set() if work.moved_from else {placed_sk}
    return [(session_pk, sk) for sk in work.pending.before.turn_keys if sk not in kept]


def _last_seen(work: Iterable[Work]) -> dict[str, str]:
    """Each session's latest moment among the traces of ``work``."""
    last_seen: dict[str, str] = {}
    for entry in work:
        trace = entry.pending.trace
        seen = trace.ended_at or trace.started_at
        last_seen[entry.stitched.session_id] = max(seen, last_seen.get(entry.stitched.session_id, seen))
    return last_seen


def _touch_sessions(org_id: str, work: Iterable[Work], retention: Retention) -> None:
    """Each session's ``lastSeenAt`` moved to its latest trace of ``work`` (one write each)."""
    for session_id, seen in _last_seen(work).items():
        touch(org_id, session_id, seen, retention)


def _drop_if_empty(org_id: str, session_id: str) -> None:
    """A session a trace moved out of is erased when nothing is left in it."""
    item = table.get(keys.session(org_id, session_id), keys.SESSION_SK, consistent=True)
    if item is not None and not any(int(item.get(name, 0)) for name in ("traces", "events", "turns")):
        erase_session_items(org_id, session_id)


def _alone(entries: Iterable[Any], work: Callable[[Any], R], failed: list[str]) -> list[R]:
    """:func:`each_alone` over trace entries, which name their trace id."""
    return each_alone("traces", entries, work, lambda entry: str(entry.trace_id), failed)


def _pending_traces(
    org_id: str, trace_ids: list[str], found: dict[tuple[str, str], dict[str, Any]], failed: list[str]
) -> list[Pending]:
    """The traces still to apply, from their items and markers (``found``: one BatchGetItem,
    which also read the org's state)."""

    def load(trace_id: str) -> Pending | None:
        item = found.get((keys.trace(org_id, trace_id), keys.TRACE_SK))
        marker = found.get((keys.trace(org_id, trace_id), keys.APPLIED_SK))
        if item is None:
            logger.info("trace gone before normalization", extra={"trace_id": trace_id})
            return None
        revision = int(item.get("revision") or 0)
        before = None if marker is None else Applied.from_item(marker)
        if before is not None and revision <= before.revision:
            return None  # applied (a redelivery, or a re-send)
        marked = item.get("normalization", {}).get("state") == "unresolved" or item.get("revision") is not None
        return Pending(trace_id, _load_trace(item), revision, before, marked)

    loaded = each_alone("traces", dict.fromkeys(trace_ids), load, str, failed)
    return [entry for entry in loaded if entry is not None]


def trace_counters(trace: TraceIn, org_id: str, turns: int) -> dict[str, int]:
    """What one trace adds to its session, rollup day and snapshot."""
    nanos, unpriced = trace_cost(trace, org_id)
    return {
        "traces": 1,
        "turns": turns,
        "errors": 1 if trace.status == "error" else 0,
        "costNanos": nanos,
        "unpricedCalls": unpriced,
        "traceMs": _duration_ms(trace),
        **_token_counters(trace),
    }


SESSION_COUNTERS = ("traces", "turns", "errors", "costNanos", "unpricedCalls", *_TOKEN_COUNTERS)
ROLLUP_COUNTERS = ("traces", "turns", "errors", "costNanos", *_TOKEN_COUNTERS)
SNAPSHOT_COUNTERS = ("traces", "errors", "costNanos", "traceMs")


def _only(counters: dict[str, int], names: Iterable[str]) -> dict[str, int]:
    return {name: counters[name] for name in names if counters.get(name)}


@dataclass
class Effects:
    """What applying one trace (revision) writes: its APPLIED marker (conditional), what it adds to
    its session, rollup day and snapshot, and other writes of its own."""

    work: Work
    marker: Put
    session: dict[str, int]
    rollup: dict[str, int]
    rolled_up_at: str
    snapshot: dict[str, int]
    own: list[Write]

    @property
    def trace_id(self) -> str:
        return self.work.trace_id


def _effects(org_id: str, work: Work, turn_keys: list[str], retention: Retention) -> Effects:
    """A later revision adds only what changed since the one applied, conditioned on that one."""
    trace_id, trace, before = work.trace_id, work.pending.trace, work.pending.before
    counters = work.counters
    delta = {name: value - (before.counters.get(name, 0) if before else 0) for name, value in counters.items()}
    session_change = counters if work.moved_from else delta
    rolled_up_at = before.rolled_up_at if before and before.rolled_up_at else trace.started_at
    state = {
        "state": "normalized",
        "sessionId": work.stitched.session_id,
        "stitchRule": work.stitched.rule,
        "snapshotId": work.snapshot_id,
        "costNanos": counters["costNanos"],
        "unpricedCalls": counters["unpricedCalls"],
    }
    marker = Applied(
        org_id=org_id,
        trace_id=trace_id,
        normalization=state,
        revision=work.pending.revision,
        counters=counters,
        turn_keys=turn_keys,
        rolled_up_at=rolled_up_at,
    )
    marker_item = retention.stamp(marker.to_item(), trace.started_at)
    own: list[Write] = []
    if work.pending.maybe_marked:  # a delete costs a write unit (two in a transaction) even of nothing
        own.append(Delete(*Unresolved(org_id=org_id, agent_id=trace.agent_id, trace_id=trace_id).key_pair()))
    if work.moved_from and before and _still_there(org_id, work.moved_from):  # else erased: nothing to take back
        own.append(_moved_out(org_id, work.moved_from, _only(before.counters, SESSION_COUNTERS)))
    return Effects(
        work=work,
        marker=Put(marker_item, absent() if before is None else eq("revision", before.revision), label=APPLIED),
        session=_only(session_change, SESSION_COUNTERS),
        rollup=_only(delta, ROLLUP_COUNTERS),
        rolled_up_at=rolled_up_at,
        snapshot=_only(delta, SNAPSHOT_COUNTERS),
        own=own,
    )


def _apply_trace(org_id: str, effects: Effects, session: dict[str, Any] | None) -> bool:
    """One trace's effects and its APPLIED marker in one transaction; ``False`` if applied before.
    ``session``: its session as read (:func:`session_states`)."""
    work = effects.work
    session_id = work.stitched.session_id
    operations: list[Write] = [
        effects.marker,
        session_counters(org_id, session_id, effects.session, {"snapshotId": work.snapshot_id}),
        *first_error(org_id, session_id, session, effects.session),
        *effects.own,
    ]
    if effects.rollup:
        operations += rollup_updates(org_id, work.pending.trace.agent_id, effects.rolled_up_at, effects.rollup)
    if effects.snapshot:
        operations.append(add_counters(keys.snapshot_stats(org_id, work.snapshot_id), keys.TOTAL_SK, effects.snapshot))
    try:
        table.transact(operations)
    except ConditionFailed as failed:
        if failed.label == "session":  # erased or expired: its keys go too, the retry starts a new one
            forget_stitch_keys(work.stitch_pks, work.stitched.session_id)
        if failed.label != APPLIED:
            raise  # the message is tried again
        return False  # a concurrent delivery applied it (or a later revision) first
    return True


def _apply_together(org_id: str, batch: list[Effects], retention: Retention, states: dict[str, dict[str, Any]]) -> bool:
    """New traces of a message in one transaction: their APPLIED markers, and each session's, each
    rollup day's and each snapshot's counters summed and written once — a session's ``lastSeenAt``
    moved forward, and a new session counted, in the same write. All or nothing: ``False``
    (nothing written) when any condition fails or the transaction cannot be made, and the traces
    are then applied one by one, exactly once each, as before."""
    sums = Sums()
    for effects in batch:
        work = effects.work
        trace = work.pending.trace
        sums.add(work.stitched.session_id, effects.session, trace.ended_at or trace.started_at, work.snapshot_id)
        sums.roll_up(trace.agent_id, effects.rolled_up_at, effects.rollup)
        sums.add_to_snapshot(work.snapshot_id, effects.snapshot)
    own = [effects.marker for effects in batch] + [write for effects in batch for write in effects.own]
    return apply_summed(own, sums.writes(org_id, states, retention))


def _apply_all(org_id: str, prepared: list[Effects], failed: list[str], retention: Retention) -> list[Effects]:
    """Apply the message's traces — the new ones together when they can be, the rest (and all of
    them when they cannot) one by one, their sessions touched first; what was applied (by this
    delivery)."""
    states = session_states(org_id, _last_seen(effects.work for effects in prepared))
    new = [effects for effects in prepared if effects.work.pending.before is None]
    together = bool(new) and _apply_together(org_id, new, retention, states)
    done_together = {id(effects) for effects in new} if together else set()
    rest = [effects for effects in prepared if id(effects) not in done_together]
    _touch_sessions(org_id, (effects.work for effects in rest), retention)
    for session_id in _last_seen(effects.work for effects in rest):
        if states.get(session_id, {}).get(UNCOUNTED):
            count_session(org_id, states[session_id])
    one_by_one = _alone(
        rest,
        lambda effects: (
            effects if _apply_trace(org_id, effects, states.get(effects.work.stitched.session_id)) else None
        ),
        failed,
    )
    return (new if together else []) + [effects for effects in one_by_one if effects is not None]


def _still_there(org_id: str, session_id: str) -> bool:
    return table.get(keys.session(org_id, session_id), keys.SESSION_SK, consistent=True) is not None


def _moved_out(org_id: str, session_id: str, counters: dict[str, int]) -> Update:
    """Take an earlier revision's counters back from the session it moved out of (if still there)."""
    negated = {name: -value for name, value in counters.items()}
    update = add_counters(keys.session(org_id, session_id), keys.SESSION_SK, negated)
    return replace(update, when=exists(), label="moved_out")


def _mark_unresolved(org_id: str, trace_id: str, agent_id: str, expires: int | None) -> None:
    """No snapshot yet: keep the trace, say why, and remember it for when a snapshot appears
    (the marker expires with the trace)."""
    marker = Unresolved(org_id=org_id, agent_id=agent_id, trace_id=trace_id).to_item()
    table.put(marker if expires is None else {**marker, TTL: expires})
    _set_normalization(org_id, trace_id, {"state": "unresolved", "reason": "no_snapshot"})
