"""Drift: reports, and checking a snapshot against the baseline on demand."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from grounded_core.drift.service import DriftReport, DriftRequest, check_now, get_report, list_reports
from grounded_core.http.access import Caller
from grounded_core.http.app import make_app, make_handler
from grounded_core.http.paging import Paging
from grounded_core.http.routes import Routes
from grounded_core.pagination import Page

router = Routes(prefix="/api")


@router.get("/drift/reports", response_model=Page[DriftReport])
async def reports(
    principal: Caller,
    page: Paging,
    agent_id: Annotated[str | None, Query(alias="agentId")] = None,
    severity: Annotated[str | None, Query(pattern="^(low|medium|high|critical)$")] = None,
) -> Page[DriftReport]:
    return list_reports(principal, page, agent_id, severity)


@router.get("/drift/reports/{report_id}", response_model=DriftReport)
async def report(report_id: str, principal: Caller) -> DriftReport:
    return get_report(principal, report_id)


@router.post("/agents/{agent_id}/drift", response_model=DriftReport)
async def check(agent_id: str, request: DriftRequest, principal: Caller) -> DriftReport:
    return check_now(principal, agent_id, request)


app = make_app(router, title="Grounded drift")
handler = make_handler(app)
