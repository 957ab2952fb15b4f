"""Running the rules from the normalize worker, after a message's items were applied. Each
flag is a conditional put, so a redelivered message flags nothing twice."""

from __future__ import annotations

from collections import defaultdict

from grounded_core.ingest.models import EventIn, TraceIn
from grounded_core.ingest.turns import Turn
from grounded_core.insights import rules
from grounded_core.insights.store import flag, recent_session_costs
from grounded_core.lifecycle.retention import KEEP_FOREVER, Retention
from grounded_core.store import keys, table


def after_traces(
    org_id: str, applied: list[tuple[TraceIn, str, list[Turn]]], retention: Retention = KEEP_FOREVER
) -> None:
    """``applied``: each trace just applied, with its session and turns (insights expire under the
    org's ``retention``, like the sessions they are about)."""
    sessions: dict[str, set[str]] = defaultdict(set)
    for trace, session_id, turns in applied:
        sessions[trace.agent_id].add(session_id)
        if (reason := rules.trace_error(trace)) is not None:
            flag(org_id, trace.agent_id, session_id, "errors", reason, retention)
        if (reason := rules.slow_turn(turns)) is not None:
            flag(org_id, trace.agent_id, session_id, "slow_turn", reason, retention)
    for agent_id, session_ids in sessions.items():
        _check_costs(org_id, agent_id, session_ids, retention)


def _check_costs(org_id: str, agent_id: str, session_ids: set[str], retention: Retention) -> None:
    """One BatchGetItem for these sessions' totals and, when one of them costs enough to be an
    outlier at all, one Query for the agent's recent sessions."""
    found = table.batch_get([(keys.session(org_id, s), keys.SESSION_SK) for s in session_ids], consistent=True)
    costly = [item for item in found.values() if int(item.get("costNanos", 0)) >= rules.COST_OUTLIER_FLOOR_NANOS]
    if not costly:
        return
    recent = recent_session_costs(org_id, agent_id)
    for item in costly:
        session_id = str(item["id"])
        others = [entry["costNanos"] for entry in recent if entry["id"] != session_id]
        if (reason := rules.cost_outlier(int(item.get("costNanos", 0)), others)) is not None:
            flag(org_id, agent_id, session_id, "cost_outlier", reason, retention)


def after_event(org_id: str, event: EventIn, session_id: str, retention: Retention = KEEP_FOREVER) -> None:
    found = rules.frustration(event)
    if found is not None:
        rule, reason = found
        flag(org_id, event.agent_id, session_id, rule, reason, retention)
