"""Every route of every function has exactly one access rule, and the template agrees with the
functions about which routes exist and which are public."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from grounded_core.http.access import ROUTE_ACCESS, UNROUTED
from local.template import load_template

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def template_routes() -> dict[str, str | None]:
    template = load_template(ROOT / "template.yaml")
    return {route.route_key: route.authorizer for route in template.http_routes()}


def function_routes() -> set[str]:
    template = load_template(ROOT / "template.yaml")
    found = set()
    for source in template.functions().values():
        router = getattr(importlib.import_module(source.module), "router", None)
        if router is None:  # the authorizer and the workers serve no routes
            continue
        for route in router.routes:
            for method in getattr(route, "methods", set()) - {"HEAD", "OPTIONS"}:
                found.add(f"{method} {route.path}")
    return found


def _template_form(route_key: str) -> str:
    """``GET /api/agents/{agent_id}`` as the template spells it (``{agentId}``); the catch-all
    path is the template's ``$default`` route."""
    from pydantic.alias_generators import to_camel

    method, path = route_key.split(" ")
    if path == UNROUTED:
        return "ANY $default"
    parts = [to_camel(p[1:-1]).join("{}") if p.startswith("{") else p for p in path.split("/")]
    return f"{method} {'/'.join(parts)}"


def test_every_function_route_has_an_access_rule() -> None:
    routes = function_routes()
    assert "GET /api/health" in routes
    assert routes - set(ROUTE_ACCESS) == set()


def test_no_access_rule_is_left_over() -> None:
    assert set(ROUTE_ACCESS) - function_routes() == set()


def test_every_route_is_in_the_template_and_public_exactly_when_its_rule_is(
    template_routes: dict[str, str | None],
) -> None:
    for route_key, access in ROUTE_ACCESS.items():
        declared = _template_form(route_key)
        assert declared in template_routes, f"{declared} is not an HttpApi event in template.yaml"
        assert (template_routes[declared] is None) == access.public, declared


def test_the_authorizer_decides_every_request_afresh() -> None:
    """No result cache (a revocation applies to the next request), so no required identity source
    either (a request without credentials gets the API's JSON 401)."""
    [authorizer] = load_template(ROOT / "template.yaml").authorizers().values()
    assert authorizer.identity_headers == ()
    assert authorizer.cache_ttl_seconds == 0
