"""Retention (issue 18): an org's content carries its expiry from the moment it is written, a
change re-stamps what is stored (a job), and DynamoDB's TTL — applied here by the local cloud's
sweep, as of a moment in the future — removes it with its payloads, while rollups stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from grounded_core.clock import parse_iso
from tests.support.connectors import wait_job
from tests.support.identity import Account, create_agent, create_key, create_snapshot, join_with_role, sign_up
from tests.support.ingest import at, event, post_traces, trace, wait_normalized
from tests.support.lifecycle import by_family, items_of_org, live_payloads
from tests.support.waiting import wait_until

DAY = 86_400
#: what retention governs: traces, their markers, sessions, turns, telemetry, stitch keys, insights
CONTENT = {"TRACE", "APPLIED", "SESSION", "T", "EVT", "STITCH"}  # T: a trace's item in its session (turns)


def expiry(timestamp: str, days: int) -> int:
    return int((parse_iso(timestamp) + timedelta(days=days)).timestamp())


def set_retention(api: httpx.Client, owner: Account, days: int | None) -> dict[str, Any]:
    response = api.patch("/api/org", json={"retentionDays": days}, headers=owner.headers)
    assert response.status_code == 200, response.text
    org = response.json()
    assert org.get("retentionDays") == days
    job = wait_job(api, owner.headers, org["retentionJobId"])
    assert job["status"] == "succeeded", job
    return job


def send_conversation(api: httpx.Client, owner: Account, agent_id: str, label: str) -> tuple[str, str]:
    """A trace with a payload in S3 and a telemetry event of the same session: (trace, session)."""
    body = trace(agent_id, sessionId=f"conv-{label}", anonymousId=f"anon-{label}", input="x" * 20_000)
    trace_id = post_traces(api, owner.headers, [body]).json()["results"][0]["traceId"]
    session_id = wait_normalized(api, owner.headers, trace_id)["normalization"]["sessionId"]
    sent = api.post("/api/telemetry", json={"events": [event(agent_id, f"anon-{label}")]}, headers=owner.headers)
    assert sent.status_code in (200, 202, 207), sent.text
    wait_until(
        lambda: api.get(f"/api/sessions/{session_id}", headers=owner.headers).json().get("events", 0) >= 1,
        timeout=30,
        what="the event attached",
    )
    return trace_id, session_id


def content_of(cloud: Any, org_id: str, session_id: str, trace_id: str) -> dict[str, list[dict[str, Any]]]:
    mine = [
        item
        for item in items_of_org(cloud, org_id)
        if session_id in str(item["PK"]) or trace_id in str(item["PK"]) or item.get("sessionId") == session_id
    ]
    return by_family(mine)


def test_retention_stamps_existing_and_new_content_and_ttl_removes_it(api: httpx.Client, cloud: Any) -> None:
    owner = sign_up(api)
    agent = create_agent(api, owner.headers, name="kept-a-day")
    create_snapshot(api, owner.headers, agent["id"])
    old_trace, old_session = send_conversation(api, owner, agent["id"], "before")
    before = content_of(cloud, owner.org["id"], old_session, old_trace)
    assert set(before) >= CONTENT, sorted(before)
    assert all("ttl" not in item for family in CONTENT for item in before[family])  # kept forever by default

    job = set_retention(api, owner, 1)
    assert job["type"] == "org.retention"
    assert job["progress"]["done"] >= 2  # a session and a trace
    assert job["result"]["changed"] >= len(CONTENT)

    stamped = content_of(cloud, owner.org["id"], old_session, old_trace)
    for family in ("TRACE", "APPLIED"):
        assert [item["ttl"] for item in stamped[family]] == [expiry(at(0), 1)], family
    for item in stamped["T"] + stamped["EVT"]:
        assert item["ttl"] == expiry(item["timestamp"], 1), item["SK"]
    [session] = stamped["SESSION"]
    assert session["ttl"] == expiry(session["lastSeenAt"], 1)
    [listed] = stamped["LISTED"]
    assert "ttl" not in listed  # it goes with its session, however late that is seen
    assert all("ttl" in item for item in stamped["STITCH"])

    # new content carries its expiry from the moment it is written
    new_trace, new_session = send_conversation(api, owner, agent["id"], "after")
    fresh = content_of(cloud, owner.org["id"], new_session, new_trace)
    for family in CONTENT:
        assert fresh[family], family
        assert all("ttl" in item for item in fresh[family]), family
    assert fresh["TRACE"][0]["ttl"] == expiry(at(0), 1)

    overview = api.get("/api/analytics/overview", headers=owner.headers).json()
    assert live_payloads(cloud, f"orgs/{owner.org['id']}/") == 2

    assert "ttl" not in fresh["LISTED"][0]

    # DynamoDB's TTL, a day later: the content goes, payloads with it (and the sessions' listing
    # entries); the rollups stay
    removed = cloud.sweep_expired(datetime.now(UTC) + timedelta(days=1, minutes=1))
    assert removed >= 2 * len(CONTENT)
    for trace_id, session_id in ((old_trace, old_session), (new_trace, new_session)):
        assert api.get(f"/api/traces/{trace_id}", headers=owner.headers).status_code == 404
        assert api.get(f"/api/sessions/{session_id}", headers=owner.headers).status_code == 404
        assert content_of(cloud, owner.org["id"], session_id, trace_id) == {}
    assert live_payloads(cloud, f"orgs/{owner.org['id']}/") == 0
    assert api.get("/api/analytics/overview", headers=owner.headers).json() == overview

    # the same conversation id after expiry starts a new session (its stitch keys went too)
    again = post_traces(api, owner.headers, [trace(agent["id"], sessionId="conv-before")]).json()
    assert wait_normalized(api, owner.headers, again["results"][0]["traceId"])["normalization"]["sessionId"] not in (
        old_session,
        new_session,
    )


def test_keeping_forever_again_removes_the_expiry(api: httpx.Client, cloud: Any) -> None:
    owner = sign_up(api)
    agent = create_agent(api, owner.headers, name="changing-mind")
    create_snapshot(api, owner.headers, agent["id"])
    set_retention(api, owner, 30)
    trace_id, session_id = send_conversation(api, owner, agent["id"], "kept")
    assert all("ttl" in item for item in content_of(cloud, owner.org["id"], session_id, trace_id)["TRACE"])

    set_retention(api, owner, None)

    content = content_of(cloud, owner.org["id"], session_id, trace_id)
    assert set(content) >= CONTENT
    assert [item["SK"] for family in CONTENT for item in content[family] if "ttl" in item] == []
    cloud.sweep_expired(datetime.now(UTC) + timedelta(days=60))  # past the 30 days it had
    assert api.get(f"/api/traces/{trace_id}", headers=owner.headers).status_code == 200
    assert content_of(cloud, owner.org["id"], session_id, trace_id).keys() == content.keys()


def test_a_newer_retention_change_supersedes_a_running_one(api: httpx.Client, cloud: Any) -> None:
    owner = sign_up(api)
    first = api.patch("/api/org", json={"retentionDays": 7}, headers=owner.headers).json()
    second = api.patch("/api/org", json={"retentionDays": 90}, headers=owner.headers).json()
    assert first["retentionJobId"] != second["retentionJobId"]
    assert wait_job(api, owner.headers, first["retentionJobId"])["status"] == "cancelled"
    assert wait_job(api, owner.headers, second["retentionJobId"])["status"] == "succeeded"
    assert api.get("/api/org", headers=owner.headers).json()["retentionDays"] == 90
    unchanged = api.patch("/api/org", json={"retentionDays": 90}, headers=owner.headers).json()
    assert unchanged["retentionJobId"] == second["retentionJobId"]  # nothing to re-stamp


def test_the_retention_setting_is_validated_and_for_admins(api: httpx.Client) -> None:
    owner = sign_up(api)
    for bad in (0, 3651, -1, "a week", 1.5):
        response = api.patch("/api/org", json={"retentionDays": bad}, headers=owner.headers)
        assert response.status_code == 422, (bad, response.text)
        assert response.json()["details"][0]["field"].endswith("retentionDays")
    assert api.get("/api/org", headers=owner.headers).json().get("retentionDays") is None

    member = join_with_role(api, owner, "MEMBER")
    refused = api.patch("/api/org", json={"retentionDays": 30}, headers=member.headers)
    assert refused.status_code == 403
    admin = join_with_role(api, owner, "ADMIN")
    assert api.patch("/api/org", json={"retentionDays": 3650}, headers=admin.headers).status_code == 200
    assert api.patch("/api/org", json={"retentionDays": 1}, headers=admin.headers).json()["retentionDays"] == 1


def test_received_otlp_spans_never_outlive_a_shorter_retention(api: httpx.Client, cloud: Any) -> None:
    from tests.support.otel import export, exporter, run_spans

    owner = sign_up(api)
    agent = create_agent(api, owner.headers, name="otel-kept-a-day")
    set_retention(api, owner, 1)
    key = create_key(api, owner, name="otel")["key"]
    export(exporter(cloud.url, key), run_spans("otel-kept", {"grounded.agent.id": agent["id"]}))

    spans = [item for item in items_of_org(cloud, owner.org["id"]) if str(item["SK"]).startswith("OSPAN#")]
    assert len(spans) == 4
    now = datetime.now(UTC).timestamp()
    assert all(item["ttl"] <= now + DAY + 60 for item in spans)  # not the 7 days of the assembly window


def test_a_session_that_expired_before_its_stitch_keys_is_started_anew(
    api: httpx.Client, owner: Account, agent: dict[str, Any], cloud: Any
) -> None:
    """TTL deletes items in no particular order: a stitch key may outlive its session for a while.
    The next item with that key starts a new session instead of failing on the missing one."""
    first = post_traces(api, owner.headers, [trace(agent["id"], sessionId="conv-orphaned")]).json()
    session_id = wait_normalized(api, owner.headers, first["results"][0]["traceId"])["normalization"]["sessionId"]
    table = cloud.client("dynamodb")
    key = {"PK": {"S": f"ORG#{owner.org['id']}#SESSION#{session_id}"}, "SK": {"S": "SESSION"}}
    table.delete_item(TableName=cloud.resources["Table"], Key=key)  # as TTL would, alone

    second = post_traces(api, owner.headers, [trace(agent["id"], sessionId="conv-orphaned")]).json()
    renewed = wait_normalized(api, owner.headers, second["results"][0]["traceId"])["normalization"]["sessionId"]
    assert renewed != session_id
    assert api.get(f"/api/sessions/{renewed}", headers=owner.headers).json()["traces"] == 1
