"""A normalize message's counters summed per session, rollup day and snapshot, so that each of
those items is written once per message, in the same transaction as what the message adds (its
traces' APPLIED markers, or its events): exactly once, and at the price of one write each."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from grounded_core.lifecycle.retention import Retention
from grounded_core.observability import logger
from grounded_core.sessions.store import (
    UNCOUNTED,
    counted_with,
    first_error,
    seen_with_counters,
    session_counters,
)
from grounded_core.store import keys, table
from grounded_core.store.conditions import Write
from grounded_core.store.counters import add_counters, utc_day


@dataclass
class Sums:
    sessions: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    #: each session's latest moment in the message, and the snapshot it is set to when unset
    last_seen: dict[str, str] = field(default_factory=dict)
    snapshot_of: dict[str, str | None] = field(default_factory=dict)
    rollups: dict[tuple[str | None, str], Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    snapshots: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, session_id: str, counters: dict[str, int], seen: str, snapshot_id: str | None = None) -> None:
        """What an item adds to its session, and when it was seen."""
        self.sessions[session_id].update(counters)
        self.last_seen[session_id] = max(seen, self.last_seen.get(session_id, seen))
        self.snapshot_of.setdefault(session_id, snapshot_id)

    def roll_up(self, agent_id: str, timestamp: str, counters: dict[str, int]) -> None:
        """What an item adds to its day, for its agent and for the whole org."""
        for agent in (agent_id, None):
            self.rollups[(agent, utc_day(timestamp))].update(counters)

    def add_to_snapshot(self, snapshot_id: str, counters: dict[str, int]) -> None:
        self.snapshots[snapshot_id].update(counters)

    def writes(self, org_id: str, states: dict[str, dict[str, Any]], retention: Retention) -> list[Write]:
        """Each session's update — its ``lastSeenAt`` moved forward when the message's items are
        later than ``states`` (what the sessions were when read), a new session counted
        (:data:`UNCOUNTED`), its listing entry marked when it counts the session's first error
        (:func:`first_error`) — then each rollup day's and snapshot's."""
        writes: list[Write] = []
        for session_id, counters in self.sessions.items():
            snapshot = self.snapshot_of[session_id]
            update = session_counters(
                org_id, session_id, dict(counters), {"snapshotId": snapshot} if snapshot else None
            )
            state = states.get(session_id, {})
            if self.last_seen[session_id] > str(state.get("lastSeenAt", "")):
                update = seen_with_counters(update, self.last_seen[session_id], retention)
            if state.get(UNCOUNTED):
                update = counted_with(update)
                self.roll_up(str(state["agentId"]), str(state["startedAt"]), {"sessions": 1})
                if state.get("snapshotId"):
                    self.add_to_snapshot(str(state["snapshotId"]), {"sessions": 1})
            writes.append(update)
            writes += first_error(org_id, session_id, states.get(session_id), dict(counters))
        for (agent, day), counters in self.rollups.items():
            if any(counters.values()):
                writes.append(add_counters(keys.rollup(org_id, agent), keys.day(day), dict(counters)))
        for snapshot_id, counters in self.snapshots.items():
            if any(counters.values()):
                writes.append(add_counters(keys.snapshot_stats(org_id, snapshot_id), keys.TOTAL_SK, dict(counters)))
        return writes


def apply_summed(own: list[Write], summed: list[Write]) -> bool:
    """A message's own writes and its summed counters in one transaction. All or nothing:
    ``False`` (nothing written) when any condition fails or it cannot be made (too many items, the
    same item twice); the caller then applies the items one by one, each exactly once."""
    operations = own + summed
    if len(operations) > table.MAX_TRANSACTION_ITEMS:
        return False
    try:
        table.transact(operations)
    except Exception as error:  # atomic: nothing was written
        logger.info("message applied item by item", extra={"reason": type(error).__name__})
        return False
    return True
