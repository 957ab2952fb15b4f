"""Sessions in the table: find-or-create by stitch key (exactly one session per key, even with
concurrent workers), and the counter updates every ingest path applies."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from grounded_core.errors import Conflict
from grounded_core.ids import new_id
from grounded_core.ingest.stitching import StitchKey
from grounded_core.lifecycle.retention import KEEP_FOREVER, TTL, Retention
from grounded_core.sessions.models import Session, Stitch
from grounded_core.store import keys, table
from grounded_core.store.conditions import Cond, ConditionFailed, Put, Update, Write, absent, eq, exists, lt
from grounded_core.store.counters import add_counters, rollup_updates

#: the label of a new session's first stitch key: it failing means another session has that key
STITCH_TAKEN = "stitch_taken"


@dataclass(frozen=True)
class SessionSeed:
    """What a new session starts from."""

    agent_id: str
    started_at: str
    snapshot_id: str | None = None
    user_id: str | None = None
    anonymous_id: str | None = None
    external_id: str | None = None


@dataclass(frozen=True)
class Stitched:
    session_id: str
    rule: str
    created: bool


def session_counters(
    org_id: str, session_id: str, counters: dict[str, int], also_set: dict[str, Any] | None = None
) -> Update:
    """The session's counters, if the session is still there (label ``session``)."""
    update = add_counters(keys.session(org_id, session_id), keys.SESSION_SK, counters, also_set)
    return replace(update, when=exists(), label="session")


def _seen(timestamp: str, retention: Retention) -> dict[str, Any]:
    """A session's ``lastSeenAt`` at ``timestamp``, and the expiry that follows from it."""
    expires = retention.expiry(timestamp)
    return {"lastSeenAt": timestamp} | ({TTL: expires} if expires is not None else {})


def _later_than_seen(timestamp: str) -> Cond:
    return exists() & (absent("lastSeenAt") | lt("lastSeenAt", timestamp))


def touch(org_id: str, session_id: str, timestamp: str, retention: Retention = KEEP_FOREVER) -> None:
    """Move ``lastSeenAt`` forward (never back), whatever order items arrive in; the session
    expires ``retention`` after its latest activity."""
    with contextlib.suppress(ConditionFailed):  # already later, or the session was erased
        table.update(
            keys.session(org_id, session_id),
            keys.SESSION_SK,
            set=_seen(timestamp, retention),
            when=_later_than_seen(timestamp),
        )


def seen_with_counters(update: Update, timestamp: str, retention: Retention = KEEP_FOREVER) -> Update:
    """A session's counter update (:func:`session_counters`) that also moves its ``lastSeenAt``
    forward to ``timestamp`` — one write where a :func:`touch` would be a second. Its condition
    fails when ``lastSeenAt`` is already as late: give it only a ``timestamp`` read as later."""
    return replace(update, set={**update.set, **_seen(timestamp, retention)}, when=_later_than_seen(timestamp))


def get_session_item(org_id: str, session_id: str) -> Session | None:
    item = table.get(keys.session(org_id, session_id), keys.SESSION_SK)
    return Session.from_item(item) if item else None


def register_stitch_keys(
    org_id: str, session_id: str, pks: list[str], retention: Retention = KEEP_FOREVER, timestamp: str | None = None
) -> None:
    """Point more keys at a session; a key already pointing elsewhere keeps its session."""
    for pk in pks:
        with contextlib.suppress(ConditionFailed):
            table.put(retention.stamp(Stitch(key=pk, session_id=session_id).to_item(), timestamp), when=absent())
    if pks:
        table.update(keys.session(org_id, session_id), keys.SESSION_SK, add={"stitchKeys": set(pks)})


def forget_stitch_keys(pks: list[str], session_id: str) -> None:
    """Drop the keys that still point at ``session_id`` (a session that expired or was erased
    before its keys): the next item with one of them starts a new session."""
    for pk in pks:
        with contextlib.suppress(ConditionFailed):
            table.delete(pk, keys.STITCH_SK, when=eq("sessionId", session_id))


#: a session created by the normalize worker carries this until the first write that applies a
#: trace to it also counts it (its day's and snapshot's ``sessions``) and removes it
UNCOUNTED = "uncounted"


def session_count(org_id: str, agent_id: str, started_at: str, snapshot_id: str | None) -> list[Update]:
    """What one new session adds: its start day's session count (agent and org) and its snapshot's."""
    updates = rollup_updates(org_id, agent_id, started_at, {"sessions": 1})
    if snapshot_id:
        updates.append(add_counters(keys.snapshot_stats(org_id, snapshot_id), keys.TOTAL_SK, {"sessions": 1}))
    return updates


def counted_with(update: Update) -> Update:
    """A session update (from :func:`session_counters`) that also marks the session counted: its
    condition fails if another write counted it first."""
    return replace(update, remove=(*update.remove, UNCOUNTED), when=(update.when or exists()) & exists(UNCOUNTED))


def session_states(org_id: str, session_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Sessions as they are now (one consistent BatchGetItem): how late each was seen, whether it
    is still to be counted (:data:`UNCOUNTED`) and has errors counted (:func:`first_error`); a
    session erased meanwhile is absent."""
    wanted = [(keys.session(org_id, session_id), keys.SESSION_SK) for session_id in session_ids]
    fields = ("id", "agentId", "startedAt", "snapshotId", "lastSeenAt", UNCOUNTED, *_ERROR_COUNTERS, LEGACY_LISTED)
    return {str(item["id"]): item for item in table.batch_get(wanted, consistent=True, fields=fields).values()}


#: the counters a session listed "with errors" has one of
_ERROR_COUNTERS = ("errors", "errorEvents")
#: an index key a session item written before :class:`SessionListing` carries: it is listed itself
LEGACY_LISTED = "GSI1PK"


def first_error(org_id: str, session_id: str, state: dict[str, Any] | None, counters: dict[str, int]) -> list[Write]:
    """The write that marks the session's listing entry ``errored``, when ``counters`` count an
    error and the session had none when read (``state``, from :func:`session_states`), for the
    transaction that adds them: every session with an error counted is marked (the first write to
    count one read it with none). Nothing for a session listed by its own item (written before)."""
    if not state or state.get(LEGACY_LISTED) or not any(counters.get(name, 0) > 0 for name in _ERROR_COUNTERS):
        return []
    if any(int(state.get(name, 0)) > 0 for name in _ERROR_COUNTERS):
        return []
    return [
        Update(keys.session(org_id, session_id), keys.LISTED_SK, set={"errored": True}, when=exists(), label="session")
    ]


def counts_an_error(item: dict[str, Any]) -> bool:
    """Whether a session (its item) has an error counted."""
    return any(int(item.get(name, 0)) > 0 for name in _ERROR_COUNTERS)


def listed_sessions(org_id: str, listed: list[dict[str, Any]], fields: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The session items a listing's page names, in its order: a listing entry read back as its
    session as it is now (one BatchGetItem for the page; only ``fields`` when given), a session
    item listed itself (written before listing entries) as it is; a session gone meanwhile (its
    entry not yet deleted) is left out."""
    wanted = [(str(item["PK"]), keys.SESSION_SK) for item in listed if item["SK"] == keys.LISTED_SK]
    found = table.batch_get(wanted, fields=fields) if wanted else {}
    sessions = []
    for item in listed:
        if item["SK"] != keys.LISTED_SK:
            sessions.append(item)
        elif (session := found.get((str(item["PK"]), keys.SESSION_SK))) is not None:
            sessions.append(session)
    return sessions


def count_session(org_id: str, session: dict[str, Any]) -> None:
    """Count a session still :data:`UNCOUNTED` on its own (when its traces could not be applied
    together); nothing when it was counted (or erased) meanwhile."""
    mark = Update(keys.session(org_id, str(session["id"])), keys.SESSION_SK, label="counted")
    counts = session_count(org_id, str(session["agentId"]), str(session["startedAt"]), session.get("snapshotId"))
    with contextlib.suppress(ConditionFailed):
        table.transact([counted_with(mark), *counts])


def create_session(
    org_id: str,
    seed: SessionSeed,
    stitch_pks: list[str],
    metadata: dict[str, Any] | None = None,
    retention: Retention = KEEP_FOREVER,
    counted: bool = True,
) -> Session:
    """A new session, its entry in the listings and its first stitch key in one transaction (a
    taken key fails the condition labelled :data:`STITCH_TAKEN`), with the day's session count —
    or, ``counted=False``, marked :data:`UNCOUNTED` for the write that applies its first traces
    to count it."""
    session = Session(
        id=new_id("ses"),
        org_id=org_id,
        agent_id=seed.agent_id,
        snapshot_id=seed.snapshot_id,
        external_id=seed.external_id,
        user_id=seed.user_id,
        anonymous_id=seed.anonymous_id,
        metadata=metadata or {},
        started_at=seed.started_at,
        stitch_keys=stitch_pks[:1],
    )
    operations: list[Write] = []
    if stitch_pks:
        first = Stitch(key=stitch_pks[0], session_id=session.id).to_item()
        operations.append(Put(retention.stamp(first, seed.started_at), absent(), label=STITCH_TAKEN))
    item = session.to_item() if counted else session.to_item(**{UNCOUNTED: True})
    operations.append(Put(retention.stamp(item, seed.started_at), absent(), label="session"))
    operations.append(Put(session.listing().to_item(), absent(), label="session"))  # no expiry: see SessionListing
    if counted:
        operations += session_count(org_id, seed.agent_id, seed.started_at, seed.snapshot_id)
    table.transact(operations)
    register_stitch_keys(org_id, session.id, stitch_pks[1:], retention, seed.started_at)
    return session


#: what stitch keys point at (``None``: at nothing), as read once for a whole message's items and
#: kept up to date as its items create sessions and attach keys (:func:`read_stitch_keys`)
StitchMap = dict[str, str | None]


def read_stitch_keys(pks: Iterable[str]) -> StitchMap:
    """What each of ``pks`` points at now: one consistent BatchGetItem for a message's items."""
    wanted = list(dict.fromkeys(pks))
    found = table.batch_get([(pk, keys.STITCH_SK) for pk in wanted], consistent=True, fields=("sessionId",))
    return {pk: (found[(pk, keys.STITCH_SK)]["sessionId"] if (pk, keys.STITCH_SK) in found else None) for pk in wanted}


def find_or_create_session(
    org_id: str,
    seed: SessionSeed,
    stitch_keys: list[StitchKey],
    retention: Retention = KEEP_FOREVER,
    counted: bool = True,
    known: StitchMap | None = None,
) -> Stitched:
    """The session the strongest matching key points at, or a new one (``counted``: see
    :func:`create_session`). Concurrent workers with the same new key race on a conditional put:
    one creates, the others read what it made. ``known``: the message's stitch keys as read with
    :func:`read_stitch_keys`, used instead of a read of its own when it holds every key, and told
    what this call settled."""
    direct = next((k for k in stitch_keys if k.kind == "session" and k.value.startswith("ses_")), None)
    if direct:
        existing = get_session_item(org_id, direct.value)
        if existing and existing.agent_id == seed.agent_id:
            return Stitched(existing.id, direct.rule, created=False)
    pks = [keys.stitch(org_id, seed.agent_id, key.kind, key.value) for key in stitch_keys]
    for attempt in range(2):
        use_known = attempt == 0 and known is not None and all(pk in known for pk in pks)
        now = {pk: known[pk] for pk in pks} if use_known and known is not None else read_stitch_keys(pks)
        pointing = {pk: session_id for pk, session_id in now.items() if session_id is not None}
        for key, pk in zip(stitch_keys, pks, strict=True):
            if pk in pointing:
                missing = [other for other in pks if other not in pointing]
                register_stitch_keys(org_id, pointing[pk], missing, retention, seed.started_at)
                _settled(known, pointing, missing)
                return Stitched(pointing[pk], key.rule, created=False)
        if attempt == 0:
            try:
                new = create_session(org_id, seed, pks, retention=retention, counted=counted)
            except (ConditionFailed, Conflict):
                continue  # another worker created it a moment ago (or raced us): read theirs
            created = new.id
            _settled(known, {pks[0]: created} if pks else {}, pks[1:])
            return Stitched(created, stitch_keys[0].rule, created=True)
    raise Conflict("Could not settle the session for this item; it will be retried.", code="stitch_race")


def _settled(known: StitchMap | None, pointing: dict[str, str], attached: list[str]) -> None:
    """Tell ``known`` what the keys point at now; keys just attached (a conditional put another
    worker may have won) are read again when an item of the message needs them."""
    if known is not None:
        known.update(pointing)
        for pk in attached:
            known.pop(pk, None)


def legacy_session_traces(org_id: str, session_id: str) -> list[dict[str, Any]]:
    """Traces normalized before their session held their items: linked to it by their index entry."""
    return table.query_all(keys.session(org_id, session_id), keys.TRACE_IN_SESSION_PREFIX, index="GSI1")


def erase_session_items(org_id: str, session_id: str) -> int:
    """The session's own items (totals, turns, events) and its stitch keys; not its traces. What
    lists the session goes last (its listing entry, or a session item written before those): an
    erasure cut short is found and finished."""
    items = table.query_all(keys.session(org_id, session_id), consistent=True)
    last = (keys.SESSION_SK, keys.LISTED_SK)
    doomed = [(item["PK"], item["SK"]) for item in items if item["SK"] not in last]
    stitched = [item.get("stitchKeys", []) for item in items if item["SK"] == keys.SESSION_SK]
    doomed += [(pk, keys.STITCH_SK) for pk in (stitched[0] if stitched else [])]
    table.batch_delete(doomed)
    for sk in last:  # one after the other: a batch's deletes may land in any order
        table.batch_delete([(item["PK"], item["SK"]) for item in items if item["SK"] == sk])
    return len(doomed) + sum(1 for item in items if item["SK"] in last)
