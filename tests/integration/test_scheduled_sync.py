"""Scheduled incremental syncs: a tick of the EventBridge schedule starts a sync for each connected
connector that is due — and for no other — from its high-water mark."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.fakes.langsmith import FakeLangSmith
from tests.support.connectors import connect, create_connector, wait_job
from tests.support.identity import Account, create_agent
from tests.support.waiting import wait_until

RULE = "SchedulerFunctionEveryFiveMinutes"


def connector_jobs(api: httpx.Client, owner: Account, connector_id: str) -> list[dict[str, Any]]:
    return api.get("/api/jobs", params={"connectorId": connector_id}, headers=owner.headers).json()["items"]  # type: ignore[no-any-return]


def test_a_tick_starts_incremental_syncs_for_due_connectors_only(
    api: httpx.Client, owner: Account, fake_langsmith: FakeLangSmith
) -> None:
    fake_langsmith.project("scheduled")
    agent = create_agent(api, owner.headers, name="scheduled")
    config = {"apiKey": "ls-fake-key-0001", "projectName": "scheduled", "baseUrl": fake_langsmith.url}

    def connected(every_minutes: int) -> dict[str, Any]:
        made = create_connector(
            api, owner.headers, agent["id"], "langsmith", config, schedule={"intervalMinutes": every_minutes}
        )
        assert (
            wait_job(api, owner.headers, connect(api, owner.headers, made["id"])["job"]["id"])["status"] == "succeeded"
        )
        return api.get(f"/api/connectors/{made['id']}", headers=owner.headers).json()  # type: ignore[no-any-return]

    due = connected(5)
    later = connected(60)
    off = connected(5)
    api.post(f"/api/connectors/{off['id']}/disconnect", headers=owner.headers)
    tick = datetime.now(UTC) + timedelta(minutes=6)  # past the 5-minute connectors' next run only

    fired = api.post(f"/_local/schedules/{RULE}/fire", params={"at": tick.isoformat()})

    assert fired.status_code == 202
    scheduled = wait_until(
        lambda: [j for j in connector_jobs(api, owner, due["id"]) if j["params"]["trigger"] == "schedule"],
        what="a scheduled job",
    )
    assert len(scheduled) == 1
    window_start = datetime.fromisoformat(scheduled[0]["params"]["from"].replace("Z", "+00:00"))
    synced = datetime.fromisoformat(due["syncedThrough"].replace("Z", "+00:00"))
    assert window_start == synced - timedelta(minutes=10)  # from the high-water mark, with the overlap
    assert wait_job(api, owner.headers, scheduled[0]["id"])["status"] == "succeeded"
    for idle in (later, off):
        assert [j["params"]["trigger"] for j in connector_jobs(api, owner, idle["id"])] == ["connect"]
    moved = api.get(f"/api/connectors/{due['id']}", headers=owner.headers).json()
    assert moved["nextRunAt"] > due["nextRunAt"]

    # the same tick again: the connector is no longer due
    api.post(f"/_local/schedules/{RULE}/fire", params={"at": tick.isoformat()})
    assert len([j for j in connector_jobs(api, owner, due["id"]) if j["params"]["trigger"] == "schedule"]) == 1
