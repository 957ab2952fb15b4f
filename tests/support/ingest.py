"""Helpers for ingestion tests: traces and events to send, and waiting for the worker."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.support.waiting import wait_until

START = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)


def at(seconds: float) -> str:
    return (START + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def llm_span(model: str = "gpt-4o-mini", **usage: int) -> dict[str, Any]:
    tokens = usage or {"inputTokens": 1000, "outputTokens": 200}
    return {
        "id": f"sp-{uuid.uuid4().hex[:8]}",
        "kind": "llm",
        "name": "chat",
        "startedAt": at(0),
        "endedAt": at(1),
        "model": model,
        "usage": tokens,
    }


def trace(agent_id: str, **fields: Any) -> dict[str, Any]:
    body = {
        "agentId": agent_id,
        "sessionId": f"conv-{uuid.uuid4().hex[:10]}",
        "name": "answer_question",
        "startedAt": at(0),
        "endedAt": at(2),
        "input": {"question": "Where is my order?"},
        "output": "It ships tomorrow.",
        "spans": [llm_span()],
    }
    body.update(fields)
    return body


def event(agent_id: str, anonymous_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "agentId": agent_id,
        "type": "click",
        "name": "send",
        "timestamp": at(1),
        "anonymousId": anonymous_id,
        **fields,
    }


def wait_normalized(
    api: httpx.Client, headers: dict[str, str], trace_id: str, state: str = "normalized"
) -> dict[str, Any]:
    def settled() -> dict[str, Any] | None:
        body = api.get(f"/api/traces/{trace_id}", headers=headers).json()
        return body if body.get("normalization", {}).get("state") == state else None

    return wait_until(settled, timeout=60, what=f"trace {trace_id} {state}")


def post_traces(api: httpx.Client, headers: dict[str, str], traces: list[dict[str, Any]]) -> httpx.Response:
    return api.post("/api/traces/batch", json={"traces": traces}, headers=headers)
