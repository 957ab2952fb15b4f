"""LangSmith import end to end on the local cloud, against the fake LangSmith server: what a sync
imports, re-syncs that change nothing, resuming from the checkpoint, 429s, bad credentials and
cancel."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.fakes.langsmith import FakeLangSmith
from tests.support.connectors import connect, create_connector, every, job, sync, wait_job
from tests.support.identity import Account, create_agent, create_snapshot
from tests.support.ingest import post_traces, trace, wait_normalized
from tests.support.waiting import wait_until

KEY = "ls-fake-key-0001"
HOUR_AGO = datetime.now(UTC) - timedelta(hours=1)


def project_with(fake: FakeLangSmith, traces: int, **fields: Any) -> str:
    """A new project holding ``traces`` finished traces, a minute apart, spread over 5 threads."""
    name = f"project-{uuid.uuid4().hex[:8]}"
    fake.project(name)
    for n in range(traces):
        metadata = {"session_id": f"{name}-thread-{n % 5}", "user_id": f"user-{n % 5}"}
        fake.add_trace(name, HOUR_AGO - timedelta(minutes=n), metadata=metadata, **fields)
    return name


def new_connector(
    api: httpx.Client, owner: Account, fake: FakeLangSmith, project: str, key: str = KEY
) -> tuple[dict[str, Any], dict[str, Any]]:
    agent = create_agent(api, owner.headers, name=f"agent-{project}")
    create_snapshot(api, owner.headers, agent["id"])
    config = {"apiKey": key, "projectName": project, "baseUrl": fake.url}
    return agent, create_connector(api, owner.headers, agent["id"], "langsmith", config)


def imported(
    api: httpx.Client, cloud: Any, owner: Account, agent_id: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The agent's traces and sessions once normalization has caught up."""
    cloud.drain(timeout_seconds=60)
    traces = every(api, owner.headers, "/api/traces", agentId=agent_id)
    sessions = every(api, owner.headers, "/api/sessions", agentId=agent_id)
    return traces, sessions


def root_queries(fake: FakeLangSmith, project_id: str) -> list[dict[str, Any]]:
    bodies = [r.json() for r in fake.seen("/runs/query")]
    return [b for b in bodies if b.get("is_root") and b.get("session") == [project_id]]


def test_connect_imports_traces_into_sessions(
    api: httpx.Client, cloud: Any, owner: Account, fake_langsmith: FakeLangSmith
) -> None:
    project = project_with(fake_langsmith, 12, llm_calls=2, tools=1)
    agent, connector = new_connector(api, owner, fake_langsmith, project)

    done = wait_job(api, owner.headers, connect(api, owner.headers, connector["id"])["job"]["id"])

    assert done["status"] == "succeeded", done
    assert (done["result"]["accepted"], done["result"]["rejected"], done["progress"]["done"]) == (12, 0, 12)
    traces, sessions = imported(api, cloud, owner, agent["id"])
    assert len(traces) == 12
    assert all(t["id"].startswith("ls-") and t["normalization"]["state"] == "normalized" for t in traces)
    # the thread key in metadata is the session: 12 traces over 5 threads
    assert sorted(s["externalId"] for s in sessions) == sorted(f"{project}-thread-{n}" for n in range(5))
    assert sum(s["traces"] for s in sessions) == 12
    one = api.get(f"/api/traces/{traces[0]['id']}", headers=owner.headers).json()
    assert sorted(span["kind"] for span in one["spans"]) == ["llm", "llm", "tool"]
    llm = next(span for span in one["spans"] if span["kind"] == "llm")
    assert (llm["model"], llm["usage"]["inputTokens"], llm["usage"]["outputTokens"]) == ("gpt-4o-mini", 100, 20)
    assert llm["costUsd"] == pytest.approx(0.000027)
    # every query respected the API's page-size limit, and carried the key in x-api-key
    assert all(r.json()["limit"] <= 100 and r.headers["x-api-key"] == KEY for r in fake_langsmith.seen("/runs/query"))


def test_the_same_window_synced_twice_changes_nothing(
    api: httpx.Client, cloud: Any, owner: Account, fake_langsmith: FakeLangSmith
) -> None:
    project = project_with(fake_langsmith, 8)
    agent, connector = new_connector(api, owner, fake_langsmith, project)
    window = {"from": (HOUR_AGO - timedelta(hours=1)).isoformat(), "to": datetime.now(UTC).isoformat()}

    first = wait_job(api, owner.headers, sync(api, owner.headers, connector["id"], **window)["id"])
    traces_before, sessions_before = imported(api, cloud, owner, agent["id"])
    second = wait_job(api, owner.headers, sync(api, owner.headers, connector["id"], **window)["id"])
    traces_after, sessions_after = imported(api, cloud, owner, agent["id"])

    assert first["status"] == second["status"] == "succeeded"
    assert first["result"]["accepted"] == second["result"]["accepted"] == 8
    assert [t["id"] for t in traces_after] == [t["id"] for t in traces_before]
    assert len(traces_after) == 8

    def totals(sessions: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return sorted((s["id"], s["traces"], s["turns"], s["tokens"]["total"], s["costUsd"]) for s in sessions)

    assert totals(sessions_after) == totals(sessions_before)


def test_an_interrupted_sync_resumes_from_its_checkpoint(
    api: httpx.Client, cloud: Any, owner: Account, fake_langsmith: FakeLangSmith
) -> None:
    project = project_with(fake_langsmith, 130, tools=0)
    project_id = fake_langsmith.projects[project]
    agent, connector = new_connector(api, owner, fake_langsmith, project)
    # page 1 (100 traces: one root query and 100 trace queries) goes through; then the root query
    # of page 2 fails more often than the worker retries in one invocation: the invocation fails,
    # SQS delivers the message again, and the next invocation starts from the checkpoint
    fake_langsmith.fail(503, times=4, path="/runs/query", skip=101)

    done = wait_job(api, owner.headers, connect(api, owner.headers, connector["id"])["job"]["id"], timeout=90)

    assert done["status"] == "succeeded", done
    assert done["result"]["accepted"] == 130  # counted once, not page 1 again
    roots = root_queries(fake_langsmith, project_id)
    assert [bool(b.get("cursor")) for b in roots].count(False) == 1  # page 1 was never fetched again
    assert len(roots) == 1 + 4 + 1  # page 1, page 2 failing 4 times, page 2 on the second delivery
    traces, sessions = imported(api, cloud, owner, agent["id"])
    assert len(traces) == 130
    assert sum(s["traces"] for s in sessions) == 130


def test_rate_limits_are_waited_out(
    api: httpx.Client, cloud: Any, owner: Account, fake_langsmith: FakeLangSmith
) -> None:
    project = project_with(fake_langsmith, 3)
    agent, connector = new_connector(api, owner, fake_langsmith, project)
    before = len(fake_langsmith.requests)
    fake_langsmith.fail(429, times=2, path="/runs/query", retry_after="1")

    done = wait_job(api, owner.headers, connect(api, owner.headers, connector["id"])["job"]["id"])

    assert done["status"] == "succeeded", done
    assert done["result"]["accepted"] == 3
    queries = [r for r in fake_langsmith.requests[before:] if r.path.endswith("/runs/query")]
    # the two refused requests were each followed by a wait of Retry-After (1 s)
    assert queries[1].at - queries[0].at >= 0.9
    assert queries[2].at - queries[1].at >= 0.9
    assert len(imported(api, cloud, owner, agent["id"])[0]) == 3


def test_bad_credentials_fail_the_job_with_a_clear_error(
    api: httpx.Client, owner: Account, fake_langsmith: FakeLangSmith
) -> None:
    project = project_with(fake_langsmith, 1)
    _, connector = new_connector(api, owner, fake_langsmith, project, key="ls-wrong-key-9999")

    done = wait_job(api, owner.headers, connect(api, owner.headers, connector["id"])["job"]["id"])

    assert (done["status"], done["error"]) == ("failed", "LangSmith rejected the API key (HTTP 401).")
    after = api.get(f"/api/connectors/{connector['id']}", headers=owner.headers).json()
    assert after["activeJobId"] is None  # free for the next sync once the key is fixed
    assert after["syncedThrough"] is None

    api.patch(f"/api/connectors/{connector['id']}", json={"config": {"projectName": "nope"}}, headers=owner.headers)
    api.patch(f"/api/connectors/{connector['id']}", json={"config": {"apiKey": KEY}}, headers=owner.headers)
    missing = wait_job(api, owner.headers, sync(api, owner.headers, connector["id"])["id"])
    assert (missing["status"], missing["error"]) == ("failed", "LangSmith has no project named 'nope'.")


def test_cancel_stops_a_running_sync(
    api: httpx.Client, cloud: Any, owner: Account, fake_langsmith: FakeLangSmith
) -> None:
    project = project_with(fake_langsmith, 250, tools=0)
    agent, connector = new_connector(api, owner, fake_langsmith, project)
    fake_langsmith.delay_seconds = 0.01
    try:
        started = connect(api, owner.headers, connector["id"])["job"]
        wait_until(
            lambda: job(api, owner.headers, started["id"])["progress"]["done"] >= 50, timeout=60, what="progress"
        )
        cancelled = api.post(f"/api/jobs/{started['id']}/cancel", headers=owner.headers)
        assert cancelled.status_code == 200
        wait_until(
            lambda: api.get(f"/api/connectors/{connector['id']}", headers=owner.headers).json()["activeJobId"] is None,
            timeout=30,
            what="the worker to notice the cancel",
        )
        seen = len(fake_langsmith.requests)
        final = job(api, owner.headers, started["id"])
    finally:
        fake_langsmith.delay_seconds = 0
    assert final["status"] == "cancelled"
    assert len(fake_langsmith.requests) == seen  # it stopped paging
    traces, _ = imported(api, cloud, owner, agent["id"])
    assert 50 <= len(traces) < 250


def test_imported_and_native_traces_share_sessions_and_pending_runs_wait(
    api: httpx.Client, cloud: Any, owner: Account, fake_langsmith: FakeLangSmith
) -> None:
    project = f"project-{uuid.uuid4().hex[:8]}"
    thread = f"conversation-{uuid.uuid4().hex[:8]}"
    fake_langsmith.add_trace(project, HOUR_AGO, metadata={"session_id": thread})
    fake_langsmith.add_trace(project, HOUR_AGO + timedelta(minutes=5), metadata={"session_id": thread}, pending=True)
    agent, connector = new_connector(api, owner, fake_langsmith, project)
    native = trace(agent["id"], sessionId=thread)
    wait_normalized(api, owner.headers, post_traces(api, owner.headers, [native]).json()["results"][0]["traceId"])

    done = wait_job(api, owner.headers, connect(api, owner.headers, connector["id"])["job"]["id"])

    assert (done["result"]["accepted"], done["result"]["heldBack"]) == (1, 1)
    traces, sessions = imported(api, cloud, owner, agent["id"])
    assert len(sessions) == 1
    assert sessions[0]["traces"] == 2
    assert {t["metadata"].get("source") for t in traces} == {None, "langsmith"}
    # the run still pending holds the high-water mark back, so the next sync picks it up
    after = api.get(f"/api/connectors/{connector['id']}", headers=owner.headers).json()
    assert after["syncedThrough"] == (HOUR_AGO + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
