"""Rate-limit policies: atomic counters let exactly the limit through, concurrent or batched."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import httpx

from tests.support.identity import Account, create_agent, create_snapshot
from tests.support.ingest import event, trace

DAY = 86_400  # a window long enough that a test never straddles two


def limited_agent(api: httpx.Client, owner: Account, **policy: Any) -> dict[str, Any]:
    agent = create_agent(api, owner.headers, name=f"limited-{uuid.uuid4().hex[:6]}")
    create_snapshot(api, owner.headers, agent["id"])
    body = {"agentId": agent["id"], "type": "rate_limit", "windowSeconds": DAY, **policy}
    created = api.post("/api/policies", json=body, headers=owner.headers)
    assert created.status_code == 201, created.text
    return {**agent, "policy": created.json()}


def test_five_per_window_lets_exactly_five_of_eight_concurrent_requests_through(
    api: httpx.Client, owner: Account
) -> None:
    agent = limited_agent(api, owner, limit=5, per="agent")
    statuses: list[int] = []
    retry_after: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def send() -> None:
        with httpx.Client(base_url=str(api.base_url), timeout=30) as client:
            barrier.wait()
            response = client.post("/api/traces", json=trace(agent["id"]), headers=owner.headers)
        with lock:
            statuses.append(response.status_code)
            if response.status_code == 429:
                retry_after.append(response.headers["retry-after"])

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [202] * 5 + [429] * 3
    assert all(0 < int(value) <= DAY for value in retry_after)


def test_in_a_batch_each_item_counts_and_the_rest_get_429(api: httpx.Client, owner: Account) -> None:
    agent = limited_agent(api, owner, limit=3, per="user")
    batch = [trace(agent["id"], userId="u-1") for _ in range(5)] + [trace(agent["id"], userId="u-2")]
    answer = api.post("/api/traces/batch", json={"traces": batch}, headers=owner.headers)
    assert answer.status_code == 207
    results = answer.json()["results"]
    assert [r["status"] for r in results] == ["accepted"] * 3 + ["rejected"] * 2 + ["accepted"]
    assert {(r["code"], r["httpStatus"]) for r in results[3:5]} == {("rate_limited", 429)}
    assert all(r["retryAfterSeconds"] > 0 for r in results[3:5])

    events = [event(agent["id"], "anon-1", userId="u-2") for _ in range(3)]
    sent = api.post("/api/telemetry", json={"events": events}, headers=owner.headers).json()["results"]
    assert [r["status"] for r in sent] == ["accepted", "accepted", "rejected"]  # u-2 already used one


def test_sessions_and_turns_count_and_policies_can_be_changed(api: httpx.Client, owner: Account) -> None:
    agent = limited_agent(api, owner, limit=2, per="session")
    session = api.post("/api/sessions", json={"agentId": agent["id"], "externalId": "ticket-1"}, headers=owner.headers)
    assert session.status_code == 201
    path = f"/api/sessions/{session.json()['id']}/turns"
    turns = [api.post(path, json={"role": "user", "content": f"hi {n}"}, headers=owner.headers) for n in range(3)]
    assert [t.status_code for t in turns] == [201, 201, 429]
    assert turns[2].json()["code"] == "rate_limited"

    policy = agent["policy"]["id"]
    raised = api.patch(f"/api/policies/{policy}", json={"limit": 100}, headers=owner.headers)
    assert raised.json()["limit"] == 100
    listed = api.get("/api/policies", params={"agentId": agent["id"]}, headers=owner.headers).json()["items"]
    assert [p["id"] for p in listed] == [policy]
    assert api.delete(f"/api/policies/{policy}", headers=owner.headers).status_code == 204
    assert api.get(f"/api/policies/{policy}", headers=owner.headers).status_code == 404


def test_policies_are_validated(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> None:
    for body in (
        {"agentId": agent["id"], "limit": 0, "windowSeconds": 60},
        {"agentId": agent["id"], "limit": 5, "windowSeconds": 60, "per": "planet"},
        {"agentId": agent["id"], "limit": 5, "windowSeconds": 60, "type": "quota"},
    ):
        assert api.post("/api/policies", json=body, headers=owner.headers).status_code == 422
    assert (
        api.post(
            "/api/policies", json={"agentId": "agt_nope", "limit": 5, "windowSeconds": 60}, headers=owner.headers
        ).status_code
        == 404
    )
