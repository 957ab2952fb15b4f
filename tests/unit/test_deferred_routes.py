"""A function's routes are declared at import and each is built when a request first needs it
(``grounded_core.http.routes``): a cold start builds the one route it serves, and that route answers
as the app would have built it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import Response
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel

from grounded_core.http.access import PUBLIC
from grounded_core.http.app import make_app
from grounded_core.http.routes import DeferredRoute, Routes, build_deferred_routes
from tests.unit.test_cold_start_imports import FUNCTIONS, printed_by


class Thing(BaseModel):
    name: str


def declared() -> Routes:
    router = Routes(prefix="/api")

    @router.get("/things/{thing_id}")
    async def get_thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    @router.post("/things", status_code=201, response_model=Thing)
    async def create_thing(thing: Thing) -> Thing:
        return thing

    @router.delete("/things/{thing_id}", status_code=204)
    async def delete_thing(thing_id: str) -> Response:
        return Response(status_code=204)

    @router.get("/other")
    async def other() -> dict[str, str]:
        return {}

    return router


OPEN = {f"{method} /api/{path}": PUBLIC for method, path in (("GET", "things/{thing_id}"), ("POST", "things"))}
OPEN |= {"DELETE /api/things/{thing_id}": PUBLIC, "GET /api/other": PUBLIC}


def deferred(app: Any) -> list[DeferredRoute]:
    return [route for route in app.router.routes if isinstance(route, DeferredRoute)]


def built(app: Any) -> set[str]:
    return {f"{sorted(route.route.methods)[0]} {route.path}" for route in deferred(app) if route.built}


def test_declaring_builds_nothing_and_a_request_builds_only_the_routes_of_its_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[str] = []
    build = APIRoute.__init__

    def counted(self: APIRoute, path: str, *args: Any, **kwargs: Any) -> None:
        made.append(path)
        build(self, path, *args, **kwargs)

    monkeypatch.setattr(APIRoute, "__init__", counted)
    app = make_app(declared(), access=OPEN)
    assert len(deferred(app)) == 4
    assert made == []  # nothing built at import

    client = TestClient(app, raise_server_exceptions=False)
    assert client.get("/api/things/t-1").json() == {"id": "t-1"}
    assert built(app) == {"GET /api/things/{thing_id}"}
    assert made == ["/api/things/{thing_id}"]
    assert client.get("/api/things/t-2").json() == {"id": "t-2"}
    assert len(made) == 1  # built once

    created = client.post("/api/things", json={"name": "a"})
    assert (created.status_code, created.json()) == (201, {"name": "a"})
    invalid = client.post("/api/things", json={})
    assert (invalid.status_code, invalid.json()["details"][0]["field"]) == (422, "name")
    assert built(app) == {"GET /api/things/{thing_id}", "POST /api/things"}

    other_method = client.put("/api/things/t-1")
    assert (other_method.status_code, other_method.json()["code"]) == (405, "method_not_allowed")
    assert client.get("/api/nothing").json() == {"error": "Not Found", "code": "not_found"}
    assert "GET /api/other" not in built(app)


def test_a_deferred_route_is_guarded_as_every_route_is() -> None:
    client = TestClient(make_app(declared(), access={}), raise_server_exceptions=False)
    refused = client.get("/api/things/t-1")
    assert (refused.status_code, refused.json()["code"]) == (403, "no_access_rule")


def test_every_deferred_route_can_be_built_at_once_and_documented() -> None:
    router = declared()
    app = make_app(router, access=OPEN)
    assert build_deferred_routes() >= 4
    assert all(route.built for route in deferred(app))
    assert {route.path for route in router.routes if isinstance(route, APIRoute)} == {  # read: built
        "/api/things/{thing_id}",
        "/api/things",
        "/api/other",
    }
    assert set(app.openapi()["paths"]) == {"/api/things/{thing_id}", "/api/things", "/api/other"}


def test_no_function_builds_a_route_as_it_is_imported() -> None:
    """Every HTTP function declares its routes with :class:`Routes`: importing all of them builds
    no route, and each app holds one deferred route per declaration."""
    apps = [name for name in FUNCTIONS if name not in {"authorizer"}]
    code = (
        "import importlib, fastapi.routing as routing\n"
        "from grounded_core.http.routes import DeferredRoute\n"
        "made = []\n"
        "build = routing.APIRoute.__init__\n"
        "routing.APIRoute.__init__ = lambda self, *a, **k: (made.append(1), build(self, *a, **k))[1]\n"
        "declared = deferred = 0\n"
        f"for name in {apps!r}:\n"
        "    module = importlib.import_module(name + '.app')\n"
        "    if not hasattr(module, 'router'):\n"
        "        continue\n"
        "    declared += len(module.router.declared)\n"
        "    deferred += sum(isinstance(r, DeferredRoute) and not r.built for r in module.app.router.routes)\n"
        "print(len(made), declared, deferred)\n"
    )
    made, declared_routes, deferred_routes = printed_by(code)
    assert made == "0"
    assert int(declared_routes) > 100
    assert deferred_routes == declared_routes
