"""Scores and feedback: ``POST /api/scores`` records one (a publishable key: its end users'
feedback on its agent's traces, also as ``text/plain`` with the key in ``?key=`` so a page can
send it with ``sendBeacon``); ``GET /api/scores`` lists a target's, or one name's."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from grounded_core.http.access import Caller
from grounded_core.http.app import make_app, make_handler
from grounded_core.http.paging import Paging
from grounded_core.http.plain_json import PlainTextJson
from grounded_core.http.routes import Routes
from grounded_core.pagination import Page
from grounded_core.scores import service
from grounded_core.scores.models import Score, ScoreCreate

router = Routes(prefix="/api")
KEY_IN_URL = "A publishable key (pk_…) for a browser's sendBeacon; a secret key here is refused."
PLAIN_TEXT_BODY = {
    "requestBody": {
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ScoreCreate"}},
            "text/plain": {"schema": {"$ref": "#/components/schemas/ScoreCreate"}},
        },
        "required": True,
    }
}
Text = Annotated[str | None, Query(min_length=1, max_length=128)]


@router.post(
    "/scores",
    status_code=201,
    response_model=Score,
    openapi_extra=PLAIN_TEXT_BODY,
    responses={200: {"model": Score, "description": "A score with this id was there: answered (or replaced)"}},
)
async def create_score(
    request: ScoreCreate,
    principal: Caller,
    response: Response,
    key: Annotated[str | None, Query(description=KEY_IN_URL, max_length=200)] = None,
) -> Score:
    score, outcome = service.record_score(principal, request)
    if outcome != "created":
        response.status_code = 200
    return score


@router.get("/scores", response_model=Page[Score])
async def list_scores(
    principal: Caller,
    page: Paging,
    trace_id: Annotated[str | None, Query(alias="traceId", min_length=1, max_length=128)] = None,
    span_id: Annotated[str | None, Query(alias="spanId", min_length=1, max_length=128)] = None,
    session_id: Annotated[str | None, Query(alias="sessionId", min_length=1, max_length=128)] = None,
    run_id: Annotated[str | None, Query(alias="runId", min_length=1, max_length=128)] = None,
    case_id: Annotated[str | None, Query(alias="caseId", min_length=1, max_length=128)] = None,
    name: Text = None,
    source: Text = None,
    agent_id: Annotated[str | None, Query(alias="agentId", min_length=1, max_length=128)] = None,
    since: Annotated[str | None, Query(alias="from")] = None,
    until: Annotated[str | None, Query(alias="to")] = None,
) -> Page[Score]:
    asked = service.ScoreFilter(trace_id, span_id, session_id, run_id, case_id, name, source, agent_id, since, until)
    return service.list_scores(principal, page, asked)


app = make_app(router, title="Grounded scores")
app.add_middleware(PlainTextJson, paths={"/api/scores"})
handler = make_handler(app)
