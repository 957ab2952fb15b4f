"""Telemetry events attached to their sessions by the normalize worker. A message's events go in
one transaction together with their sessions' and days' counters, summed (:mod:`.sums`): each
event is put only if absent, so a redelivered message changes nothing. When that transaction
cannot be made (an event attached before, one event twice, too many sessions) each event is
attached on its own, exactly once, and one that fails never keeps the others out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grounded_core.ingest.items import APPLIED, ItemsFailed, each_alone
from grounded_core.ingest.models import EventIn
from grounded_core.ingest.records import Event
from grounded_core.ingest.stitching import StitchKey, stitch_keys
from grounded_core.ingest.sums import Sums, apply_summed
from grounded_core.insights import detect as insights
from grounded_core.lifecycle.retention import Retention, org_state
from grounded_core.observability import logger
from grounded_core.sessions.store import (
    UNCOUNTED,
    SessionSeed,
    Stitched,
    count_session,
    find_or_create_session,
    first_error,
    forget_stitch_keys,
    read_stitch_keys,
    session_counters,
    session_states,
    touch,
)
from grounded_core.store import keys, table
from grounded_core.store.conditions import ConditionFailed, Put, Write, absent
from grounded_core.store.counters import rollup_updates


@dataclass
class Placed:
    """An event with the item it is stored as, in its session."""

    event: EventIn
    item: dict[str, Any]
    session_id: str
    stitch_keys: list[StitchKey]

    @property
    def counters(self) -> dict[str, int]:
        return {"events": 1, "errorEvents": 1 if self.event.type == "error" else 0}


def attach_events(org_id: str, raws: list[Any]) -> None:
    """Attach a message's events (nothing for an org being deleted)."""
    org = org_state(org_id)
    if org.closed:
        logger.info("events of a deleted org dropped", extra={"org_id": org_id})
        return
    retention = org.retention
    failed: list[str] = []
    sessions: dict[tuple[str, ...], Stitched] = {}
    known = read_stitch_keys(pk for raw in raws for pk in _stitch_pks(org_id, raw))

    def place(raw: Any) -> Placed:
        event = EventIn.model_validate(raw)
        keys_of_event = stitch_keys(event.session_id, event.anonymous_id, None, None)
        memo = (event.agent_id, *(f"{key.kind}:{key.value}" for key in keys_of_event))
        if memo not in sessions:
            seed = SessionSeed(
                agent_id=event.agent_id,
                started_at=event.timestamp,
                user_id=event.user_id,
                anonymous_id=event.anonymous_id,
                external_id=event.session_id,
            )
            sessions[memo] = find_or_create_session(org_id, seed, keys_of_event, retention, counted=False, known=known)
        session_id = sessions[memo].session_id
        item = Event.model_validate({**raw, "org_id": org_id, "in_session": session_id}).to_item()
        return Placed(event, retention.stamp(item, event.timestamp), session_id, keys_of_event)

    placed = each_alone("events", raws, place, _event_name, failed)
    states = session_states(org_id, dict.fromkeys(entry.session_id for entry in placed))
    if placed and _attach_together(org_id, placed, states, retention):
        attached = placed
    else:
        for session_id in dict.fromkeys(entry.session_id for entry in placed):
            if states.get(session_id, {}).get(UNCOUNTED):
                count_session(org_id, states[session_id])

        def attach_one(entry: Placed) -> Placed | None:
            return _attach_one(org_id, entry, states.get(entry.session_id), retention)

        alone = each_alone("events", placed, attach_one, _placed_name, failed)
        attached = [entry for entry in alone if entry is not None]
    for entry in attached:
        insights.after_event(org_id, entry.event, entry.session_id, retention)
    if failed:
        raise ItemsFailed("events", failed)


def _attach_together(
    org_id: str, placed: list[Placed], states: dict[str, dict[str, Any]], retention: Retention
) -> bool:
    sums = Sums()
    for entry in placed:
        sums.add(entry.session_id, entry.counters, entry.event.timestamp)
        sums.roll_up(entry.event.agent_id, entry.event.timestamp, {"events": 1})
    own: list[Write] = [Put(entry.item, absent(), label=APPLIED) for entry in placed]
    return apply_summed(own, sums.writes(org_id, states, retention))


def _attach_one(org_id: str, entry: Placed, session: dict[str, Any] | None, retention: Retention) -> Placed | None:
    """One event in its own transaction; ``None`` when it was attached before (a redelivery).
    ``session``: its session as read (:func:`session_states`)."""
    event = entry.event
    operations: list[Write] = [
        Put(entry.item, absent(), label=APPLIED),
        session_counters(org_id, entry.session_id, entry.counters),
        *first_error(org_id, entry.session_id, session, entry.counters),
        *rollup_updates(org_id, event.agent_id, event.timestamp, {"events": 1}),
    ]
    try:
        table.transact(operations)
    except ConditionFailed as failed:
        if failed.label == "session":  # erased or expired: its keys go too, the retry starts a new one
            pks = [keys.stitch(org_id, event.agent_id, key.kind, key.value) for key in entry.stitch_keys]
            forget_stitch_keys(pks, entry.session_id)
        if failed.label != APPLIED:
            raise
        return None
    touch(org_id, entry.session_id, event.timestamp, retention)
    return entry


def _stitch_pks(org_id: str, raw: Any) -> list[str]:
    """The partition keys of a raw event's stitch keys (none for one that will not validate)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("agentId"), str) or not raw.get("anonymousId"):
        return []
    found = stitch_keys(raw.get("sessionId"), str(raw["anonymousId"]), None, None)
    return [keys.stitch(org_id, raw["agentId"], key.kind, key.value) for key in found]


def _event_name(event: Any) -> str:
    return str(event.get("id")) if isinstance(event, dict) else "?"


def _placed_name(entry: Placed) -> str:
    return str(entry.event.id)
