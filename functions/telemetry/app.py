"""Browser telemetry ingestion (publishable keys welcome, for their own agent).

Browsers may send the batch as ``text/plain`` (what ``navigator.sendBeacon`` can send across
origins without a preflight) with the publishable key in the ``key`` query parameter, which the
authorizer reads on this route only; a secret key there is refused.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from fastapi.responses import JSONResponse

from grounded_core.http.access import Caller
from grounded_core.http.app import make_app, make_handler
from grounded_core.http.plain_json import PlainTextJson
from grounded_core.http.responses import BATCH_ANSWERS, batch_response
from grounded_core.http.routes import Routes
from grounded_core.ingest import service
from grounded_core.ingest.models import EventBatch

router = Routes(prefix="/api")
KEY_IN_URL = (
    "A publishable key (pk_…), for browsers that cannot send an Authorization header (sendBeacon). "
    "A secret key here is refused: it must never travel in a URL."
)
PLAIN_TEXT_BODY = {
    "requestBody": {
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/EventBatch"}},
            "text/plain": {"schema": {"$ref": "#/components/schemas/EventBatch"}},
        },
        "required": True,
    }
}


@router.post("/telemetry", status_code=202, openapi_extra=PLAIN_TEXT_BODY, **BATCH_ANSWERS)  # type: ignore[arg-type]
async def post_events(
    batch: EventBatch,
    principal: Caller,
    key: Annotated[str | None, Query(description=KEY_IN_URL, max_length=200)] = None,
) -> JSONResponse:
    return batch_response(service.accept_events(principal, batch.events))


app = make_app(router, title="Grounded telemetry")
app.add_middleware(PlainTextJson, paths={"/api/telemetry"})
handler = make_handler(app)
