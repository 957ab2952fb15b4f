"""Drift: identical snapshots score 0 and store nothing; a changed prompt or model gives a report
with the right severity and an explanation; checks run on a new snapshot, on demand, and daily."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from tests.support.identity import Account, create_agent, create_snapshot
from tests.support.waiting import wait_until

PROMPT = "You are a support agent for Acme. Answer billing questions politely and briefly."
CONFIG = {"systemPrompt": PROMPT, "modelId": "gpt-4o-mini", "parameters": {"temperature": 0.2}}


def baselined(api: httpx.Client, owner: Account, threshold: float = 0.1) -> tuple[dict[str, Any], dict[str, Any]]:
    agent = create_agent(api, owner.headers, name=f"drift-{uuid.uuid4().hex[:6]}", driftThreshold=threshold)
    base = create_snapshot(api, owner.headers, agent["id"], label="v1", **CONFIG)
    assert (
        api.put(
            f"/api/agents/{agent['id']}/baseline", json={"snapshotId": base["id"]}, headers=owner.headers
        ).status_code
        == 200
    )
    return agent, base


def check(api: httpx.Client, owner: Account, agent_id: str, snapshot_id: str) -> dict[str, Any]:
    response = api.post(f"/api/agents/{agent_id}/drift", json={"snapshotId": snapshot_id}, headers=owner.headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def reports(api: httpx.Client, owner: Account, agent_id: str) -> list[dict[str, Any]]:
    return api.get("/api/drift/reports", params={"agentId": agent_id}, headers=owner.headers).json()["items"]  # type: ignore[no-any-return]


def test_identical_configurations_score_zero_and_store_nothing(api: httpx.Client, owner: Account) -> None:
    agent, _ = baselined(api, owner)
    same = create_snapshot(api, owner.headers, agent["id"], label="v1-again", **CONFIG)
    report = check(api, owner, agent["id"], same["id"])
    assert (report["score"], report["severity"], report["stored"]) == (0.0, None, False)
    assert report["explanation"] == []
    assert reports(api, owner, agent["id"]) == []


def test_a_changed_prompt_and_model_give_reports_with_severity_and_explanation(
    api: httpx.Client, owner: Account
) -> None:
    agent, base = baselined(api, owner)
    reworded = create_snapshot(
        api, owner.headers, agent["id"], label="v2", **{**CONFIG, "systemPrompt": PROMPT + " Never discuss refunds."}
    )
    new_model = create_snapshot(api, owner.headers, agent["id"], label="v3", **{**CONFIG, "modelId": "claude-sonnet-4"})
    pirate = {"systemPrompt": "Talk like a pirate about anything.", "modelId": "claude-sonnet-4", "parameters": {}}
    rewritten = create_snapshot(api, owner.headers, agent["id"], label="v4", **pirate)

    small = check(api, owner, agent["id"], reworded["id"])
    model = check(api, owner, agent["id"], new_model["id"])
    big = check(api, owner, agent["id"], rewritten["id"])

    assert 0 < small["score"] < model["score"] < big["score"] <= 1
    assert small["stored"] is False  # a few words added: under the 0.1 threshold
    assert (model["severity"], model["stored"]) == ("low", True)
    assert big["severity"] in ("high", "critical")
    assert "The model changed from gpt-4o-mini to claude-sonnet-4." in model["explanation"]
    prompt = next(c for c in big["components"] if c["name"] == "systemPrompt")
    assert prompt["detail"]["diff"][0].startswith("--- baseline")
    assert any(line.startswith("+Talk like a pirate") for line in prompt["detail"]["diff"])
    assert big["baselineSnapshotId"] == base["id"]
    fetched = api.get(f"/api/drift/reports/{big['id']}", headers=owner.headers).json()
    assert fetched["score"] == big["score"]
    high = api.get("/api/drift/reports", params={"severity": big["severity"]}, headers=owner.headers).json()["items"]
    assert big["id"] in [r["id"] for r in high]
    assert model["id"] not in [r["id"] for r in high]


def test_no_baseline_is_409_saying_how_to_set_one(api: httpx.Client, owner: Account) -> None:
    agent = create_agent(api, owner.headers, name="no-baseline")
    snapshot = create_snapshot(api, owner.headers, agent["id"])
    refused = api.post(f"/api/agents/{agent['id']}/drift", json={"snapshotId": snapshot["id"]}, headers=owner.headers)
    assert (refused.status_code, refused.json()["code"]) == (409, "no_baseline")
    assert f"PUT /api/agents/{agent['id']}/baseline" in refused.json()["error"]


def test_a_new_snapshot_is_checked_asynchronously_and_counted_by_severity(
    api: httpx.Client, owner: Account, cloud: Any
) -> None:
    agent, _ = baselined(api, owner)
    created = create_snapshot(api, owner.headers, agent["id"], label="v2", **{**CONFIG, "modelId": "gpt-4.1"})
    found = wait_until(lambda: reports(api, owner, agent["id"]), what="a drift report for the new snapshot")
    assert (found[0]["snapshotId"], found[0]["trigger"], found[0]["severity"]) == (created["id"], "snapshot", "low")
    today = datetime.now(UTC).date().isoformat()
    overview = api.get(
        "/api/analytics/overview", params={"from": today, "agentId": agent["id"]}, headers=owner.headers
    ).json()
    assert overview["series"]["driftBySeverity"] == [{"date": today, "low": 1, "medium": 0, "high": 0, "critical": 0}]


def test_the_daily_sweep_reports_agents_that_need_one(api: httpx.Client, owner: Account, cloud: Any) -> None:
    drifted, _ = baselined(api, owner)
    create_snapshot(api, owner.headers, drifted["id"], label="v2", **{**CONFIG, "modelId": "o3"})
    steady, _ = baselined(api, owner)  # its latest snapshot is its baseline
    cloud.drain(timeout_seconds=60)  # the creation-time check has run
    before = len(reports(api, owner, drifted["id"]))

    assert api.post("/_local/schedules/DriftSweepFunctionDaily/fire").status_code == 202

    after = reports(api, owner, drifted["id"])
    assert len(after) == before + 1
    assert after[0]["trigger"] == "schedule"
    assert reports(api, owner, steady["id"]) == []
