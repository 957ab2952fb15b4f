"""Browser telemetry ingestion (publishable keys welcome, for their own agent)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from grounded_core.http.access import Caller
from grounded_core.http.app import make_app, make_handler
from grounded_core.http.responses import BATCH_ANSWERS, batch_response
from grounded_core.ingest import service
from grounded_core.ingest.models import EventBatch

router = APIRouter(prefix="/api")


@router.post("/telemetry", status_code=202, **BATCH_ANSWERS)  # type: ignore[arg-type]
def post_events(batch: EventBatch, principal: Caller) -> JSONResponse:
    return batch_response(service.accept_events(principal, batch.events))


app = make_app(router, title="Grounded telemetry")
handler = make_handler(app)
