"""Traces and telemetry through the front door and the real NormalizeQueue worker."""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx
import pytest

from tests.support.concurrency import at_once
from tests.support.identity import Account, bearer, create_agent, create_key, create_snapshot, sign_up
from tests.support.ingest import at, event, llm_span, post_traces, trace, wait_normalized
from tests.support.waiting import wait_until


def session_of(api: httpx.Client, headers: dict[str, str], trace_id: str) -> dict[str, Any]:
    session_id = wait_normalized(api, headers, trace_id)["normalization"]["sessionId"]
    return api.get(f"/api/sessions/{session_id}", headers=headers).json()  # type: ignore[no-any-return]


def test_a_batch_with_bad_traces_stores_the_good_ones_and_says_why_for_each(
    api: httpx.Client, owner: Account, agent: dict[str, Any]
) -> None:
    other = create_agent(api, owner.headers, name="other")
    other_snapshot = create_snapshot(api, owner.headers, other["id"])
    scoped = bearer(create_key(api, owner, agentId=agent["id"])["key"])
    batch = [
        trace(agent["id"]),
        trace("agt_missing"),
        trace(agent["id"], sessionId=None),
        trace(agent["id"], startedAt=at(10), endedAt=at(5)),
        trace(agent["id"], startedAt="2999-01-01T00:00:00Z", endedAt=None),
        trace(agent["id"], startedAt="yesterday"),
        trace(agent["id"], resource={"snapshotId": other_snapshot["id"]}),
        trace(other["id"]),
        trace(agent["id"], spans=[{"kind": "llm"}]),
    ]

    response = post_traces(api, scoped, batch)

    assert response.status_code == 207
    results = response.json()["results"]
    assert [r["index"] for r in results] == list(range(len(batch)))
    assert [r["status"] for r in results] == ["accepted"] + ["rejected"] * 8
    codes = [r.get("code") for r in results[1:]]
    assert codes == [
        "agent_scope",
        "validation_error",
        "invalid_timestamps",
        "invalid_timestamps",
        "invalid_timestamps",
        "snapshot_mismatch",
        "agent_scope",
        "validation_error",
    ]
    assert {d["field"] for d in results[8]["details"]} >= {"spans.0.id", "spans.0.name", "spans.0.startedAt"}
    stored = wait_normalized(api, owner.headers, results[0]["traceId"])
    assert stored["input"] == {"question": "Where is my order?"}

    unknown = post_traces(api, owner.headers, [trace("agt_missing")]).json()["results"][0]
    assert unknown["code"] == "unknown_agent"


def test_an_all_good_batch_is_202_and_single_traces_answer_their_id(
    api: httpx.Client, owner: Account, agent: dict[str, Any]
) -> None:
    assert post_traces(api, owner.headers, [trace(agent["id"]), trace(agent["id"])]).status_code == 202
    single = api.post("/api/traces", json=trace(agent["id"], id="client-trace-1"), headers=owner.headers)
    assert single.status_code == 202
    assert single.json() == {"traceId": "client-trace-1", "status": "accepted"}
    refused = api.post("/api/traces", json=trace(agent["id"], endedAt=at(-5)), headers=owner.headers)
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_timestamps"
    assert post_traces(api, owner.headers, [trace(agent["id"])] * 501).status_code == 422
    mixed = post_traces(api, owner.headers, [trace(agent["id"]), 42])  # type: ignore[list-item]
    assert mixed.status_code == 207
    assert [r["status"] for r in mixed.json()["results"]] == ["accepted", "rejected"]


def test_re_sending_a_trace_with_its_id_changes_nothing(
    api: httpx.Client, owner: Account, agent: dict[str, Any]
) -> None:
    body = trace(agent["id"], id="resend-me-1")
    first = post_traces(api, owner.headers, [body, body]).json()
    session = session_of(api, owner.headers, "resend-me-1")

    second = post_traces(api, owner.headers, [body]).json()

    assert first["results"][0]["traceId"] == second["results"][0]["traceId"] == "resend-me-1"
    again = session_of(api, owner.headers, "resend-me-1")
    assert (again["traces"], again["turns"]) == (session["traces"], session["turns"]) == (1, 2)


def test_a_trace_waits_unresolved_until_its_agent_gets_a_snapshot(
    api: httpx.Client, owner: Account, cloud: Any
) -> None:
    fresh = create_agent(api, owner.headers, name="no-snapshot-yet")
    trace_id = post_traces(api, owner.headers, [trace(fresh["id"])]).json()["results"][0]["traceId"]

    waiting = wait_normalized(api, owner.headers, trace_id, state="unresolved")
    assert waiting["normalization"]["reason"] == "no_snapshot"

    snapshot = create_snapshot(api, owner.headers, fresh["id"])
    done = wait_normalized(api, owner.headers, trace_id)
    assert done["normalization"]["snapshotId"] == snapshot["id"]
    markers = cloud.client("dynamodb").query(
        TableName=cloud.resources["Table"],
        KeyConditionExpression="PK = :pk AND begins_with(SK, :marker)",
        ExpressionAttributeValues={
            ":pk": {"S": f"ORG#{owner.org['id']}#AGENT#{fresh['id']}"},
            ":marker": {"S": "UNRESOLVED#"},
        },
    )["Items"]
    assert markers == []  # cleared in the transaction that applied the trace


def test_a_telemetry_message_redelivered_or_raced_counts_each_event_and_its_session_once(
    api: httpx.Client, owner: Account
) -> None:
    """A message's events are attached in one transaction with their session's and day's counters;
    when some were attached before (a redelivery) or another worker races it, each event still
    counts once and the new session once."""
    from grounded_core.ingest.events import attach_events

    agent = create_agent(api, owner.headers, name="telemetry-twice")
    visitor, conversation = "anon-twice", "conv-twice"
    events = [
        event(agent["id"], visitor, id=f"evt-twice-{n}", sessionId=conversation, timestamp=at(n), type=kind)
        for n, kind in enumerate(["page", "click", "error", "click", "input", "error"])
    ]
    attach_events(owner.org["id"], events[:2])  # part of it attached before
    errors = at_once(lambda: attach_events(owner.org["id"], events), 4)
    assert not errors, errors
    attach_events(owner.org["id"], events)  # and redelivered once more after all that

    sessions = api.get("/api/sessions", params={"agentId": agent["id"]}, headers=owner.headers).json()["items"]
    assert [(s["externalId"], s["events"], s["hasErrors"]) for s in sessions] == [(conversation, 6, True)]
    errored = {"agentId": agent["id"], "hasErrors": "true"}  # its listing entry marked in the race too
    assert [s["id"] for s in api.get("/api/sessions", params=errored, headers=owner.headers).json()["items"]] == [
        sessions[0]["id"]
    ]
    assert sessions[0]["lastSeenAt"].startswith(at(5).removesuffix("Z"))
    day = {"agentId": agent["id"], "from": at(0)[:10], "to": at(5)[:10]}
    totals = api.get("/api/analytics/overview", params=day, headers=owner.headers).json()["totals"]
    assert totals["sessions"] == 1


def test_browser_telemetry_and_backend_traces_share_one_session(
    api: httpx.Client, owner: Account, agent: dict[str, Any]
) -> None:
    browser = bearer(create_key(api, owner, kind="publishable", agentId=agent["id"])["key"])
    conversation, visitor = "conv-shared-1", "anon-shared-1"
    events = [
        event(agent["id"], visitor, sessionId=conversation, type="page", name="/help", timestamp=at(-5)),
        event(agent["id"], visitor, sessionId=conversation, timestamp=at(-1)),
    ]
    assert api.post("/api/telemetry", json={"events": events}, headers=browser).status_code == 202
    trace_id = post_traces(
        api, owner.headers, [trace(agent["id"], sessionId=conversation, anonymousId=visitor)]
    ).json()["results"][0]["traceId"]

    session = session_of(api, owner.headers, trace_id)
    wait_until(
        lambda: api.get(f"/api/sessions/{session['id']}", headers=owner.headers).json()["events"] == 2, what="events"
    )
    timeline = api.get(f"/api/sessions/{session['id']}/timeline", headers=owner.headers).json()["items"]
    assert [entry["kind"] for entry in timeline] == ["event", "event", "trace", "turn", "turn"]
    assert [entry["timestamp"] for entry in timeline] == sorted(entry["timestamp"] for entry in timeline)
    assert [entry["data"]["type"] for entry in timeline if entry["kind"] == "event"] == ["page", "click"]
    assert all("PK" not in entry["data"] and "entity" not in entry["data"] for entry in timeline)


def test_an_anonymous_visitor_is_stitched_without_a_session_id(
    api: httpx.Client, owner: Account, agent: dict[str, Any]
) -> None:
    api.post("/api/telemetry", json={"events": [event(agent["id"], "anon-only-7")]}, headers=owner.headers)
    trace_id = post_traces(api, owner.headers, [trace(agent["id"], sessionId=None, anonymousId="anon-only-7")]).json()[
        "results"
    ][0]["traceId"]
    session = session_of(api, owner.headers, trace_id)
    assert wait_normalized(api, owner.headers, trace_id)["normalization"]["stitchRule"] == "anonymousId"
    wait_until(
        lambda: api.get(f"/api/sessions/{session['id']}", headers=owner.headers).json()["events"] == 1, what="event"
    )


def test_user_and_correlation_keys_match_the_same_ticket_only(
    api: httpx.Client, owner: Account, agent: dict[str, Any]
) -> None:
    def for_ticket(ticket: str) -> dict[str, Any]:
        return trace(agent["id"], sessionId=None, userId="user-42", correlationKeys={"ticketId": ticket})

    ids = [
        r["traceId"]
        for r in post_traces(api, owner.headers, [for_ticket("T-1"), for_ticket("T-1"), for_ticket("T-2")]).json()[
            "results"
        ]
    ]
    sessions = [wait_normalized(api, owner.headers, i)["normalization"] for i in ids]
    assert sessions[0]["sessionId"] == sessions[1]["sessionId"] != sessions[2]["sessionId"]
    assert sessions[0]["stitchRule"] == "userId+correlationKeys"


def test_twenty_traces_racing_into_one_new_session_make_exactly_one(
    api: httpx.Client, owner: Account, agent: dict[str, Any], cloud: Any
) -> None:
    conversation = "conv-race-20"
    responses: list[httpx.Response] = []
    lock = threading.Lock()

    errors: list[BaseException] = []

    def send() -> None:
        try:
            with httpx.Client(base_url=cloud.url, timeout=30) as client:
                answer = client.post(
                    "/api/traces", json=trace(agent["id"], sessionId=conversation), headers=owner.headers
                )
        except BaseException as error:  # a thread's failure must fail the test, not vanish
            with lock:
                errors.append(error)
            return
        with lock:
            responses.append(answer)

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert [r.status_code for r in responses] == [202] * 20
    session_ids = {
        wait_normalized(api, owner.headers, r.json()["traceId"])["normalization"]["sessionId"] for r in responses
    }
    assert len(session_ids) == 1
    session = api.get(f"/api/sessions/{session_ids.pop()}", headers=owner.headers).json()
    assert (session["traces"], session["turns"]) == (20, 40)


def test_a_message_delivered_twice_counts_once(
    api: httpx.Client, owner: Account, agent: dict[str, Any], cloud: Any
) -> None:
    trace_id = post_traces(api, owner.headers, [trace(agent["id"])]).json()["results"][0]["traceId"]
    api.post("/api/telemetry", json={"events": [event(agent["id"], "anon-dup", id="evt-dup-1")]}, headers=owner.headers)
    session = session_of(api, owner.headers, trace_id)

    queue = cloud.resources["NormalizeQueue"]
    duplicate_trace = {"kind": "traces", "orgId": owner.org["id"], "ids": [trace_id]}
    duplicate_event = {
        "kind": "events",
        "orgId": owner.org["id"],
        "events": [event(agent["id"], "anon-dup", id="evt-dup-1", timestamp=at(1).replace("Z", ".000Z"))],
    }
    for body in (duplicate_trace, duplicate_trace, duplicate_event, duplicate_event):
        cloud.client("sqs").send_message(QueueUrl=queue, MessageBody=json.dumps(body))
    cloud.drain()

    again = api.get(f"/api/sessions/{session['id']}", headers=owner.headers).json()
    assert (again["traces"], again["turns"], again["tokens"]) == (
        session["traces"],
        session["turns"],
        session["tokens"],
    )
    visitor = api.get("/api/sessions", params={"agentId": agent["id"]}, headers=owner.headers).json()["items"]
    assert [s["events"] for s in visitor if s["anonymousId"] == "anon-dup"] == [1]


def test_a_poison_message_ends_in_the_dead_letter_queue(cloud: Any) -> None:
    cloud.client("sqs").send_message(QueueUrl=cloud.resources["NormalizeQueue"], MessageBody="not json at all")
    wait_until(lambda: cloud.queue_depth("NormalizeDeadLetterQueue") >= 1, timeout=30, what="poison message in the DLQ")


def test_a_one_megabyte_trace_round_trips(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> None:
    big = "lorem ipsum " * 90_000  # ~1 MB
    body = trace(agent["id"], input={"document": big}, output=big[:200_000])
    body["spans"][0]["output"] = {"text": big[:300_000]}

    trace_id = api.post("/api/traces", json=body, headers=owner.headers).json()["traceId"]

    stored = wait_normalized(api, owner.headers, trace_id)
    assert stored["input"] == {"document": big}
    assert stored["output"] == big[:200_000]
    assert stored["spans"][0]["output"] == {"text": big[:300_000]}


def test_costs_use_prefix_prices_and_unknown_models_are_null(
    api: httpx.Client, owner: Account, agent: dict[str, Any]
) -> None:
    priced = trace(
        agent["id"],
        spans=[
            llm_span(
                "openai/gpt-4o-mini-2024-07-18",
                inputTokens=1_000_000,
                outputTokens=1_000_000,
                cacheReadTokens=1_000_000,
                reasoningTokens=500_000,
            )
        ],
    )
    unknown = trace(agent["id"], spans=[llm_span("my-own-llama", inputTokens=10, outputTokens=10)])
    mixed = trace(
        agent["id"],
        spans=[llm_span("claude-sonnet-4-20251022", inputTokens=1_000_000, outputTokens=0), llm_span("my-own-llama")],
    )
    client_cost = trace(agent["id"], spans=[{**llm_span("my-own-llama"), "costUsd": 0.0042}])
    ids = [
        r["traceId"] for r in post_traces(api, owner.headers, [priced, unknown, mixed, client_cost]).json()["results"]
    ]
    results = [wait_normalized(api, owner.headers, trace_id) for trace_id in ids]

    assert results[0]["costUsd"] == pytest.approx(0.15 + 0.6 + 0.075)  # gpt-4o-mini, never gpt-4o's price
    assert (results[1]["costUsd"], results[1]["costPartial"]) == (None, True)
    assert (results[2]["costUsd"], results[2]["costPartial"]) == (pytest.approx(3.0), True)  # claude-sonnet-4
    assert results[3]["costUsd"] == pytest.approx(0.0042)
    unknown_session = api.get(f"/api/sessions/{results[1]['normalization']['sessionId']}", headers=owner.headers).json()
    assert (unknown_session["costUsd"], unknown_session["costPartial"]) == (None, True)


def test_org_price_overrides_apply_to_new_traces(api: httpx.Client) -> None:
    account = sign_up(api)
    bot = create_agent(api, account.headers)
    create_snapshot(api, account.headers, bot["id"])
    price = {"inputPerMTok": 1, "outputPerMTok": 2}
    assert api.put("/api/pricing/my-own-llama", json=price, headers=account.headers).status_code == 200
    listed = {p["modelPrefix"]: p for p in api.get("/api/pricing", headers=account.headers).json()["items"]}
    assert listed["my-own-llama"]["source"] == "org"
    assert listed["gpt-4o"]["source"] == "built-in"

    body = trace(bot["id"], spans=[llm_span("my-own-llama-70b", inputTokens=1_000_000, outputTokens=1_000_000)])
    trace_id = post_traces(api, account.headers, [body]).json()["results"][0]["traceId"]
    assert wait_normalized(api, account.headers, trace_id)["costUsd"] == pytest.approx(3.0)
    assert api.delete("/api/pricing/my-own-llama", headers=account.headers).status_code == 204
    assert api.delete("/api/pricing/my-own-llama", headers=account.headers).status_code == 404
    assert (
        api.put(
            "/api/pricing/gpt-4o", json={"inputPerMTok": -1, "outputPerMTok": 1}, headers=account.headers
        ).status_code
        == 422
    )


def test_another_orgs_traces_and_sessions_are_404(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> None:
    trace_id = post_traces(api, owner.headers, [trace(agent["id"])]).json()["results"][0]["traceId"]
    session_id = wait_normalized(api, owner.headers, trace_id)["normalization"]["sessionId"]
    intruder = sign_up(api)

    assert api.get(f"/api/traces/{trace_id}", headers=intruder.headers).status_code == 404
    assert api.get(f"/api/sessions/{session_id}", headers=intruder.headers).status_code == 404
    assert api.get(f"/api/sessions/{session_id}/timeline", headers=intruder.headers).status_code == 404
    assert api.delete(f"/api/sessions/{session_id}", headers=intruder.headers).status_code == 404
    assert post_traces(api, intruder.headers, [trace(agent["id"])]).json()["results"][0]["code"] == "unknown_agent"


def test_telemetry_batches_keep_the_good_events_and_say_why_for_the_rest(
    api: httpx.Client, owner: Account, agent: dict[str, Any]
) -> None:
    other = create_agent(api, owner.headers, name="other-browser")
    browser = bearer(create_key(api, owner, kind="publishable", agentId=agent["id"])["key"])
    batch = [
        event(agent["id"], "anon-207", id="evt-good-207"),
        event(agent["id"], "anon-207", type="hover"),
        {k: v for k, v in event(agent["id"], "x").items() if k != "anonymousId"},
        event(agent["id"], "anon-207", timestamp="2999-01-01T00:00:00Z"),
        event(other["id"], "anon-207"),
        "not an object",
    ]

    response = api.post("/api/telemetry", json={"events": batch}, headers=browser)

    assert response.status_code == 207
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["accepted"] + ["rejected"] * 5
    assert [r.get("code") for r in results[1:]] == [
        "validation_error",
        "validation_error",
        "invalid_timestamps",
        "agent_scope",
        "validation_error",
    ]
    assert results[0]["eventId"] == "evt-good-207"

    def visitor_events() -> int:
        sessions = api.get("/api/sessions", params={"agentId": agent["id"]}, headers=owner.headers).json()["items"]
        return sum(s["events"] for s in sessions if s["anonymousId"] == "anon-207")

    wait_until(lambda: visitor_events() == 1, what="the good event attached")
    assert api.post("/api/telemetry", json={"events": [{}] * 501}, headers=browser).status_code == 422
