"""Agents, snapshots and baselines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.support.calls import dynamodb_calls
from tests.support.identity import Account, create_agent, create_snapshot, sign_up


def test_agent_crud(api: httpx.Client, owner: Account) -> None:
    created = create_agent(api, owner.headers, name="triage", description="Sorts tickets", driftThreshold=0.25)
    assert created["id"].startswith("agt_")
    assert (created["driftThreshold"], created["baselineSnapshotId"]) == (0.25, None)

    path = f"/api/agents/{created['id']}"
    assert api.get(path, headers=owner.headers).json() == created
    patched = api.patch(path, json={"description": None, "name": "triage-2"}, headers=owner.headers).json()
    assert (patched["name"], patched["description"], patched["driftThreshold"]) == ("triage-2", None, 0.25)

    assert api.delete(path, headers=owner.headers).status_code == 204
    assert api.get(path, headers=owner.headers).status_code == 404


def test_agent_input_is_validated(api: httpx.Client, owner: Account) -> None:
    response = api.post("/api/agents", json={"name": "", "driftThreshold": 2}, headers=owner.headers)
    assert response.status_code == 422
    assert {d["field"] for d in response.json()["details"]} == {"name", "driftThreshold"}
    assert api.post("/api/agents", json={"name": "x", "surprise": 1}, headers=owner.headers).status_code == 422
    malformed = api.post("/api/agents", content=b"{", headers={**owner.headers, "content-type": "application/json"})
    assert malformed.status_code == 400


def test_agents_list_in_pages(api: httpx.Client) -> None:
    account = sign_up(api)
    ids = [create_agent(api, account.headers, name=f"bot-{n}")["id"] for n in range(5)]

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get("/api/agents", params=params, headers=account.headers).json()
        seen += [agent["id"] for agent in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(ids)
    assert api.get("/api/agents", params={"cursor": "garbage!"}, headers=account.headers).status_code == 400
    assert api.get("/api/agents", params={"limit": 500}, headers=account.headers).status_code == 422


def test_snapshots_are_immutable_versions_listed_newest_first(api: httpx.Client, owner: Account) -> None:
    agent = create_agent(api, owner.headers)
    tools = [{"name": "search", "description": "Search the docs", "parameters": {"type": "object"}}]
    first = create_snapshot(api, owner.headers, agent["id"], label="v1", tools=tools, parameters={"temperature": 0.2})
    second = create_snapshot(api, owner.headers, agent["id"], label="v2", modelId="claude-sonnet-4")

    listed = api.get(f"/api/agents/{agent['id']}/snapshots", headers=owner.headers).json()["items"]
    assert [s["id"] for s in listed] == [second["id"], first["id"]]
    fetched = api.get(f"/api/snapshots/{first['id']}", headers=owner.headers).json()
    assert fetched["tools"] == tools
    assert fetched["parameters"] == {"temperature": 0.2}
    assert api.patch(f"/api/snapshots/{first['id']}", json={"label": "x"}, headers=owner.headers).status_code == 404
    bad = api.post(f"/api/agents/{agent['id']}/snapshots", json={"label": "v3"}, headers=owner.headers)
    assert bad.status_code == 422


def test_the_baseline_must_be_one_of_the_agents_snapshots(api: httpx.Client, owner: Account) -> None:
    agent = create_agent(api, owner.headers)
    other = create_agent(api, owner.headers, name="other")
    mine = create_snapshot(api, owner.headers, agent["id"])
    theirs = create_snapshot(api, owner.headers, other["id"])

    path = f"/api/agents/{agent['id']}/baseline"
    assert (
        api.put(path, json={"snapshotId": mine["id"]}, headers=owner.headers).json()["baselineSnapshotId"] == mine["id"]
    )
    for snapshot_id in (theirs["id"], "snp_unknown"):
        refused = api.put(path, json={"snapshotId": snapshot_id}, headers=owner.headers)
        assert refused.status_code == 422
        assert refused.json()["details"][0]["field"] == "snapshotId"


def test_the_snapshot_current_at_a_moment_is_one_query(api: httpx.Client, owner: Account) -> None:
    from grounded_core.agents.models import SnapshotCreate
    from grounded_core.agents.service import create_snapshot as store_snapshot
    from grounded_core.agents.service import snapshot_current_at
    from grounded_core.clock import iso
    from grounded_core.identity.principal import Credential

    agent = create_agent(api, owner.headers)
    principal = Credential(
        authenticated=True, kind="secret_key", org_id=owner.org["id"], scopes="agents:write"
    ).principal(None)
    monday = datetime(2026, 11, 2, 9, tzinfo=UTC)
    versions = {}
    for day, label in enumerate(["v1", "v2", "v3"]):
        request = SnapshotCreate(label=label, modelId="gpt-4o")
        versions[label] = store_snapshot(principal, agent["id"], request, now=monday + timedelta(days=day)).id

    def current(moment: datetime) -> str | None:
        found = snapshot_current_at(owner.org["id"], agent["id"], iso(moment))
        return found.label if found else None

    with dynamodb_calls(this_thread_only=True) as calls:
        assert current(monday - timedelta(hours=1)) is None
        assert current(monday) == "v1"
        assert current(monday + timedelta(days=1, hours=3)) == "v2"
        assert current(monday + timedelta(days=30)) == "v3"
    assert calls == ["Query"] * 4
