"""The sessions API: logging a conversation directly, reading it, ending and erasing it."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.identity import Account, bearer, create_agent, create_key, create_snapshot, sign_up
from tests.support.ingest import START, at, event, post_traces, trace, wait_normalized
from tests.support.waiting import wait_until


def test_log_a_conversation_turn_by_turn(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> None:
    created = api.post(
        "/api/sessions",
        json={"agentId": agent["id"], "userId": "u-1", "metadata": {"channel": "web"}},
        headers=owner.headers,
    )
    assert created.status_code == 201
    session = created.json()
    path = f"/api/sessions/{session['id']}"

    user = {"role": "user", "content": "Can I get a refund?", "timestamp": at(0)}
    reply = {
        "role": "assistant",
        "content": "Yes, within 30 days.",
        "model": "gpt-4o",
        "latencyMs": 900,
        "timestamp": at(2),
        "usage": {"inputTokens": 1_000_000, "outputTokens": 100_000},
    }
    assert api.post(f"{path}/turns", json=user, headers=owner.headers).status_code == 201
    turn = api.post(f"{path}/turns", json=reply, headers=owner.headers).json()
    assert turn["costUsd"] == pytest.approx(2.5 + 1.0)

    totals = api.get(path, headers=owner.headers).json()
    assert (totals["turns"], totals["tokens"]["total"], totals["costUsd"], totals["costPartial"]) == (
        2,
        1_100_000,
        pytest.approx(3.5),
        False,
    )
    timeline = api.get(f"{path}/timeline", headers=owner.headers).json()["items"]
    assert [entry["data"]["role"] for entry in timeline] == ["user", "assistant"]

    ended = api.post(f"{path}/end", headers=owner.headers).json()
    assert ended["endedAt"]
    assert api.post(f"{path}/end", headers=owner.headers).json()["endedAt"] == ended["endedAt"]


def test_turns_and_sessions_are_validated(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> None:
    session = api.post("/api/sessions", json={"agentId": agent["id"]}, headers=owner.headers).json()
    bad_turn = api.post(
        f"/api/sessions/{session['id']}/turns", json={"role": "robot", "content": 1}, headers=owner.headers
    )
    assert bad_turn.status_code == 422
    assert {d["field"] for d in bad_turn.json()["details"]} == {"role", "content"}
    assert api.post("/api/sessions", json={"agentId": "agt_nope"}, headers=owner.headers).status_code == 404
    assert (
        api.post(
            "/api/sessions/ses_nope/turns", json={"role": "user", "content": "x"}, headers=owner.headers
        ).status_code
        == 404
    )
    future = api.post(
        f"/api/sessions/{session['id']}/turns",
        json={"role": "user", "content": "x", "timestamp": "2999-01-01T00:00:00Z"},
        headers=owner.headers,
    )
    assert future.status_code == 422


def test_an_external_id_is_unique_and_traces_join_it(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> None:
    session = api.post(
        "/api/sessions", json={"agentId": agent["id"], "externalId": "ticket-991"}, headers=owner.headers
    ).json()
    duplicate = api.post(
        "/api/sessions", json={"agentId": agent["id"], "externalId": "ticket-991"}, headers=owner.headers
    )
    assert duplicate.status_code == 409

    trace_id = post_traces(api, owner.headers, [trace(agent["id"], sessionId="ticket-991")]).json()["results"][0][
        "traceId"
    ]
    assert wait_normalized(api, owner.headers, trace_id)["normalization"]["sessionId"] == session["id"]
    by_own_id = post_traces(api, owner.headers, [trace(agent["id"], sessionId=session["id"])]).json()["results"][0][
        "traceId"
    ]
    assert wait_normalized(api, owner.headers, by_own_id)["normalization"]["sessionId"] == session["id"]


@pytest.mark.parametrize("together", [True, False], ids=["together", "one-by-one"])
def test_a_sessions_first_error_marks_it_for_the_errors_listing_whichever_way_it_is_applied(
    api: httpx.Client, owner: Account, agent: dict[str, Any], monkeypatch: pytest.MonkeyPatch, together: bool
) -> None:
    """A session is listed by an entry of its own, marked in the transaction that counts its first
    error — a trace's or a browser event's — whether a message's items are applied together or
    (when that transaction cannot be made) one by one."""
    from grounded_core.ingest import events, normalize

    refused: list[str] = []
    if not together:
        for module in (normalize, events):
            monkeypatch.setattr(module, "apply_summed", lambda *_, name=module.__name__: refused.append(name) or False)
    label = uuid.uuid4().hex[:8]
    failing = trace(agent["id"], sessionId=f"failing-{label}", status="error", error="tool timed out")
    calm = trace(agent["id"], sessionId=f"calm-{label}")
    sent = post_traces(api, owner.headers, [failing, calm]).json()["results"]
    failed, ok = (wait_normalized(api, owner.headers, r["traceId"])["normalization"]["sessionId"] for r in sent)
    browser = event(agent["id"], f"anon-{label}", type="error", name="TypeError", sessionId=f"browser-{label}")
    assert api.post("/api/telemetry", json={"events": [browser]}, headers=owner.headers).status_code in (200, 202)

    def listed(**params: Any) -> dict[str | None, str]:
        found = api.get("/api/sessions", params={"agentId": agent["id"], "limit": 100, **params}, headers=owner.headers)
        return {s["externalId"]: s["id"] for s in found.json()["items"] if label in (s["externalId"] or "")}

    wait_until(lambda: f"browser-{label}" in listed(), timeout=30, what="the browser's session")
    assert listed(hasErrors="true") == {f"failing-{label}": failed, f"browser-{label}": listed()[f"browser-{label}"]}
    assert listed(hasErrors="false") == {f"calm-{label}": ok}
    assert set(refused) == (set() if together else {normalize.__name__, events.__name__})  # the way taken


def test_sessions_list_newest_first_with_filters(api: httpx.Client) -> None:
    account = sign_up(api)
    bot = create_agent(api, account.headers)
    create_snapshot(api, account.headers, bot["id"])
    ok = post_traces(api, account.headers, [trace(bot["id"], userId="alice")]).json()["results"][0]["traceId"]
    failed = post_traces(
        api,
        account.headers,
        [trace(bot["id"], status="error", error="tool timed out", startedAt=at(60), endedAt=at(61))],
    ).json()["results"][0]["traceId"]
    ok_session = wait_normalized(api, account.headers, ok)["normalization"]["sessionId"]
    failed_session = wait_normalized(api, account.headers, failed)["normalization"]["sessionId"]

    def listed(**params: Any) -> list[str]:
        return [s["id"] for s in api.get("/api/sessions", params=params, headers=account.headers).json()["items"]]

    assert listed() == [failed_session, ok_session]
    assert listed(agentId=bot["id"]) == [failed_session, ok_session]
    assert listed(hasErrors="true") == [failed_session]
    assert listed(hasErrors="false") == [ok_session]
    assert listed(userId="alice") == [ok_session]
    assert listed(**{"from": at(30)}) == [failed_session]
    assert listed(**{"to": at(30)}) == [ok_session]
    assert api.get("/api/sessions", params={"from": "soon"}, headers=account.headers).status_code == 422


def test_deleting_a_session_erases_everything_attached(
    api: httpx.Client, owner: Account, agent: dict[str, Any], cloud: Any
) -> None:
    big = "x" * 20_000
    body = trace(agent["id"], sessionId="erase-me", anonymousId="anon-erase", input=big)
    trace_id = post_traces(api, owner.headers, [body]).json()["results"][0]["traceId"]
    session_id = wait_normalized(api, owner.headers, trace_id)["normalization"]["sessionId"]
    api.post(f"/api/sessions/{session_id}/turns", json={"role": "user", "content": "hello"}, headers=owner.headers)
    bucket = cloud.resources["PayloadBucket"]
    assert (
        cloud.client("s3").list_objects_v2(Bucket=bucket, Prefix=f"orgs/{owner.org['id']}/traces/{trace_id}")[
            "KeyCount"
        ]
        == 1
    )

    assert api.delete(f"/api/sessions/{session_id}", headers=owner.headers).status_code == 204

    assert api.get(f"/api/sessions/{session_id}", headers=owner.headers).status_code == 404
    assert api.get(f"/api/traces/{trace_id}", headers=owner.headers).status_code == 404
    assert (
        cloud.client("s3").list_objects_v2(Bucket=bucket, Prefix=f"orgs/{owner.org['id']}/traces/{trace_id}")[
            "KeyCount"
        ]
        == 0
    )
    # the stitch keys are gone too: the same conversation id now starts a new session
    again = post_traces(api, owner.headers, [trace(agent["id"], sessionId="erase-me")]).json()["results"][0]["traceId"]
    assert wait_normalized(api, owner.headers, again)["normalization"]["sessionId"] != session_id


def test_an_agent_scoped_key_sees_only_its_agents_sessions(
    api: httpx.Client, owner: Account, agent: dict[str, Any]
) -> None:
    other = create_agent(api, owner.headers, name="other-sessions")
    theirs = api.post("/api/sessions", json={"agentId": other["id"]}, headers=owner.headers).json()
    scoped = bearer(create_key(api, owner, agentId=agent["id"])["key"])

    assert api.get(f"/api/sessions/{theirs['id']}", headers=scoped).status_code == 403
    assert api.post("/api/sessions", json={"agentId": other["id"]}, headers=scoped).status_code == 403
    assert all(s["agentId"] == agent["id"] for s in api.get("/api/sessions", headers=scoped).json()["items"])


def test_a_session_normalized_by_an_older_version_still_shows_and_erases_its_traces(
    api: httpx.Client, owner: Account, agent: dict[str, Any], cloud: Any
) -> None:
    """Before traces had an item in their session, a trace joined its session's timeline through an
    index entry on the stored trace and its turns were items of the session's own. Such a session
    (made here by rewriting a new one into the old shape, as an operator's restore would hold it)
    still shows its trace, and erasing it erases the trace."""
    body = trace(agent["id"], sessionId="from-before", input="old question", output="old answer")
    trace_id = post_traces(api, owner.headers, [body]).json()["results"][0]["traceId"]
    session_id = wait_normalized(api, owner.headers, trace_id)["normalization"]["sessionId"]
    timeline = api.get(f"/api/sessions/{session_id}/timeline", headers=owner.headers).json()["items"]
    assert [entry["kind"] for entry in timeline] == ["trace", "turn", "turn"]
    listed = api.get("/api/traces", params={"sessionId": session_id}, headers=owner.headers).json()["items"]
    assert [(item["id"], item["normalization"]["state"]) for item in listed] == [(trace_id, "normalized")]

    dynamodb, table = cloud.client("dynamodb"), cloud.resources["Table"]
    session_pk = f"ORG#{owner.org['id']}#SESSION#{session_id}"
    placed = dynamodb.query(
        TableName=table,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :t)",
        ExpressionAttributeValues={":pk": {"S": session_pk}, ":t": {"S": "T#"}},
    )["Items"]
    [old_shape] = placed
    dynamodb.delete_item(TableName=table, Key={"PK": old_shape["PK"], "SK": old_shape["SK"]})
    dynamodb.update_item(
        TableName=table,
        Key={"PK": {"S": f"ORG#{owner.org['id']}#TRACE#{trace_id}"}, "SK": {"S": "TRACE"}},
        UpdateExpression="SET GSI1PK = :pk, GSI1SK = :sk",
        ExpressionAttributeValues={":pk": {"S": session_pk}, ":sk": old_shape["SK"]},
    )
    turn = {"role": {"S": "user"}, "content": {"S": "old question"}, "timestamp": old_shape["timestamp"]}
    dynamodb.put_item(
        TableName=table,
        Item={"PK": {"S": session_pk}, "SK": {"S": f"TURN#{old_shape['timestamp']['S']}#{trace_id}:0"}, **turn},
    )

    timeline = api.get(f"/api/sessions/{session_id}/timeline", headers=owner.headers).json()["items"]
    assert [(entry["kind"], entry["data"].get("id")) for entry in timeline if entry["kind"] == "trace"] == [
        ("trace", trace_id)
    ]
    assert [entry["data"]["content"] for entry in timeline if entry["kind"] == "turn"] == ["old question"]

    assert api.delete(f"/api/sessions/{session_id}", headers=owner.headers).status_code == 204
    assert api.get(f"/api/traces/{trace_id}", headers=owner.headers).status_code == 404


def test_a_session_is_last_seen_at_its_latest_trace_in_whatever_order_traces_arrive(
    api: httpx.Client, owner: Account, agent: dict[str, Any]
) -> None:
    """A message's traces move their session's ``lastSeenAt`` in the same write as its counters;
    an older trace arriving later never moves it back."""
    conversation = f"conv-{uuid.uuid4().hex[:10]}"

    def send(*moments: tuple[int, int]) -> dict[str, Any]:
        batch = [trace(agent["id"], sessionId=conversation, startedAt=at(a), endedAt=at(b)) for a, b in moments]
        answer = post_traces(api, owner.headers, batch)
        assert answer.status_code == 202
        stored = [wait_normalized(api, owner.headers, item["traceId"]) for item in answer.json()["results"]]
        session = api.get(f"/api/sessions/{stored[0]['normalization']['sessionId']}", headers=owner.headers).json()
        return {"seen": datetime.fromisoformat(session["lastSeenAt"]), "traces": session["traces"]}

    assert send((30, 31), (10, 11), (50, 51), (20, 21)) == {"seen": START + timedelta(seconds=51), "traces": 4}
    assert send((0, 1)) == {"seen": START + timedelta(seconds=51), "traces": 5}
    assert send((70, 75), (60, 61)) == {"seen": START + timedelta(seconds=75), "traces": 7}


def test_traces_of_one_batch_sharing_any_key_join_one_session(
    api: httpx.Client, owner: Account, agent: dict[str, Any]
) -> None:
    """A message's stitch keys are read once for all its traces; a key one trace attaches to its
    new session is found by the next trace that carries only that key."""
    conversation, visitor = f"conv-{uuid.uuid4().hex[:10]}", f"anon-{uuid.uuid4().hex[:10]}"
    batch = [
        trace(agent["id"], sessionId=conversation, anonymousId=visitor, startedAt=at(0), endedAt=at(1)),
        trace(agent["id"], sessionId=None, anonymousId=visitor, startedAt=at(2), endedAt=at(3)),
        trace(agent["id"], sessionId=conversation, startedAt=at(4), endedAt=at(5)),
    ]
    answer = post_traces(api, owner.headers, batch)
    assert answer.status_code == 202
    stored = [wait_normalized(api, owner.headers, item["traceId"]) for item in answer.json()["results"]]
    assert len({trace["normalization"]["sessionId"] for trace in stored}) == 1
    session = api.get(f"/api/sessions/{stored[0]['normalization']['sessionId']}", headers=owner.headers).json()
    assert session["traces"] == 3
