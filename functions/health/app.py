"""GET /api/health — no auth; tells a client (and the local cloud's users) the API is up."""

from __future__ import annotations

from fastapi import APIRouter

from grounded_core.health import Health, health
from grounded_core.http.app import make_app, make_handler

router = APIRouter(prefix="/api")


@router.get("/health", response_model=Health, response_model_by_alias=True)
def get_health() -> Health:
    return health()


app = make_app(router, title="Grounded health")
handler = make_handler(app)
