"""A client-supplied trace id is one agent's (issue 13, item 4): another agent's trace with a taken
id is refused with a clear reason — never answered "accepted" and then silently dropped — while
re-sending the same trace stays a no-op."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.support.identity import Account, bearer, create_agent, create_key, create_snapshot
from tests.support.ingest import post_traces, trace


def test_another_agents_trace_cannot_take_an_id(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> None:
    victim = create_agent(api, owner.headers, name="victim")
    create_snapshot(api, owner.headers, victim["id"])
    squatter = bearer(create_key(api, owner, name="pk", kind="publishable", agentId=agent["id"])["key"])
    taken = f"trace-{uuid.uuid4().hex[:8]}"
    assert api.post("/api/traces", json=trace(agent["id"], id=taken, name="first"), headers=squatter).status_code == 202

    refused = api.post("/api/traces", json=trace(victim["id"], id=taken, name="second"), headers=owner.headers)
    assert refused.status_code == 409
    assert refused.json()["code"] == "trace_id_taken"
    in_batch = post_traces(api, owner.headers, [trace(victim["id"], id=taken), trace(victim["id"])])
    assert in_batch.status_code == 207
    assert [r["status"] for r in in_batch.json()["results"]] == ["rejected", "accepted"]
    assert in_batch.json()["results"][0]["code"] == "trace_id_taken"

    again = api.post("/api/traces", json=trace(agent["id"], id=taken, name="first"), headers=squatter)
    assert again.status_code == 202  # the owner re-sending its own trace: idempotent as before
    assert api.get(f"/api/traces/{taken}", headers=owner.headers).json()["agentId"] == agent["id"]


def test_two_agents_one_id_in_one_batch_keeps_the_first_and_refuses_the_second(
    api: httpx.Client, owner: Account, agent: dict[str, Any]
) -> None:
    other = create_agent(api, owner.headers, name="other")
    create_snapshot(api, owner.headers, other["id"])
    shared = f"trace-{uuid.uuid4().hex[:8]}"
    response = post_traces(api, owner.headers, [trace(agent["id"], id=shared), trace(other["id"], id=shared)])
    assert response.status_code == 207
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected"]
    assert results[1]["code"] == "trace_id_taken"
