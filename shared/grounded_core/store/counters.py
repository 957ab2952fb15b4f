"""Counters in the table: an ``ADD`` on one item, and the daily rollups every path that counts
something adds to (traces and turns, eval runs, drift reports, scores). Its own module so that
the functions that only add to a day (evals, drift, scores) do not import the sessions' store."""

from __future__ import annotations

from typing import Any

from grounded_core.clock import parse_iso
from grounded_core.store import keys
from grounded_core.store.conditions import Update


def utc_day(timestamp: str) -> str:
    return parse_iso(timestamp).date().isoformat()


def add_counters(pk: str, sk: str, counters: dict[str, int], also_set: dict[str, Any] | None = None) -> Update:
    """An operation that ADDs ``counters`` (and sets ``also_set`` where not set yet) on one item."""
    adds = {name: amount for name, amount in counters.items() if amount}
    if not adds and not also_set:
        raise ValueError("an update needs at least one counter or attribute")
    return Update(pk, sk, add=adds, set_if_absent=also_set or {}, label="counters")


def rollup_updates(org_id: str, agent_id: str, timestamp: str, counters: dict[str, int]) -> list[Update]:
    """Daily counters for the agent and for the whole org."""
    day = keys.day(utc_day(timestamp))
    return [add_counters(keys.rollup(org_id, agent), day, counters) for agent in (agent_id, None)]
