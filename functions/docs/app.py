"""GET /api/openapi.json: the API's OpenAPI document (composed by ``python -m local.openapi``)."""

from __future__ import annotations

from pathlib import Path

from fastapi.responses import Response

from grounded_core.http.app import make_app, make_handler
from grounded_core.http.routes import Routes

DOCUMENT = Path(__file__).with_name("openapi.json")
router = Routes(prefix="/api")


@router.get("/openapi.json", include_in_schema=False)
async def openapi() -> Response:
    return Response(DOCUMENT.read_bytes(), media_type="application/json")


app = make_app(router, title="Grounded docs")
handler = make_handler(app)
