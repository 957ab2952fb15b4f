"""Insights: each rule flags a session that matches it, and not one that does not."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.support.identity import Account, create_agent, create_snapshot
from tests.support.ingest import at, event, post_traces, trace


@pytest.fixture(scope="module")
def flagged(api: httpx.Client, owner: Account, cloud: Any) -> dict[str, Any]:
    agent = create_agent(api, owner.headers, name="insights")
    create_snapshot(api, owner.headers, agent["id"])

    def spend(usd: float) -> dict[str, Any]:
        span = {"id": "s1", "kind": "llm", "name": "chat", "startedAt": at(0), "endedAt": at(1), "costUsd": usd}
        return trace(agent["id"], spans=[span])

    sessions = {f"cheap-{n}": spend(0.01) for n in range(6)}
    sessions |= {
        "ok": trace(agent["id"]),
        "failing": trace(agent["id"], status="error", error="tool timed out"),
        "slow": trace(agent["id"], endedAt=at(14)),
    }
    for name, body in sessions.items():
        body["sessionId"] = f"{name}-{uuid.uuid4().hex[:6]}"
    assert post_traces(api, owner.headers, list(sessions.values())).status_code == 202
    cloud.drain(timeout_seconds=60)
    costly = spend(0.5)
    costly["sessionId"] = f"costly-{uuid.uuid4().hex[:6]}"
    assert post_traces(api, owner.headers, [costly]).status_code == 202
    sessions["costly"] = costly
    browser = {"rage": {"rageClick": True}, "dead": {"deadClick": True}, "calm": {}}
    events = [
        event(agent["id"], f"anon-{name}-{uuid.uuid4().hex[:6]}", properties=props) for name, props in browser.items()
    ]
    events.append(
        event(agent["id"], f"anon-oops-{uuid.uuid4().hex[:6]}", type="error", name="TypeError: x is undefined")
    )
    assert api.post("/api/telemetry", json={"events": events}, headers=owner.headers).status_code == 202
    cloud.drain(timeout_seconds=60)
    found = api.get("/api/insights", params={"agentId": agent["id"], "limit": 200}, headers=owner.headers).json()[
        "items"
    ]
    by_session = {}
    for name, body in sessions.items():
        session = api.get("/api/sessions", params={"agentId": agent["id"], "limit": 200}, headers=owner.headers).json()[
            "items"
        ]
        by_session[name] = next(s["id"] for s in session if s["externalId"] == body["sessionId"])
    anon = {e["anonymousId"].split("-")[1]: e["anonymousId"] for e in events}
    listed = api.get("/api/sessions", params={"agentId": agent["id"], "limit": 200}, headers=owner.headers).json()[
        "items"
    ]
    for name, anonymous in anon.items():
        by_session[name] = next(s["id"] for s in listed if s["anonymousId"] == anonymous)
    return {"insights": found, "sessions": by_session}


def rules_of(flagged: dict[str, Any], name: str) -> set[str]:
    session = flagged["sessions"][name]
    return {insight["rule"] for insight in flagged["insights"] if insight["sessionId"] == session}


def test_errors(flagged: dict[str, Any]) -> None:
    assert rules_of(flagged, "failing") == {"errors"}
    assert rules_of(flagged, "oops") == {"errors"}
    reason = next(i["reason"] for i in flagged["insights"] if i["sessionId"] == flagged["sessions"]["failing"])
    assert reason == "Trace 'answer_question' failed: tool timed out"


def test_slow_turns(flagged: dict[str, Any]) -> None:
    assert rules_of(flagged, "slow") == {"slow_turn"}


def test_cost_outliers(flagged: dict[str, Any]) -> None:
    assert rules_of(flagged, "costly") == {"cost_outlier"}
    assert all(rules_of(flagged, f"cheap-{n}") == set() for n in range(6))


def test_frustration(flagged: dict[str, Any]) -> None:
    assert rules_of(flagged, "rage") == {"frustration"}
    assert rules_of(flagged, "dead") == {"frustration"}
    assert rules_of(flagged, "calm") == set()
    assert rules_of(flagged, "ok") == set()


def test_insights_link_to_their_session(api: httpx.Client, owner: Account, flagged: dict[str, Any]) -> None:
    insight = flagged["insights"][0]
    assert insight["link"] == f"/api/sessions/{insight['sessionId']}"
    assert api.get(insight["link"], headers=owner.headers).status_code == 200
    only = api.get("/api/insights", params={"rule": "slow_turn"}, headers=owner.headers).json()["items"]
    assert {i["rule"] for i in only} == {"slow_turn"}
