"""Analytics: the overview (daily series from the rollups) and insights."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from grounded_core.analytics.overview import Overview, overview
from grounded_core.http.access import Caller
from grounded_core.http.app import make_app, make_handler
from grounded_core.http.paging import Paging
from grounded_core.http.routes import Routes
from grounded_core.insights.store import Insight, list_insights
from grounded_core.pagination import Page

router = Routes(prefix="/api")
AgentId = Annotated[str | None, Query(alias="agentId")]
Since = Annotated[str | None, Query(alias="from")]
Until = Annotated[str | None, Query(alias="to")]


@router.get("/analytics/overview", response_model=Overview)
async def get_overview(
    principal: Caller, since: Since = None, until: Until = None, agent_id: AgentId = None
) -> Overview:
    return overview(principal, since, until, agent_id)


@router.get("/insights", response_model=Page[Insight])
async def get_insights(
    principal: Caller,
    page: Paging,
    agent_id: AgentId = None,
    rule: Annotated[str | None, Query(pattern="^(errors|cost_outlier|slow_turn|frustration)$")] = None,
    since: Since = None,
    until: Until = None,
) -> Page[Insight]:
    return list_insights(principal, page, agent_id, rule, since, until)


app = make_app(router, title="Grounded analytics")
handler = make_handler(app)
