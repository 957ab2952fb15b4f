"""Faults: a worker failing mid-batch (DynamoDB throttling that outlasts botocore's own retries)
has its messages redelivered, and the final state is exactly what a clean run gives."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.support.connectors import every
from tests.support.identity import Account, create_agent, create_snapshot
from tests.support.ingest import START, llm_span, post_traces, trace, wait_normalized


def test_throttled_writes_mid_batch_are_retried_to_the_same_final_state(
    api: httpx.Client, cloud: Any, owner: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grounded_core.store import table as store
    from grounded_core.store.conditions import Put

    agent = create_agent(api, owner.headers, name="faults")
    create_snapshot(api, owner.headers, agent["id"])
    original = store.transact
    left = {"failures": 6, "calls": 0}
    lock = threading.Lock()

    def throttled(operations: Any) -> None:
        # a trace's effects, mid-message: the transaction that puts its APPLIED marker
        applying = any(isinstance(op, Put) and op.item.get("SK") == "APPLIED" for op in operations)
        with lock:
            if applying:
                left["calls"] += 1
            fail = applying and left["failures"] > 0 and left["calls"] % 2 == 0  # every other one
            if fail:
                left["failures"] -= 1
        if fail:
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "TransactWriteItems"
            )
        original(operations)

    monkeypatch.setattr(store, "transact", throttled)
    conversations = [f"fault-{uuid.uuid4().hex[:6]}" for _ in range(5)]
    failing = {"status": "error", "error": "tool timed out"}
    traces = [
        trace(
            agent["id"],
            sessionId=conversations[n % 5],
            spans=[llm_span("gpt-4o", inputTokens=1000, outputTokens=100)],
            **(failing if n in (0, 35) else {}),  # the first conversation's first and eighth
        )
        for n in range(60)
    ]
    assert post_traces(api, owner.headers, traces).status_code == 202
    cloud.drain(timeout_seconds=120)
    monkeypatch.setattr(store, "transact", original)

    assert left["failures"] == 0  # the faults did happen
    sessions = every(api, owner.headers, "/api/sessions", agentId=agent["id"])
    assert sorted(s["externalId"] for s in sessions) == sorted(conversations)
    assert [s["traces"] for s in sessions] == [12] * 5  # each trace counted once
    errored = every(api, owner.headers, "/api/sessions", agentId=agent["id"], hasErrors="true")
    assert [s["externalId"] for s in errored] == [conversations[0]]  # its listing entry marked, whichever way
    # gpt-4o: $2.50 / M input, $10 / M output -> $0.0035 a trace, $0.042 a session
    assert [s["costUsd"] for s in sessions] == [pytest.approx(0.042)] * 5
    assert sum(s["tokens"]["total"] for s in sessions) == 60 * 1100
    stored = every(api, owner.headers, "/api/traces", agentId=agent["id"])
    assert {t["normalization"]["state"] for t in stored} == {"normalized"}
    # the day's rollup: each new session counted once, by the write that applied its first traces
    day = {"agentId": agent["id"], "from": START.date().isoformat(), "to": START.date().isoformat()}
    totals = api.get("/api/analytics/overview", params=day, headers=owner.headers).json()["totals"]
    assert (totals["sessions"], totals["traces"], totals["tokens"]) == (5, 60, 60 * 1100)


def throttle_once(monkeypatch: pytest.MonkeyPatch, operation: str, naming: str, code: str) -> list[str]:
    """The first ``operation`` request whose parameters name ``naming`` fails with ``code``, as
    DynamoDB answers once botocore's own retries are spent; the list of what was refused."""
    from botocore.client import BaseClient

    original = BaseClient._make_api_call
    refused: list[str] = []

    def throttled(client: Any, called: str, params: Any) -> Any:
        if called == operation and naming in json.dumps(params, default=str) and not refused:
            refused.append(called)
            raise ClientError({"Error": {"Code": code, "Message": "Rate exceeded"}}, called)
        return original(client, called, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", throttled)
    return refused


def test_a_door_throttled_past_its_retries_answers_503_and_the_resend_is_stored_once(
    api: httpx.Client, owner: Account, agent: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = f"busy-{uuid.uuid4().hex[:6]}"
    traces = [trace(agent["id"], id=f"trc_busy_{conversation}_{n}", sessionId=conversation) for n in range(3)]
    # the door storing this org's traces (a burst beyond the table's capacity)
    refused = throttle_once(monkeypatch, "BatchWriteItem", owner.org["id"], "ProvisionedThroughputExceededException")
    busy = post_traces(api, owner.headers, traces)
    assert refused == ["BatchWriteItem"]
    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "1"
    assert busy.json()["code"] == "busy"
    assert "try again" in busy.json()["error"]

    assert post_traces(api, owner.headers, traces).status_code == 202  # the client's retry
    for sent in traces:
        wait_normalized(api, owner.headers, sent["id"])
    sessions = every(api, owner.headers, "/api/sessions", agentId=agent["id"])
    assert [s["traces"] for s in sessions if s["externalId"] == conversation] == [3]


def test_an_idempotent_post_whose_claim_is_throttled_answers_503_and_its_retry_runs(
    api: httpx.Client, owner: Account, agent: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    key = f"busy-{uuid.uuid4().hex}"
    # the Idempotency-Key's claim, before the route runs (outside FastAPI's error handlers)
    refused = throttle_once(monkeypatch, "PutItem", key, "ThrottlingException")
    headers = {**owner.headers, "Idempotency-Key": key}
    sent = trace(agent["id"], sessionId=f"claim-{key}")
    busy = api.post("/api/traces", json=sent, headers=headers)
    assert refused == ["PutItem"]
    assert (busy.status_code, busy.json()["code"], busy.headers["Retry-After"]) == (503, "busy", "1")

    accepted = api.post("/api/traces", json=sent, headers=headers)  # the same retry, key and all
    assert accepted.status_code == 202
    wait_normalized(api, owner.headers, accepted.json()["traceId"])
    again = api.post("/api/traces", json=sent, headers=headers)  # and now the first answer, replayed
    assert again.json() == accepted.json()
