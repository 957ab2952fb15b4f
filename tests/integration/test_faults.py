"""Faults: a worker failing mid-batch (DynamoDB throttling that outlasts botocore's own retries)
has its messages redelivered, and the final state is exactly what a clean run gives."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.support.connectors import every
from tests.support.identity import Account, create_agent, create_snapshot
from tests.support.ingest import START, llm_span, post_traces, trace


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
