"""Sessions and turns: create, read, timeline, add turns, end, erase."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from grounded_core.errors import Invalid
from grounded_core.http.access import Caller
from grounded_core.http.app import make_app, make_handler
from grounded_core.http.paging import Paging
from grounded_core.http.routes import Routes
from grounded_core.http.search_params import Searching
from grounded_core.ingest.turns import Turn
from grounded_core.pagination import Page
from grounded_core.sessions import service
from grounded_core.sessions.models import SessionCreate, SessionView, TimelineEntry, TurnCreate

router = Routes(prefix="/api")


@router.post("/sessions", status_code=201, response_model=SessionView)
async def create_session(request: SessionCreate, principal: Caller) -> SessionView:
    return service.start_session(principal, request)


@router.get("/sessions", response_model=Page[SessionView])
async def list_sessions(
    principal: Caller,
    page: Paging,
    search: Searching,
    agent_id: Annotated[str | None, Query(alias="agentId")] = None,
    user_id: Annotated[str | None, Query(alias="userId")] = None,
    since: Annotated[str | None, Query(alias="from")] = None,
    until: Annotated[str | None, Query(alias="to")] = None,
    has_errors: Annotated[bool | None, Query(alias="hasErrors")] = None,
) -> Page[SessionView]:
    """Newest first. With a search filter (as on ``GET /api/traces``): the sessions of the traces
    that match, in the window (default: the last 7 days) — see docs/quality.md#search."""
    if not search.asked:
        return service.list_sessions(principal, page, agent_id, user_id, since, until, has_errors)
    if user_id is not None or has_errors is not None:
        raise Invalid(
            "userId and hasErrors filter the session list; search filters search traces.",
            details=[{"field": "userId" if user_id is not None else "hasErrors", "message": "not with search filters"}],
        )
    from grounded_core.search.traces import search_sessions  # the trace models: for a search alone

    return search_sessions(principal, page, search.query, agent_id, since, until, search.score)


@router.get("/sessions/{session_id}", response_model=SessionView)
async def get_session(session_id: str, principal: Caller) -> SessionView:
    return service.get_session(principal, session_id)


@router.get("/sessions/{session_id}/timeline", response_model=Page[TimelineEntry])
async def get_timeline(session_id: str, principal: Caller) -> Page[TimelineEntry]:
    return Page(items=service.timeline(principal, session_id), nextCursor=None)


@router.post("/sessions/{session_id}/turns", status_code=201, response_model=Turn, response_model_exclude_none=True)
async def add_turn(session_id: str, request: TurnCreate, principal: Caller) -> Turn:
    return service.add_turn(principal, session_id, request)


@router.post("/sessions/{session_id}/end", response_model=SessionView)
async def end_session(session_id: str, principal: Caller) -> SessionView:
    return service.end_session(principal, session_id)


@router.delete("/sessions/{session_id}", status_code=204)
async def delete_session(session_id: str, principal: Caller) -> Response:
    service.delete_session(principal, session_id)
    return Response(status_code=204)


app = make_app(router, title="Grounded sessions")
handler = make_handler(app)
