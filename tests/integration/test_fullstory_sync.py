"""FullStory import end to end against the fake FullStory server: the export flow, events merged
into the sessions of the same user's LangSmith traces, re-sync, bad credentials, 429s."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.fakes.fullstory import FakeFullStory
from tests.fakes.langsmith import FakeLangSmith
from tests.support.connectors import connect, create_connector, every, sync, wait_job
from tests.support.identity import Account, create_agent, create_snapshot

KEY = "fs-fake-key-0001"
TWO_HOURS_AGO = datetime.now(UTC) - timedelta(hours=2)


def new_agent(api: httpx.Client, owner: Account) -> dict[str, Any]:
    agent = create_agent(api, owner.headers, name=f"fs-{uuid.uuid4().hex[:6]}")
    create_snapshot(api, owner.headers, agent["id"])
    return agent


def fullstory_connector(
    api: httpx.Client, owner: Account, agent: dict[str, Any], fake: FakeFullStory, key: str = KEY
) -> dict[str, Any]:
    return create_connector(
        api, owner.headers, agent["id"], "fullstory", {"apiKey": key, "baseUrl": fake.url, "initialDays": 1}
    )


def browsing(fake: FakeFullStory, uid: str, clicks: int) -> tuple[int, int]:
    """A FullStory session of ``uid``: a page load and ``clicks`` clicks (the last one a rage click)."""
    device, session = random.randrange(10**17, 10**18), random.randrange(10**17, 10**18)
    fake.add_event(TWO_HOURS_AGO, device=device, session=session, uid=uid, EventType="navigate")
    for n in range(clicks):
        fields = {"EventTargetText": f"button {n}", "EventModFrustrated": n == clicks - 1}
        fake.add_event(TWO_HOURS_AGO + timedelta(seconds=n + 1), device=device, session=session, uid=uid, **fields)
    return device, session


def test_events_join_the_sessions_of_the_same_users_traces(
    api: httpx.Client,
    cloud: Any,
    owner: Account,
    fake_fullstory: FakeFullStory,
    fake_langsmith: FakeLangSmith,
) -> None:
    agent = new_agent(api, owner)
    uid = f"user-{uuid.uuid4().hex[:6]}"
    device, session = browsing(fake_fullstory, uid, clicks=3)
    # the backend traced the same conversation in LangSmith, with the FullStory session in metadata
    project = f"project-{uuid.uuid4().hex[:8]}"
    metadata = {"session_id": f"chat-{uid}", "user_id": uid, "fs_session_id": f"{device}:{session}"}
    fake_langsmith.add_trace(project, TWO_HOURS_AGO + timedelta(seconds=2), metadata=metadata)
    traces = create_connector(
        api,
        owner.headers,
        agent["id"],
        "langsmith",
        {"apiKey": "ls-fake-key-0001", "projectName": project, "baseUrl": fake_langsmith.url},
    )
    assert wait_job(api, owner.headers, connect(api, owner.headers, traces["id"])["job"]["id"])["status"] == "succeeded"
    connector = fullstory_connector(api, owner, agent, fake_fullstory)

    done = wait_job(api, owner.headers, connect(api, owner.headers, connector["id"])["job"]["id"])

    assert done["status"] == "succeeded", done
    assert (done["result"]["accepted"], done["result"]["rejected"]) == (4, 0)
    cloud.drain(timeout_seconds=60)
    sessions = every(api, owner.headers, "/api/sessions", agentId=agent["id"])
    assert len(sessions) == 1
    assert (sessions[0]["traces"], sessions[0]["events"]) == (1, 4)
    timeline = every(api, owner.headers, f"/api/sessions/{sessions[0]['id']}/timeline")
    events = [entry["data"] for entry in timeline if entry["kind"] == "event"]
    assert [e["type"] for e in events] == ["page", "click", "click", "click"]
    assert all(e["userId"] == uid and e["anonymousId"] == f"{device}:{session}" for e in events)
    assert events[-1]["properties"]["rageClick"] is True
    # the export flow, as FullStory runs it: auth with the raw key, the file fetched without it
    export = fake_fullstory.seen("/segments/v1/exports", "POST")[-1]
    assert export.headers["authorization"] == f"Basic {KEY}"
    assert export.json()["timeRange"]["end"]
    assert fake_fullstory.seen("/operations/v1/")
    assert fake_fullstory.seen("/download/")


def test_a_resync_of_the_same_window_changes_nothing(
    api: httpx.Client, cloud: Any, owner: Account, fake_fullstory: FakeFullStory
) -> None:
    agent = new_agent(api, owner)
    browsing(fake_fullstory, f"user-{uuid.uuid4().hex[:6]}", clicks=5)
    connector = fullstory_connector(api, owner, agent, fake_fullstory)
    window = {"from": (TWO_HOURS_AGO - timedelta(minutes=1)).isoformat(), "to": datetime.now(UTC).isoformat()}

    first = wait_job(api, owner.headers, sync(api, owner.headers, connector["id"], **window)["id"])
    cloud.drain(timeout_seconds=60)
    before = every(api, owner.headers, "/api/sessions", agentId=agent["id"])
    second = wait_job(api, owner.headers, sync(api, owner.headers, connector["id"], **window)["id"])
    cloud.drain(timeout_seconds=60)
    after = every(api, owner.headers, "/api/sessions", agentId=agent["id"])

    assert first["result"]["accepted"] == second["result"]["accepted"] == 6
    assert [(s["id"], s["events"]) for s in after] == [(s["id"], s["events"]) for s in before] == [(before[0]["id"], 6)]


def test_bad_credentials_and_rate_limits(api: httpx.Client, owner: Account, fake_fullstory: FakeFullStory) -> None:
    agent = new_agent(api, owner)
    refused = fullstory_connector(api, owner, agent, fake_fullstory, key="fs-wrong-key-9999")
    failed = wait_job(api, owner.headers, connect(api, owner.headers, refused["id"])["job"]["id"])
    assert (failed["status"], failed["error"]) == ("failed", "FullStory rejected the API key (HTTP 401).")

    browsing(fake_fullstory, f"user-{uuid.uuid4().hex[:6]}", clicks=1)
    limited = fullstory_connector(api, owner, agent, fake_fullstory)
    fake_fullstory.fail(429, times=1, path="/segments/v1/exports", retry_after="1")
    done = wait_job(api, owner.headers, connect(api, owner.headers, limited["id"])["job"]["id"])
    assert done["status"] == "succeeded", done
    assert done["result"]["accepted"] >= 2


def test_a_resync_over_years_takes_a_few_exports_not_one_a_day(
    api: httpx.Client, cloud: Any, owner: Account, fake_fullstory: FakeFullStory
) -> None:
    agent = new_agent(api, owner)
    browsing(fake_fullstory, f"user-{uuid.uuid4().hex[:6]}", clicks=2)
    connector = fullstory_connector(api, owner, agent, fake_fullstory)
    window = {"from": (datetime.now(UTC) - timedelta(days=3 * 365)).isoformat(), "to": datetime.now(UTC).isoformat()}

    done = wait_job(api, owner.headers, sync(api, owner.headers, connector["id"], **window)["id"], timeout=120)

    assert done["status"] == "succeeded", done
    assert done["result"]["accepted"] == 3
    exports = fake_fullstory.seen("/segments/v1/exports", "POST")
    assert len(exports) <= 4  # one per year of the window (FullStory takes a whole range at once)
