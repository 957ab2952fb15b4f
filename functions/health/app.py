"""GET /api/health — no auth; tells a client (and the local cloud's users) the API is up.

The same function is the HTTP API's ``$default`` route: any request no other route matches gets
the API's own 404 body (``{error, code}``), in AWS as locally."""

from __future__ import annotations

from fastapi import Request

from grounded_core.errors import NotFound
from grounded_core.health import Health, health
from grounded_core.http.access import UNROUTED, UNROUTED_METHODS
from grounded_core.http.app import make_app, make_handler
from grounded_core.http.routes import Routes

router = Routes()


@router.get("/api/health", response_model=Health, response_model_by_alias=True)
async def get_health() -> Health:
    return health()


@router.api_route(UNROUTED, methods=list(UNROUTED_METHODS), include_in_schema=False)
async def no_such_route(path: str, request: Request) -> None:
    raise NotFound(f"No route {request.method} /{path}.", code="route_not_found")


app = make_app(router, title="Grounded health")
handler = make_handler(app)
