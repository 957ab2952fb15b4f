"""A just-started local cloud takes a burst of first requests at every function at once (issue 21):
in AWS each container serves one request at a time, but locally every invocation shares one
process, so first imports of handler modules and the first AWS clients must be safe there. No
request may answer a 5xx."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.support.cloud_process import ROOT, cloud_process

PASSWORD = "correct horse battery"
BURST = 4  # requests per route, all at once


def sign_up(client: httpx.Client) -> httpx.Response:
    email = f"burst-{uuid.uuid4().hex[:10]}@example.com"
    body = {"email": email, "password": PASSWORD, "name": "B", "orgName": "Burst"}
    return client.post("/api/auth/signup", json=body)


def test_a_burst_of_first_requests_at_every_function_gets_no_server_error() -> None:
    output: list[str] = []
    with (
        cloud_process(ROOT / "template.yaml", "--no-demo", output=output) as url,
        httpx.Client(base_url=url, timeout=60) as client,
        ThreadPoolExecutor(max_workers=16) as pool,
    ):
        public = [lambda: sign_up(client)] * BURST + [lambda: client.get("/api/health")] * BURST
        public += [lambda: client.get("/api/openapi.json")] * BURST
        first = list(pool.map(lambda call: call(), public))
        failed = [(r.request.url.path, r.status_code, r.text[:300]) for r in first if r.status_code >= 500]
        assert failed == [], "".join(output[-60:])
        token = next(r.json()["token"] for r in first if r.request.url.path == "/api/auth/signup")
        headers = {"Authorization": f"Bearer {token}"}
        agent = client.post("/api/agents", json={"name": "burst"}, headers=headers).json()["id"]

        routes: list[tuple[str, str, Any]] = [
            ("GET", "/api/sessions", None),
            ("GET", "/api/traces", None),
            ("POST", "/api/traces/batch", {"traces": []}),
            ("POST", "/api/telemetry", {"events": [{"agentId": agent, "type": "click", "name": "x"}]}),
            ("POST", "/api/otel/v1/traces", {"resourceSpans": []}),
            ("GET", "/api/jobs", None),
            ("GET", "/api/connectors", None),
            ("GET", "/api/evals/suites", None),
            ("GET", "/api/analytics/overview", None),
            ("GET", "/api/drift/reports", None),
            ("GET", "/api/policies", None),
            ("GET", "/api/pricing", None),
            ("GET", "/api/insights", None),
            ("GET", "/api/keys", None),
        ]

        def call(route: tuple[str, str, Any]) -> httpx.Response:
            method, path, body = route
            return client.request(method, path, json=body, headers=headers)

        answers = list(pool.map(call, routes * BURST))
        failed = [(r.request.url.path, r.status_code, r.text[:300]) for r in answers if r.status_code >= 500]
        assert failed == [], failed
        tail = "".join(output)
        assert "Traceback" not in tail, tail[-4000:]
