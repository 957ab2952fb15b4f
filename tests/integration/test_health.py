"""The real template served by the local cloud: the public health route and API Gateway's 404."""

from __future__ import annotations

import httpx


def test_health_answers_ok_with_version_and_region(api: httpx.Client) -> None:
    # When a client asks for the health route, which needs no credentials
    response = api.get("/api/health")

    # Then it is up, and says which version and region it runs
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"status": "ok", "version": "0.1.0", "region": "us-east-1"}


def test_a_route_the_template_does_not_declare_is_a_json_404(api: httpx.Client) -> None:
    response = api.get("/api/no-such-route")

    assert response.status_code == 404
    assert response.json() == {"error": "No route GET /api/no-such-route.", "code": "route_not_found"}


def test_health_does_not_accept_other_methods(api: httpx.Client) -> None:
    # Given the template declares only GET /api/health, a POST matches no route, as in API Gateway
    response = api.post("/api/health", json={})

    assert response.status_code == 404


def test_the_openapi_document_is_served_without_credentials(api: httpx.Client) -> None:
    import json
    from pathlib import Path

    served = api.get("/api/openapi.json")
    assert served.status_code == 200
    assert served.json() == json.loads((Path(__file__).resolve().parents[2] / "openapi.json").read_text())
