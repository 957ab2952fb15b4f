"""Trace ingestion and reading."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from grounded_core.http.access import Caller
from grounded_core.http.app import make_app, make_handler
from grounded_core.http.paging import Paging
from grounded_core.http.responses import batch_response
from grounded_core.ingest import service, traces
from grounded_core.ingest.models import TraceBatch
from grounded_core.pagination import Page

router = APIRouter(prefix="/api")


@router.post("/traces", status_code=202)
def post_trace(trace: dict[str, Any], principal: Caller) -> dict[str, str]:
    result = service.single(service.accept_traces(principal, [trace])[0])
    return {"traceId": result.trace_id or "", "status": "accepted"}


@router.post("/traces/batch", status_code=202, responses={207: {"description": "Some traces were rejected"}})
def post_traces(batch: TraceBatch, principal: Caller) -> JSONResponse:
    return batch_response(service.accept_traces(principal, batch.traces))


@router.get("/traces/{trace_id}")
def get_trace(trace_id: str, principal: Caller) -> dict[str, Any]:
    return traces.get_trace(principal, trace_id)


@router.get("/traces")
def list_traces(
    principal: Caller,
    page: Paging,
    agent_id: Annotated[str | None, Query(alias="agentId")] = None,
    session_id: Annotated[str | None, Query(alias="sessionId")] = None,
    since: Annotated[str | None, Query(alias="from")] = None,
    until: Annotated[str | None, Query(alias="to")] = None,
    status: Annotated[str | None, Query(pattern="^(ok|error)$")] = None,
) -> Page[dict[str, Any]]:
    return traces.list_traces(principal, page, agent_id, session_id, since, until, status)


app = make_app(router, title="Grounded traces")
handler = make_handler(app)
