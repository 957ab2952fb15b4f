"""Connectors: LangSmith and FullStory imports — configure, connect, sync, disconnect."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from grounded_core.connectors import service
from grounded_core.connectors.models import Connector, ConnectorCreate, ConnectorPatch, ConnectRequest, SyncRequest
from grounded_core.connectors.service import ConnectResult
from grounded_core.http.access import Caller
from grounded_core.http.app import make_app, make_handler
from grounded_core.http.paging import Paging
from grounded_core.http.routes import Routes
from grounded_core.jobs.models import Job
from grounded_core.pagination import Page

router = Routes(prefix="/api")


@router.post("/connectors", status_code=201, response_model=Connector)
async def create_connector(request: ConnectorCreate, principal: Caller) -> Connector:
    return service.create_connector(principal, request)


@router.get("/connectors", response_model=Page[Connector])
async def list_connectors(
    principal: Caller,
    page: Paging,
    agent_id: Annotated[str | None, Query(alias="agentId")] = None,
    provider: Annotated[str | None, Query(pattern="^(langsmith|fullstory)$")] = None,
) -> Page[Connector]:
    return service.list_connectors(principal, page, agent_id, provider)


@router.get("/connectors/{connector_id}", response_model=Connector)
async def get_connector(connector_id: str, principal: Caller) -> Connector:
    return service.get_connector(principal, connector_id)


@router.patch("/connectors/{connector_id}", response_model=Connector)
async def update_connector(connector_id: str, patch: ConnectorPatch, principal: Caller) -> Connector:
    return service.update_connector(principal, connector_id, patch)


@router.delete("/connectors/{connector_id}", status_code=204)
async def delete_connector(connector_id: str, principal: Caller) -> Response:
    service.delete_connector(principal, connector_id)
    return Response(status_code=204)


@router.post("/connectors/{connector_id}/connect", response_model=ConnectResult)
async def connect(connector_id: str, principal: Caller, request: ConnectRequest | None = None) -> ConnectResult:
    return service.connect(principal, connector_id, request or ConnectRequest())


@router.post("/connectors/{connector_id}/disconnect", response_model=Connector)
async def disconnect(connector_id: str, principal: Caller) -> Connector:
    return service.disconnect(principal, connector_id)


@router.post("/connectors/{connector_id}/sync", status_code=202, response_model=Job)
async def sync(connector_id: str, principal: Caller, request: SyncRequest | None = None) -> Job:
    return service.request_sync(principal, connector_id, request or SyncRequest())


app = make_app(router, title="Grounded connectors")
handler = make_handler(app)
