"""Jobs: the renormalization job a new snapshot starts, reading, filtering and cancelling jobs."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.identity import Account, bearer, create_agent, create_key, create_snapshot, sign_up
from tests.support.ingest import post_traces, trace, wait_normalized
from tests.support.waiting import wait_until


def jobs(api: httpx.Client, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    return api.get("/api/jobs", params=params, headers=headers).json()["items"]  # type: ignore[no-any-return]


def test_a_first_snapshot_starts_a_renormalize_job_for_waiting_traces(api: httpx.Client, owner: Account) -> None:
    agent = create_agent(api, owner.headers, name="late-snapshot")
    ids = [
        r["traceId"]
        for r in post_traces(api, owner.headers, [trace(agent["id"]), trace(agent["id"])]).json()["results"]
    ]
    for trace_id in ids:
        wait_normalized(api, owner.headers, trace_id, state="unresolved")

    create_snapshot(api, owner.headers, agent["id"])

    job = wait_until(
        lambda: next(
            (
                j
                for j in jobs(api, owner.headers, type="snapshot.renormalize")
                if j["agentId"] == agent["id"] and j["status"] == "succeeded"
            ),
            None,
        ),
        what="renormalize job to succeed",
    )
    assert (job["result"], job["progress"]) == ({"requeued": 2}, {"done": 2, "total": 2})
    assert api.get(f"/api/jobs/{job['id']}", headers=owner.headers).json()["id"] == job["id"]
    for trace_id in ids:
        wait_normalized(api, owner.headers, trace_id)
    # a snapshot for an agent with nothing waiting starts no job
    create_snapshot(api, owner.headers, agent["id"], label="v2")
    assert len([j for j in jobs(api, owner.headers, type="snapshot.renormalize") if j["agentId"] == agent["id"]]) == 1


def test_cancel_moves_only_active_jobs_and_a_cancelled_job_stays_cancelled(api: httpx.Client, owner: Account) -> None:
    from grounded_core.jobs.service import create_job, finish_job, start_job

    queued = create_job(owner.org["id"], "test.noop")
    cancelled = api.post(f"/api/jobs/{queued.id}/cancel", headers=owner.headers)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["finishedAt"]
    again = api.post(f"/api/jobs/{queued.id}/cancel", headers=owner.headers)
    assert again.status_code == 409
    assert again.json()["code"] == "job_not_active"
    # a worker that picks it up afterwards does not revive it
    assert start_job(owner.org["id"], queued.id) is None

    running = create_job(owner.org["id"], "test.noop")
    assert start_job(owner.org["id"], running.id) is not None
    assert api.post(f"/api/jobs/{running.id}/cancel", headers=owner.headers).json()["status"] == "cancelled"
    assert finish_job(owner.org["id"], running.id, "succeeded") is None
    assert api.get(f"/api/jobs/{running.id}", headers=owner.headers).json()["status"] == "cancelled"


def test_jobs_filter_and_page(api: httpx.Client) -> None:
    from grounded_core.jobs.service import create_job, start_job

    account = sign_up(api)
    made = [create_job(account.org["id"], kind) for kind in ("test.a", "test.a", "test.b")]
    start_job(account.org["id"], made[2].id)

    assert [j["id"] for j in jobs(api, account.headers)] == [m.id for m in reversed(made)]
    assert [j["id"] for j in jobs(api, account.headers, type="test.a")] == [made[1].id, made[0].id]
    assert [j["id"] for j in jobs(api, account.headers, status="running")] == [made[2].id]
    assert api.get("/api/jobs", params={"status": "done"}, headers=account.headers).status_code == 422


def test_jobs_are_not_for_publishable_keys_nor_other_orgs(api: httpx.Client, owner: Account) -> None:
    from grounded_core.jobs.service import create_job

    agent = create_agent(api, owner.headers, name="jobs-scope")
    job = create_job(owner.org["id"], "test.noop")
    browser = bearer(create_key(api, owner, kind="publishable", agentId=agent["id"])["key"])
    assert api.get("/api/jobs", headers=browser).status_code == 403
    assert api.get(f"/api/jobs/{job.id}", headers=browser).status_code == 403

    intruder = sign_up(api)
    assert api.get(f"/api/jobs/{job.id}", headers=intruder.headers).status_code == 404
    assert api.post(f"/api/jobs/{job.id}/cancel", headers=intruder.headers).status_code == 404
