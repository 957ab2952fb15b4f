"""Alerts: rules per agent on drift, eval pass rate, error rate, cost or insights, delivered to a
signed webhook and/or by email; their delivery log, and a test delivery."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from grounded_core.alerts import service
from grounded_core.alerts.models import Alert, AlertCreate, AlertPatch, Delivery
from grounded_core.alerts.service import AlertCreated, Deliveries
from grounded_core.http.access import Caller
from grounded_core.http.app import make_app, make_handler
from grounded_core.http.paging import Paging
from grounded_core.http.routes import Routes
from grounded_core.pagination import Page

router = Routes(prefix="/api")


@router.post("/alerts", status_code=201, response_model=AlertCreated)
async def create_alert(request: AlertCreate, principal: Caller) -> AlertCreated:
    """The answer holds the webhook's signing secret, this once."""
    return service.create_alert(principal, request)


@router.get("/alerts", response_model=Page[Alert])
async def list_alerts(
    principal: Caller, page: Paging, agent_id: Annotated[str | None, Query(alias="agentId")] = None
) -> Page[Alert]:
    return service.list_alerts(principal, page, agent_id)


@router.get("/alerts/{alert_id}", response_model=Alert)
async def get_alert(alert_id: str, principal: Caller) -> Alert:
    return service.get_alert(principal, alert_id)


@router.patch("/alerts/{alert_id}", response_model=Alert)
async def update_alert(alert_id: str, patch: AlertPatch, principal: Caller) -> Alert:
    return service.update_alert(principal, alert_id, patch)


@router.delete("/alerts/{alert_id}", status_code=204)
async def delete_alert(alert_id: str, principal: Caller) -> Response:
    service.delete_alert(principal, alert_id)
    return Response(status_code=204)


@router.get("/alerts/{alert_id}/deliveries", response_model=Page[Delivery])
async def list_deliveries(alert_id: str, principal: Caller, page: Paging) -> Page[Delivery]:
    return service.list_deliveries(principal, alert_id, page)


@router.post("/alerts/{alert_id}/test", status_code=202, response_model=Deliveries)
async def send_test(alert_id: str, principal: Caller) -> Deliveries:
    """An ``alert.test`` delivery to each channel, sent like any."""
    return Deliveries(items=service.send_test(principal, alert_id))


app = make_app(router, title="Grounded alerts")
handler = make_handler(app)
