"""Agents and snapshots."""

from __future__ import annotations

from fastapi import Response

from grounded_core.agents import service
from grounded_core.agents.models import Agent, AgentCreate, AgentPatch, BaselineChange, Snapshot, SnapshotCreate
from grounded_core.http.access import Caller
from grounded_core.http.app import make_app, make_handler
from grounded_core.http.paging import Paging
from grounded_core.http.routes import Routes
from grounded_core.pagination import Page

router = Routes(prefix="/api")


@router.post("/agents", status_code=201, response_model=Agent)
async def create_agent(request: AgentCreate, principal: Caller) -> Agent:
    return service.create_agent(principal, request)


@router.get("/agents", response_model=Page[Agent])
async def list_agents(page: Paging, principal: Caller) -> Page[Agent]:
    return service.list_agents(principal, page)


@router.get("/agents/{agent_id}", response_model=Agent)
async def get_agent(agent_id: str, principal: Caller) -> Agent:
    return service.get_agent(principal, agent_id)


@router.patch("/agents/{agent_id}", response_model=Agent)
async def update_agent(agent_id: str, patch: AgentPatch, principal: Caller) -> Agent:
    return service.update_agent(principal, agent_id, patch)


@router.delete("/agents/{agent_id}", status_code=204)
async def delete_agent(agent_id: str, principal: Caller) -> Response:
    service.delete_agent(principal, agent_id)
    return Response(status_code=204)


@router.post("/agents/{agent_id}/snapshots", status_code=201, response_model=Snapshot)
async def create_snapshot(agent_id: str, request: SnapshotCreate, principal: Caller) -> Snapshot:
    return service.create_snapshot(principal, agent_id, request)


@router.get("/agents/{agent_id}/snapshots", response_model=Page[Snapshot])
async def list_snapshots(agent_id: str, page: Paging, principal: Caller) -> Page[Snapshot]:
    return service.list_snapshots(principal, agent_id, page)


@router.get("/snapshots/{snapshot_id}", response_model=Snapshot)
async def get_snapshot(snapshot_id: str, principal: Caller) -> Snapshot:
    return service.get_snapshot(principal, snapshot_id)


@router.put("/agents/{agent_id}/baseline", response_model=Agent)
async def set_baseline(agent_id: str, change: BaselineChange, principal: Caller) -> Agent:
    return service.set_baseline(principal, agent_id, change)


app = make_app(router, title="Grounded agents")
handler = make_handler(app)
