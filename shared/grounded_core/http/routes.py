"""Routes declared at import and built when a request first needs them.

Building a FastAPI route is the costly part of importing an HTTP function: the endpoint's
signature is analysed into its dependencies and parameters, and pydantic fields are made for its
body, its parameters and its response model — about a millisecond a route, and FastAPI does it
twice (where the route is declared, and for the app that includes its router, at the first
request). A cold start serves one request, of one route: the identity function declares 23, the
evals function 30. So a function's :class:`Routes` records what its decorators declare,
:func:`grounded_core.http.app.make_app` gives the app a :class:`DeferredRoute` for each, matched
by its path (a regular expression compiled at import), and a deferred route builds the real one
the first time a request has its path — as the app would have built it (its dependencies, the
access guard among them). Whatever reads a router's ``routes`` (the OpenAPI composer, tests) gets
them built.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Match, compile_path
from starlette.types import Receive, Scope, Send


@dataclass(frozen=True)
class Declared:
    """A route as its decorator declared it: its whole path and FastAPI's ``add_api_route`` options."""

    path: str
    endpoint: Callable[..., Any]
    options: dict[str, Any]


class Routes(APIRouter):
    """An ``APIRouter`` that records the routes its decorators declare (:class:`Declared`) rather
    than building them: an app built by ``make_app`` builds each when a request first needs it;
    reading ``routes`` builds them all."""

    def __init__(self, *, prefix: str = "") -> None:
        self.declared: list[Declared] = []
        self._built: list[BaseRoute] = []
        super().__init__(prefix=prefix)

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:  # type: ignore[override]
        self.declared.append(Declared(self.prefix + path, endpoint, options))

    @property  # type: ignore[override]
    def routes(self) -> list[BaseRoute]:
        for declared in self.declared[len(self._built) :]:
            self._built.append(build(declared, APIRouter()))
        return self._built

    @routes.setter
    def routes(self, routes: list[BaseRoute]) -> None:
        if routes:
            raise ValueError("a Routes router's routes are declared with its decorators")


def build(declared: Declared, into: APIRouter) -> APIRoute:
    """The route ``declared``, as ``into`` (an app's router) would add it: with its dependencies
    and its dependency overrides."""
    scratch = APIRouter(
        dependencies=into.dependencies, dependency_overrides_provider=into.dependency_overrides_provider
    )
    scratch.add_api_route(declared.path, declared.endpoint, **declared.options)
    [route] = scratch.routes
    assert isinstance(route, APIRoute)
    return route


class DeferredRoute(BaseRoute):
    """A declared route of an app, matched by its path and built (once) when a request first has
    that path; the built route then decides, as it would have (405 for another method, say)."""

    def __init__(self, declared: Declared, app: FastAPI) -> None:
        self.declared = declared
        self.into = app.router
        self.path = declared.path
        self.name = declared.endpoint.__name__
        self.path_regex, self.path_format, self.param_convertors = compile_path(declared.path)
        self._route: APIRoute | None = None
        self._building = threading.Lock()
        _DEFERRED.append(self)

    @property
    def route(self) -> APIRoute:
        if self._route is None:
            with self._building:
                if self._route is None:
                    self._route = build(self.declared, self.into)
        return self._route

    @property
    def built(self) -> bool:
        return self._route is not None

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or not self._may_match(scope):
            return Match.NONE, {}
        return self.route.matches(scope)

    def _may_match(self, scope: Scope) -> bool:
        """Whether the request's path may be this route's: the path, or the path under the app's
        ``root_path`` (the built route decides which, as Starlette does)."""
        path, root = str(scope.get("path", "")), str(scope.get("root_path", ""))
        under_root = path[len(root) :] if root and path.startswith(root) else path
        return bool(self.path_regex.match(path) or self.path_regex.match(under_root))

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.route.handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        return self.route.url_path_for(name, **path_params)


def documented(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """``app.openapi``, for an app with deferred routes: its routes built and put in their
    places first (FastAPI documents the routes it built; the API's document is composed offline,
    by ``local.openapi``, and no function serves its own)."""
    compose = app.openapi

    def openapi() -> dict[str, Any]:
        routes = app.router.routes
        routes[:] = [route.route if isinstance(route, DeferredRoute) else route for route in routes]
        return compose()

    return openapi


#: every deferred route made in this process (:func:`build_deferred_routes`)
_DEFERRED: list[DeferredRoute] = []


def build_deferred_routes() -> int:
    """Build every deferred route now; how many were built. The local cloud does it at start:
    its functions share one process, where first requests on several threads would build routes
    (and their pydantic fields) at once."""
    pending = [route for route in _DEFERRED if not route.built]
    for route in pending:
        _ = route.route
    return len(pending)
