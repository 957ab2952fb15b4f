"""Drift checks and reports. A check compares a snapshot with its agent's baseline; a report is
stored (with the day's drift-by-severity rollup) only at or above the agent's ``driftThreshold``.
Checks run when a snapshot is created (a message to the normalize worker), daily for every agent
with a baseline (the drift sweep), and on demand (``POST /api/agents/{id}/drift``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from grounded_core.agents.models import Agent, Snapshot
from grounded_core.agents.service import find_agent, find_snapshot, get_agent
from grounded_core.alerts import notify
from grounded_core.clock import iso, utc_now
from grounded_core.drift.score import Behaviour, behaviour_change, config_components, drift_score, explain, severity
from grounded_core.errors import Conflict, Invalid, NotFound
from grounded_core.identity.principal import Principal
from grounded_core.ids import new_id
from grounded_core.model import ApiModel, StoredModel
from grounded_core.pagination import Page, PageRequest
from grounded_core.pricing.cost import usd
from grounded_core.store import keys, table
from grounded_core.store.conditions import Put, absent, matching
from grounded_core.store.counters import rollup_updates
from grounded_core.store.listing import query_page

Trigger = Literal["snapshot", "schedule", "manual"]


class ComponentView(ApiModel):
    name: str
    score: float
    weight: float
    detail: dict[str, Any]


class DriftReport(StoredModel):
    id: str
    org_id: str
    agent_id: str
    snapshot_id: str
    baseline_snapshot_id: str
    score: float
    threshold: float
    severity: str | None = None
    stored: bool
    trigger: Trigger
    components: list[ComponentView]
    behaviour: dict[str, Any] = Field(default_factory=dict)
    explanation: list[str]
    created_at: str

    def keys(self) -> dict[str, str]:
        return {
            "PK": keys.agent_partition(self.org_id, self.agent_id),
            "SK": keys.drift_sort(self.created_at, self.id),
            "GSI1PK": keys.org(self.org_id),
            "GSI1SK": keys.drift_sort(self.created_at, self.id),
            "GSI2PK": keys.drift_lookup(self.org_id, self.id),
            "GSI2SK": keys.DRIFT_SK,
        }


class DriftRequest(ApiModel):
    snapshot_id: str = Field(min_length=1, max_length=64)


# ---------------------------------------------------------------- behaviour


def _latest_pass_rate(org_id: str, agent_id: str, snapshot_id: str) -> float | None:
    where = matching(agentId=agent_id, snapshotId=snapshot_id, status="COMPLETED")
    items, _ = table.query(
        keys.org_runs(org_id), keys.RUN_PREFIX, index="GSI2", newest_first=True, limit=200, where=where
    )
    return float(items[0]["passRate"]) if items and items[0].get("passRate") is not None else None


def behaviour_of(org_id: str, agent_id: str, snapshot_id: str) -> Behaviour:
    stats = table.get(keys.snapshot_stats(org_id, snapshot_id), keys.TOTAL_SK) or {}
    traces, sessions = int(stats.get("traces", 0)), int(stats.get("sessions", 0))
    cost = usd(int(stats.get("costNanos", 0)))
    return Behaviour(
        eval_pass_rate=_latest_pass_rate(org_id, agent_id, snapshot_id),
        error_rate=round(int(stats.get("errors", 0)) / traces, 4) if traces else None,
        cost_per_session_usd=round(cost / sessions, 9) if sessions and cost is not None else None,
        latency_ms_per_trace=round(int(stats.get("traceMs", 0)) / traces, 1) if traces else None,
    )


# ---------------------------------------------------------------- checks


def check(agent: Agent, snapshot: Snapshot, trigger: Trigger, now: datetime | None = None) -> DriftReport:
    """Score ``snapshot`` against the agent's baseline; store the report if it reaches the threshold."""
    if not agent.baseline_snapshot_id:
        raise Conflict(
            f"Agent {agent.id} has no baseline to compare with. Set one with "
            f'PUT /api/agents/{agent.id}/baseline {{"snapshotId": "…"}}.',
            code="no_baseline",
        )
    baseline = find_snapshot(agent.org_id, agent.baseline_snapshot_id)
    if baseline is None:
        raise Conflict("The agent's baseline snapshot no longer exists; set a new baseline.", code="no_baseline")
    components = config_components(baseline, snapshot)
    before = behaviour_of(agent.org_id, agent.id, baseline.id)
    after = behaviour_of(agent.org_id, agent.id, snapshot.id)
    changed, deltas = behaviour_change(before, after)
    score = drift_score(components, changed)
    band = severity(score, agent.drift_threshold)
    created = iso(now or utc_now())
    report = DriftReport(
        id=new_id("drf"),
        org_id=agent.org_id,
        agent_id=agent.id,
        snapshot_id=snapshot.id,
        baseline_snapshot_id=baseline.id,
        score=score,
        threshold=agent.drift_threshold,
        severity=band,
        stored=band is not None,
        trigger=trigger,
        components=[ComponentView(**vars(component)) for component in components],
        behaviour=deltas,
        explanation=explain(components, deltas),
        created_at=created,
    )
    if band is not None:
        rollups = rollup_updates(agent.org_id, agent.id, created, {f"drift_{band}": 1})
        table.transact([Put(report.to_item(), absent(), label="report"), *rollups])
        notify.agent_changed(agent.org_id, agent.id)
    return report


def check_now(principal: Principal, agent_id: str, request: DriftRequest) -> DriftReport:
    agent = get_agent(principal, agent_id)
    snapshot = find_snapshot(principal.org_id, request.snapshot_id)
    if snapshot is None or snapshot.agent_id != agent_id:
        raise Invalid(
            f"Snapshot {request.snapshot_id} is not one of agent {agent_id}'s.",
            details=[{"field": "snapshotId", "message": "not this agent's snapshot"}],
        )
    return check(agent, snapshot, "manual")


def check_new_snapshot(org_id: str, agent_id: str, snapshot_id: str) -> DriftReport | None:
    """The worker's check of a snapshot just created (nothing to do without a baseline)."""
    agent = find_agent(org_id, agent_id)
    snapshot = find_snapshot(org_id, snapshot_id)
    if agent is None or snapshot is None or not agent.baseline_snapshot_id or snapshot.id == agent.baseline_snapshot_id:
        return None
    return check(agent, snapshot, "snapshot")


def latest_snapshot(org_id: str, agent_id: str) -> Snapshot | None:
    items, _ = table.query(keys.agent_partition(org_id, agent_id), keys.SNAPSHOT_PREFIX, newest_first=True, limit=1)
    return Snapshot.from_item(items[0]) if items else None


def sweep() -> list[DriftReport]:
    """The daily check: every agent with a baseline (a sparse index, not a Scan) whose latest
    snapshot is not the baseline."""
    reports = []
    start = None
    while True:
        items, start = table.query(keys.BASELINED, index="GSI1", start_key=start)
        for item in items:
            agent = Agent.from_item(item)
            latest = latest_snapshot(agent.org_id, agent.id)
            if latest is not None and latest.id != agent.baseline_snapshot_id:
                reports.append(check(agent, latest, "schedule"))
        if not start:
            return reports


# ---------------------------------------------------------------- reading


def get_report(principal: Principal, report_id: str) -> DriftReport:
    items, _ = table.query(keys.drift_lookup(principal.org_id, report_id), index="GSI2", limit=1)
    if not items:
        raise NotFound(f"No drift report {report_id}.", code="drift_report_not_found")
    report = DriftReport.from_item(items[0])
    principal.require_agent(report.agent_id)
    return report


def list_reports(principal: Principal, page: PageRequest, agent_id: str | None, band: str | None) -> Page[DriftReport]:
    """Newest first; an agent's, or the org's."""
    agent = principal.agent_filter(agent_id)
    pk, index = (keys.agent_partition(principal.org_id, agent), None) if agent else (keys.org(principal.org_id), "GSI1")
    return query_page(
        DriftReport,
        page,
        pk,
        keys.DRIFT_PREFIX,
        index=index,
        newest_first=True,
        where=matching(severity=band),
    )
