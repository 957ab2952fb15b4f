"""Agents and snapshots for the caller's org. Every key is built from the principal's org, so an
id from another org finds nothing (404); an agent-scoped key touching another agent is a 403."""

from __future__ import annotations

from datetime import datetime

from grounded_core import adapters
from grounded_core.agents.models import Agent, AgentCreate, AgentPatch, BaselineChange, Snapshot, SnapshotCreate
from grounded_core.clock import iso, utc_now
from grounded_core.errors import Forbidden, Invalid, NotFound
from grounded_core.identity.principal import Principal
from grounded_core.ids import new_id
from grounded_core.pagination import Page, PageRequest
from grounded_core.settings import get_settings
from grounded_core.store import keys, table
from grounded_core.store.conditions import ConditionFailed, absent, exists
from grounded_core.store.listing import query_page


def create_agent(principal: Principal, request: AgentCreate, now: datetime | None = None) -> Agent:
    if principal.agent_id is not None:
        raise Forbidden("An agent-scoped key cannot create agents.", code="agent_scope")
    created = iso(now or utc_now())
    agent = Agent(
        id=new_id("agt"), org_id=principal.org_id, created_at=created, updated_at=created, **request.model_dump()
    )
    table.put(agent.to_item(), when=absent())
    return agent


def find_agent(org_id: str, agent_id: str) -> Agent | None:
    item = table.get(keys.org(org_id), keys.agent(agent_id))
    return Agent.from_item(item) if item else None


def get_agent(principal: Principal, agent_id: str) -> Agent:
    principal.require_agent(agent_id)
    agent = find_agent(principal.org_id, agent_id)
    if agent is None:
        raise NotFound(f"No agent {agent_id}.", code="agent_not_found")
    return agent


def list_agents(principal: Principal, page: PageRequest) -> Page[Agent]:
    if principal.agent_id is not None:
        agent = find_agent(principal.org_id, principal.agent_id)
        return Page(items=[agent] if agent else [], nextCursor=None)
    return query_page(Agent, page, keys.org(principal.org_id), keys.AGENT_PREFIX)


def update_agent(principal: Principal, agent_id: str, patch: AgentPatch, now: datetime | None = None) -> Agent:
    moment = iso(now or utc_now())
    get_agent(principal, agent_id).patched({**patch.model_dump(exclude_unset=True), "updated_at": moment})
    changes = patch.model_dump(by_alias=True, exclude_unset=True)  # valid as a whole: checked just above
    try:  # atomic field updates: a concurrent PATCH of other fields is never lost
        item = table.update(
            keys.org(principal.org_id), keys.agent(agent_id), set={**changes, "updatedAt": moment}, when=exists()
        )
    except ConditionFailed:
        raise NotFound(f"No agent {agent_id}.", code="agent_not_found") from None
    return Agent.from_item(item)


def delete_agent(principal: Principal, agent_id: str) -> None:
    """The agent and its snapshots."""
    get_agent(principal, agent_id)
    partition = keys.agent_partition(principal.org_id, agent_id)
    snapshots = table.query_all(partition, keys.SNAPSHOT_PREFIX)
    table.batch_delete([(item["PK"], item["SK"]) for item in snapshots])
    table.delete(keys.org(principal.org_id), keys.agent(agent_id))


def create_snapshot(
    principal: Principal, agent_id: str, request: SnapshotCreate, now: datetime | None = None
) -> Snapshot:
    get_agent(principal, agent_id)
    snapshot = Snapshot(
        id=new_id("snp"),
        org_id=principal.org_id,
        agent_id=agent_id,
        created_at=iso(now or utc_now()),
        **request.model_dump(),
    )
    table.put(snapshot.to_item(), when=absent())
    _renormalize_waiting_traces(principal.org_id, agent_id)
    drift_check = {"kind": "drift", "orgId": principal.org_id, "agentId": agent_id, "snapshotId": snapshot.id}
    adapters.send_messages(get_settings().normalize_queue_url, [drift_check])  # checked asynchronously
    return snapshot


def _renormalize_waiting_traces(org_id: str, agent_id: str) -> None:
    """Traces that waited for the agent's first snapshot can be normalized now: a
    ``snapshot.renormalize`` job, run by the normalize worker. One Query when there are none."""
    waiting, _ = table.query(keys.agent_partition(org_id, agent_id), keys.UNRESOLVED_PREFIX, limit=1)
    if not waiting:
        return
    from grounded_core.jobs.service import create_job  # rarely needed; the normalize worker imports this module

    job = create_job(org_id, "snapshot.renormalize", agent_id=agent_id)
    message = {"kind": "renormalize", "orgId": org_id, "agentId": agent_id, "jobId": job.id}
    adapters.send_messages(get_settings().normalize_queue_url, [message])


def list_snapshots(principal: Principal, agent_id: str, page: PageRequest) -> Page[Snapshot]:
    """Newest first."""
    get_agent(principal, agent_id)
    partition = keys.agent_partition(principal.org_id, agent_id)
    return query_page(Snapshot, page, partition, keys.SNAPSHOT_PREFIX, newest_first=True)


def find_snapshot(org_id: str, snapshot_id: str) -> Snapshot | None:
    items, _ = table.query(keys.org(org_id), keys.snapshot_ref(snapshot_id), index="GSI1", limit=1)
    return Snapshot.from_item(items[0]) if items and items[0]["id"] == snapshot_id else None


def get_snapshot(principal: Principal, snapshot_id: str) -> Snapshot:
    snapshot = find_snapshot(principal.org_id, snapshot_id)
    if snapshot is None:
        raise NotFound(f"No snapshot {snapshot_id}.", code="snapshot_not_found")
    principal.require_agent(snapshot.agent_id)
    return snapshot


def snapshot_current_at(org_id: str, agent_id: str, moment: str) -> Snapshot | None:
    """The agent's snapshot that was current at ``moment`` (ISO-8601 UTC): one Query, newest
    first, limit 1, on sort keys up to that moment."""
    items, _ = table.query(
        keys.agent_partition(org_id, agent_id),
        sk_between=(keys.SNAPSHOT_PREFIX, keys.snapshot_sort(moment, "~")),
        newest_first=True,
        limit=1,
    )
    return Snapshot.from_item(items[0]) if items else None


class SnapshotResolver:
    """Which snapshot a trace from a given moment ran on: the one current then or, for work from
    before the agent's first snapshot, that first snapshot (``None`` only while the agent has
    none). Reads each agent's snapshot history once (one Query) and answers from memory, so a
    worker resolving a batch of traces pays one request per agent, not per trace."""

    def __init__(self, org_id: str):
        self.org_id = org_id
        self._history: dict[str, list[tuple[str, str]]] = {}

    def _snapshots(self, agent_id: str) -> list[tuple[str, str]]:
        if agent_id not in self._history:
            items = table.query_all(keys.agent_partition(self.org_id, agent_id), keys.SNAPSHOT_PREFIX)
            self._history[agent_id] = [(item["createdAt"], item["id"]) for item in items]  # oldest first
        return self._history[agent_id]

    def resolve(self, agent_id: str, moment: str) -> str | None:
        history = self._snapshots(agent_id)
        current = [snapshot_id for created, snapshot_id in history if created <= moment]
        return current[-1] if current else (history[0][1] if history else None)


def set_baseline(principal: Principal, agent_id: str, change: BaselineChange, now: datetime | None = None) -> Agent:
    get_agent(principal, agent_id)
    snapshot = find_snapshot(principal.org_id, change.snapshot_id)
    if snapshot is None or snapshot.agent_id != agent_id:
        raise Invalid(
            "The baseline must be one of this agent's snapshots.",
            details=[{"field": "snapshotId", "message": f"{change.snapshot_id} is not a snapshot of agent {agent_id}"}],
        )
    changes = {
        "baselineSnapshotId": snapshot.id,
        "updatedAt": iso(now or utc_now()),
        "GSI1PK": keys.BASELINED,  # the daily drift sweep reads this sparse index
        "GSI1SK": f"{principal.org_id}#{agent_id}",
    }
    try:
        item = table.update(keys.org(principal.org_id), keys.agent(agent_id), set=changes, when=exists())
    except ConditionFailed:
        raise NotFound(f"No agent {agent_id}.", code="agent_not_found") from None
    return Agent.from_item(item)
