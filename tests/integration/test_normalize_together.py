"""The normalize function handed a batch of small messages (one trace or event a request, as an
agent posting each turn and a browser beaconing send them): the messages of one org are handled
together — one transaction applies them all — each trace and event is counted exactly once, a
malformed message fails alone, and a redelivery of the whole batch changes nothing."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from local.event_sources import sqs_record
from tests.support.connectors import every
from tests.support.identity import Account, create_agent, create_snapshot
from tests.support.ingest import at, event, llm_span, post_traces, trace


def records(messages: list[tuple[str, str]], cloud: Any) -> dict[str, Any]:
    queue = cloud.queue("NormalizeQueue")
    return {
        "Records": [
            sqs_record({"MessageId": message_id, "ReceiptHandle": message_id, "Body": body}, queue, "us-east-1")
            for message_id, body in messages
        ]
    }


def test_small_messages_are_applied_together_and_counted_once(
    api: httpx.Client, cloud: Any, owner: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grounded_core import adapters
    from grounded_core.ingest.items import APPLIED
    from grounded_core.store import table as store

    agent = create_agent(api, owner.headers, name="together")
    create_snapshot(api, owner.headers, agent["id"])
    conversation = f"together-{uuid.uuid4().hex[:6]}"
    queued: list[dict[str, Any]] = []
    monkeypatch.setattr(adapters, "send_messages", lambda _url, messages: queued.extend(messages))
    for _ in range(4):  # one trace a request
        one = trace(agent["id"], sessionId=conversation, spans=[llm_span("gpt-4o", inputTokens=1000)])
        assert post_traces(api, owner.headers, [one]).status_code == 202
    for beacon in range(3):  # one event a request
        body = {"events": [event(agent["id"], conversation, sessionId=conversation, timestamp=at(beacon))]}
        assert api.post("/api/telemetry", json=body, headers=owner.headers).status_code == 202
    monkeypatch.undo()
    assert [(m["kind"], len(m.get("ids") or m.get("events"))) for m in queued] == [("traces", 1)] * 4 + [
        ("events", 1)
    ] * 3

    applying: list[int] = []  # per transaction that applies traces or events: how many
    transact = store.transact

    def counted(operations: Any) -> None:
        applied = sum(1 for op in operations if getattr(op, "label", None) == APPLIED)
        if applied:
            applying.append(applied)
        transact(operations)

    monkeypatch.setattr(store, "transact", counted)
    batch = [(f"m{n}", json.dumps(message)) for n, message in enumerate(queued)]
    batch += [("again", batch[0][1]), ("poison", "{not json")]  # a duplicate delivery, and a poison message
    answer = cloud.invoke("NormalizeFunction", records(batch, cloud))
    assert answer == {"batchItemFailures": [{"itemIdentifier": "poison"}]}
    assert applying == [4, 3]  # the four traces in one transaction, the three events in another

    def counts() -> list[tuple[Any, ...]]:
        sessions = every(api, owner.headers, "/api/sessions", agentId=agent["id"])
        return [(s["externalId"], s["traces"], s["events"], s["tokens"]["total"]) for s in sessions]

    assert counts() == [(conversation, 4, 3, 4000)]
    traces = every(api, owner.headers, "/api/traces", agentId=agent["id"])
    assert [t["normalization"]["state"] for t in traces] == ["normalized"] * 4

    again = cloud.invoke("NormalizeFunction", records(batch, cloud))  # the whole batch redelivered
    assert again == {"batchItemFailures": [{"itemIdentifier": "poison"}]}
    assert counts() == [(conversation, 4, 3, 4000)]
