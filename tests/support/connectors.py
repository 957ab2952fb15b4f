"""Connector helpers for tests: create and connect through the API, wait on sync jobs."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.waiting import wait_until

TERMINAL = ("succeeded", "failed", "cancelled")


#: a LangSmith configuration that validates (it is never connected to anything)
LANGSMITH = {"apiKey": "lsv2_pt_0123456789", "projectName": "p"}


def create_connector(
    api: httpx.Client, headers: dict[str, str], agent_id: str, provider: str, config: dict[str, Any], **body: Any
) -> dict[str, Any]:
    category = {"langsmith": "llm-tracing", "fullstory": "session-data"}[provider]
    payload = {"agentId": agent_id, "name": f"{provider} import", "category": category, "provider": provider}
    response = api.post("/api/connectors", json={**payload, "config": config, **body}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def connect(api: httpx.Client, headers: dict[str, str], connector_id: str, **body: Any) -> dict[str, Any]:
    response = api.post(f"/api/connectors/{connector_id}/connect", json=body or None, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def sync(api: httpx.Client, headers: dict[str, str], connector_id: str, **window: str) -> dict[str, Any]:
    response = api.post(f"/api/connectors/{connector_id}/sync", json=window, headers=headers)
    assert response.status_code == 202, response.text
    return response.json()  # type: ignore[no-any-return]


def job(api: httpx.Client, headers: dict[str, str], job_id: str) -> dict[str, Any]:
    return api.get(f"/api/jobs/{job_id}", headers=headers).json()  # type: ignore[no-any-return]


def wait_job(api: httpx.Client, headers: dict[str, str], job_id: str, timeout: float = 60) -> dict[str, Any]:
    """The job once it has ended (any terminal status)."""
    return wait_until(
        lambda: (found := job(api, headers, job_id))["status"] in TERMINAL and found,
        timeout=timeout,
        interval=0.2,
        what=f"job {job_id} to end",
    )


def every(api: httpx.Client, headers: dict[str, str], path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a paginated list."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = api.get(path, params={**params, "limit": 200, **({"cursor": cursor} if cursor else {})}, headers=headers)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["nextCursor"]
        if not cursor:
            return items
