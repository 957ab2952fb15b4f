"""Insight items: one per session and rule (a conditional put), listed newest first."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from grounded_core.alerts import notify
from grounded_core.clock import iso, utc_now
from grounded_core.identity.principal import Principal
from grounded_core.ids import new_id
from grounded_core.insights.rules import Rule
from grounded_core.lifecycle.retention import KEEP_FOREVER, Retention
from grounded_core.model import StoredModel
from grounded_core.pagination import Page, PageRequest
from grounded_core.store import keys, table
from grounded_core.store.conditions import ConditionFailed, absent, matching
from grounded_core.store.listing import newest_across, query_page, time_bound


class Insight(StoredModel):
    id: str
    org_id: str
    agent_id: str
    session_id: str
    rule: Rule
    reason: str
    link: str
    detected_at: str

    def keys(self) -> dict[str, str]:
        return {
            "PK": keys.session(self.org_id, self.session_id),
            "SK": keys.insight(self.rule),
            "GSI1PK": keys.org_insights(self.org_id),
            "GSI1SK": f"{self.detected_at}#{self.session_id}#{self.rule}",
        }


def flag(
    org_id: str,
    agent_id: str,
    session_id: str,
    rule: Rule,
    reason: str,
    retention: Retention = KEEP_FOREVER,
    now: datetime | None = None,
) -> bool:
    """Flag a session for a rule, once; ``False`` when it already was."""
    insight = Insight(
        id=new_id("ins"),
        org_id=org_id,
        agent_id=agent_id,
        session_id=session_id,
        rule=rule,
        reason=reason,
        link=f"/api/sessions/{session_id}",
        detected_at=iso(now or utc_now()),
    )
    try:
        table.put(retention.stamp(insight.to_item(), insight.detected_at), when=absent())
    except ConditionFailed:
        return False  # flagged before
    notify.agent_changed(org_id, agent_id)
    return True


def list_insights(
    principal: Principal,
    page: PageRequest,
    agent_id: str | None,
    rule: str | None,
    since: str | None,
    until: str | None,
) -> Page[Insight]:
    low, high = time_bound(since, "from") or "0", (time_bound(until, "to") or "~") + "~"
    return query_page(
        Insight,
        page,
        keys.org_insights(principal.org_id),
        index="GSI1",
        sk_between=(low, high),
        newest_first=True,
        where=matching(agentId=principal.agent_filter(agent_id), rule=rule),
    )


#: how long a busy agent's recent session costs are reused by a container (its typical cost moves
#: slowly once it has ``most`` sessions; an agent with fewer is read every time)
RECENT_COSTS_SECONDS = 30.0
_recent_costs: dict[tuple[str, str], tuple[float, list[dict[str, Any]]]] = {}


def recent_session_costs(org_id: str, agent_id: str, most: int = 50) -> list[dict[str, Any]]:
    """The agent's latest sessions (id and cost), newest first: one Query per shard of the listing
    and one BatchGetItem of their costs (kept for :data:`RECENT_COSTS_SECONDS` once the agent has
    ``most`` of them)."""
    from grounded_core.sessions.store import listed_sessions  # the worker's; the insights routes never need it

    kept = _recent_costs.get((org_id, agent_id))
    if kept is not None and kept[0] > time.monotonic() and len(kept[1]) >= most:
        return kept[1]
    listing = keys.every_shard(keys.agent_sessions(org_id, agent_id))
    listed, _ = newest_across(listing, "GSI1", "S#", None, None, PageRequest(limit=most), fields=("id", "costNanos"))
    sessions = listed_sessions(org_id, listed, fields=("id", "costNanos"))
    recent = [{"id": item["id"], "costNanos": int(item.get("costNanos", 0))} for item in sessions]
    _recent_costs[(org_id, agent_id)] = (time.monotonic() + RECENT_COSTS_SECONDS, recent)
    return recent
