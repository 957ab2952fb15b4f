"""Trace ingestion and reading."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Query
from fastapi.responses import JSONResponse

from grounded_core.errors import Invalid
from grounded_core.http.access import Caller
from grounded_core.http.app import make_app, make_handler
from grounded_core.http.paging import Paging
from grounded_core.http.responses import BATCH_ANSWERS, batch_response
from grounded_core.http.routes import Routes
from grounded_core.http.search_params import Searching
from grounded_core.ingest import service, traces
from grounded_core.ingest.models import Accepted, TraceBatch, TraceView
from grounded_core.pagination import Page

router = Routes(prefix="/api")


#: the body is checked by the ingest service (its errors name each field); documented as a TraceIn
TRACE_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TraceIn"}}},
    }
}


@router.post("/traces", status_code=202, openapi_extra=TRACE_BODY)
async def post_trace(trace: Annotated[dict[str, Any], Body(include_in_schema=False)], principal: Caller) -> Accepted:
    result = service.single(service.accept_traces(principal, [trace])[0])
    return Accepted(trace_id=result.trace_id or "", status="accepted")


@router.post("/traces/batch", status_code=202, **BATCH_ANSWERS)  # type: ignore[arg-type]
async def post_traces(batch: TraceBatch, principal: Caller) -> JSONResponse:
    return batch_response(service.accept_traces(principal, batch.traces))


@router.get("/traces/{trace_id}", response_model=TraceView, response_model_by_alias=True)
async def get_trace(trace_id: str, principal: Caller) -> TraceView:
    return traces.get_trace(principal, trace_id)


@router.get("/traces", response_model=Page[TraceView], response_model_by_alias=True)
async def list_traces(
    principal: Caller,
    page: Paging,
    search: Searching,
    agent_id: Annotated[str | None, Query(alias="agentId")] = None,
    session_id: Annotated[str | None, Query(alias="sessionId")] = None,
    since: Annotated[str | None, Query(alias="from")] = None,
    until: Annotated[str | None, Query(alias="to")] = None,
    status: Annotated[str | None, Query(pattern="^(ok|error)$")] = None,
) -> Page[TraceView]:
    """Newest first. With a search filter (``q``, ``metadata.<key>=<value>``, ``tag``, ``model``,
    cost, latency or score ranges) the org's traces of the window (default: the last 7 days) are
    searched — see docs/quality.md#search."""
    if not search.asked:
        return traces.list_traces(principal, page, agent_id, session_id, since, until, status)
    if session_id:
        raise Invalid(
            "sessionId lists one session's traces; search filters search the org's.",
            details=[{"field": "sessionId", "message": "not with search filters"}],
        )
    from grounded_core.search.traces import search_traces  # with the sessions' models: for a search alone

    return search_traces(principal, page, search.query, agent_id, since, until, status, search.score)


app = make_app(router, title="Grounded traces")
handler = make_handler(app)
