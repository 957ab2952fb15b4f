"""Nothing accepted is ever lost (issue 13, items 1 and 3): every free-form JSON field of every
write route refuses, with a 422 naming the field (per item in batches), numbers the store cannot
hold and JSON nested past 32 levels — and an accepted item is always found later, never in the DLQ.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.support.identity import Account
from tests.support.ingest import at, event, trace, wait_normalized
from tests.support.waiting import wait_until

BAD = "__BAD__"
#: Raw JSON literals the store cannot hold: Python parses 1e400 as inf; the others are past
#: DynamoDB's range or precision; then nesting past 32 levels, and far past it.
POISONS = {
    "overflow": "1e400",
    "huge": "1e200",
    "tiny": "1e-200",
    "digits": "123456789012345678901234567890123456789",
    "deep": "[" * 40 + "]" * 40,
    "very_deep": '{"a":' * 600 + "1" + "}" * 600,
}


def raw_json(body: Any, poison: str) -> bytes:
    return json.dumps(body).replace(json.dumps(BAD), POISONS[poison]).encode()


Body = Callable[[dict[str, Any]], tuple[str, str, Any, str]]


def _case_route(ctx: dict[str, Any]) -> tuple[str, str, Any, str]:
    return (
        "POST",
        f"/api/evals/suites/{ctx['suite']}/cases",
        {"input": {"q": BAD}, "assertions": [{"type": "contains", "value": "x"}]},
        "input",
    )


#: (method, path, body with BAD where the poison goes, the field a 422 must name)
ROUTES: dict[str, Body] = {
    "trace input": lambda c: ("POST", "/api/traces", trace(c["agent"], input={"q": BAD}), "input"),
    "trace metadata": lambda c: ("POST", "/api/traces", trace(c["agent"], metadata={"m": BAD}), "metadata"),
    "span attributes": lambda c: (
        "POST",
        "/api/traces",
        trace(c["agent"], spans=[{"id": "s1", "name": "x", "startedAt": at(0), "attributes": {"a": BAD}}]),
        "spans.0.attributes",
    ),
    "resource": lambda c: ("POST", "/api/traces", trace(c["agent"], resource={"region": {"x": BAD}}), "resource"),
    "session metadata": lambda c: (
        "POST",
        "/api/sessions",
        {"agentId": c["agent"], "metadata": {"m": BAD}},
        "metadata",
    ),
    "turn tool calls": lambda c: (
        "POST",
        f"/api/sessions/{c['session']}/turns",
        {"role": "assistant", "content": "hi", "toolCalls": [{"args": BAD}]},
        "toolCalls",
    ),
    "snapshot parameters": lambda c: (
        "POST",
        f"/api/agents/{c['agent']}/snapshots",
        {"label": "v", "systemPrompt": "p", "modelId": "gpt-4o", "parameters": {"temperature": BAD}},
        "parameters",
    ),
    "snapshot tools": lambda c: (
        "POST",
        f"/api/agents/{c['agent']}/snapshots",
        {"label": "v", "systemPrompt": "p", "modelId": "gpt-4o", "tools": [{"name": "t", "parameters": {"x": BAD}}]},
        "tools.0.parameters",
    ),
    "case input": _case_route,
    "case patch input": lambda c: ("PATCH", f"/api/evals/cases/{c['case']}", {"input": {"q": BAD}}, "input"),
    "result output": lambda c: (
        "POST",
        f"/api/evals/runs/{c['run']}/results",
        {"results": [{"caseId": c["case"], "output": {"o": BAD}}]},
        "results.0.output",
    ),
}


@pytest.fixture(scope="module")
def ctx(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> dict[str, Any]:
    headers = owner.headers
    session = api.post("/api/sessions", json={"agentId": agent["id"]}, headers=headers).json()
    suite = api.post("/api/evals/suites", json={"agentId": agent["id"], "name": "s"}, headers=headers).json()
    case = api.post(
        f"/api/evals/suites/{suite['id']}/cases",
        json={"input": "q", "assertions": [{"type": "contains", "value": "x"}]},
        headers=headers,
    ).json()
    run = api.post("/api/evals/runs", json={"suiteId": suite["id"], "mode": "submit"}, headers=headers).json()
    return {"agent": agent["id"], "session": session["id"], "suite": suite["id"], "case": case["id"], "run": run["id"]}


@pytest.mark.parametrize("poison", sorted(POISONS))
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_a_value_the_store_cannot_hold_is_a_422_naming_the_field(
    api: httpx.Client, owner: Account, ctx: dict[str, Any], route: str, poison: str
) -> None:
    method, path, body, field = ROUTES[route](ctx)
    response = api.request(
        method, path, content=raw_json(body, poison), headers={**owner.headers, "content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    fields = [detail["field"] for detail in response.json()["details"]]
    assert any(name == field or name.startswith(field + ".") for name in fields), (fields, field)


@pytest.mark.parametrize("poison", ["overflow", "digits", "deep"])
def test_one_bad_trace_in_a_batch_is_rejected_alone_and_the_rest_are_stored(
    api: httpx.Client, owner: Account, agent: dict[str, Any], poison: str
) -> None:
    good = [trace(agent["id"], id=f"good-{uuid.uuid4().hex[:8]}") for _ in range(2)]
    bad = trace(agent["id"], metadata={"m": BAD})
    response = api.post(
        "/api/traces/batch",
        content=raw_json({"traces": [good[0], bad, good[1]]}, poison),
        headers={**owner.headers, "content-type": "application/json"},
    )
    assert response.status_code == 207, response.text
    results = response.json()["results"]
    assert [result["status"] for result in results] == ["accepted", "rejected", "accepted"]
    assert results[1]["details"][0]["field"].startswith("metadata")
    for sent in good:
        wait_normalized(api, owner.headers, sent["id"])


def test_accepted_telemetry_is_always_found_later_and_never_in_the_dlq(
    api: httpx.Client, cloud: Any, owner: Account, agent: dict[str, Any]
) -> None:
    anonymous = f"anon-{uuid.uuid4().hex[:8]}"
    events = [
        event(agent["id"], anonymous, name=f"e{index}", properties={"n": BAD if index == 1 else index})
        for index in range(4)
    ]
    dead_before = cloud.queue_depth("NormalizeDeadLetterQueue")
    response = api.post(
        "/api/telemetry",
        content=raw_json({"events": events}, "overflow"),
        headers={**owner.headers, "content-type": "application/json"},
    )
    assert response.status_code == 207, response.text
    statuses = [result["status"] for result in response.json()["results"]]
    assert statuses == ["accepted", "rejected", "accepted", "accepted"]

    def timeline_names() -> list[str] | None:
        sessions = api.get("/api/sessions", params={"agentId": agent["id"]}, headers=owner.headers).json()["items"]
        for session in sessions:
            timeline = api.get(f"/api/sessions/{session['id']}/timeline", headers=owner.headers).json()["items"]
            names = sorted(entry["data"].get("name") for entry in timeline if entry["kind"] == "event")
            if names and entry_has(timeline, anonymous):
                return names if len(names) == 3 else None
        return None

    assert wait_until(timeline_names, timeout=60, what="the three accepted events") == ["e0", "e2", "e3"]
    cloud.drain()
    assert cloud.queue_depth("NormalizeDeadLetterQueue") == dead_before


def entry_has(timeline: list[dict[str, Any]], anonymous: str) -> bool:
    return any(entry["data"].get("anonymousId") == anonymous for entry in timeline)


def test_the_worker_applies_every_good_item_of_a_message_with_a_poison_item(
    api: httpx.Client, cloud: Any, owner: Account, agent: dict[str, Any]
) -> None:
    """Should something unstorable ever get past the door, it fails alone: the message's other
    items are applied, and only the message (with the poison in it) goes to the DLQ."""
    anonymous = f"poison-{uuid.uuid4().hex[:8]}"
    events = [
        {**event(agent["id"], anonymous, name=f"p{index}"), "id": f"evt-{uuid.uuid4().hex[:8]}"} for index in range(3)
    ]
    events[0]["properties"] = {"n": BAD}
    message = raw_json({"kind": "events", "orgId": owner.org["id"], "events": events}, "overflow").decode()
    dead_before = cloud.queue_depth("NormalizeDeadLetterQueue")

    cloud.client("sqs").send_message(QueueUrl=cloud.resources["NormalizeQueue"], MessageBody=message)

    def good_events() -> int | None:
        sessions = api.get("/api/sessions", params={"agentId": agent["id"]}, headers=owner.headers).json()["items"]
        counts = [session["events"] for session in sessions if session["anonymousId"] == anonymous]
        return counts[0] if counts and counts[0] == 2 else None

    assert wait_until(good_events, timeout=60, what="the two good events") == 2
    wait_until(
        lambda: cloud.queue_depth("NormalizeDeadLetterQueue") > dead_before, timeout=90, what="the poison in the DLQ"
    )


def test_a_trace_that_cannot_load_fails_alone_in_its_message(
    api: httpx.Client, cloud: Any, owner: Account, agent: dict[str, Any]
) -> None:
    """The traces path has the same isolation: a stored trace that no longer loads (an older
    version's item, say) is left pending while the message's other traces are normalized."""
    from grounded_core.clock import iso, utc_now
    from grounded_core.ingest.models import TraceIn
    from grounded_core.ingest.service import trace_item
    from grounded_core.lifecycle.retention import KEEP_FOREVER
    from grounded_core.store import keys, table

    org = owner.org["id"]
    good, broken = f"good-{uuid.uuid4().hex[:8]}", f"broken-{uuid.uuid4().hex[:8]}"
    item, _ = trace_item(org, good, TraceIn.model_validate(trace(agent["id"])), iso(utc_now()), KEEP_FOREVER)
    table.batch_put(
        [
            item,
            {"PK": keys.trace(org, broken), "SK": keys.TRACE_SK, "id": broken, "normalization": {"state": "pending"}},
        ]
    )
    dead_before = cloud.queue_depth("NormalizeDeadLetterQueue")
    message = json.dumps({"kind": "traces", "orgId": org, "ids": [broken, good]})

    cloud.client("sqs").send_message(QueueUrl=cloud.resources["NormalizeQueue"], MessageBody=message)

    wait_normalized(api, owner.headers, good)
    wait_until(
        lambda: cloud.queue_depth("NormalizeDeadLetterQueue") > dead_before, timeout=90, what="the message in the DLQ"
    )
