"""Search: traces (and their sessions) by text, metadata, tag, model, cost, latency, status and
score, within a time window, newest first, page by page — each filter alone and together, with
clear errors, and never another org's."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.identity import create_agent, create_snapshot, sign_up
from tests.support.ingest import post_traces, trace, wait_normalized


def moment(**back: float) -> str:
    return (datetime.now(UTC) - timedelta(**back)).isoformat().replace("+00:00", "Z")


def llm(model: str, started: str) -> dict[str, Any]:
    return {"id": f"sp-{uuid.uuid4().hex[:8]}", "kind": "llm", "name": "answer", "startedAt": started,
            "model": model, "usage": {"inputTokens": 1000, "outputTokens": 100}}  # fmt: skip


@pytest.fixture(scope="module")
def shop(api: httpx.Client) -> dict[str, Any]:
    owner = sign_up(api)
    agent = create_agent(api, owner.headers, name="searchable")
    create_snapshot(api, owner.headers, agent["id"])
    a_start, b_start, c_start = moment(hours=2), moment(hours=1), moment(days=10)
    b_end = moment(hours=1, seconds=-10)  # the refund took 10 s
    sent = {
        "order": trace(
            agent["id"], name="order_status", startedAt=a_start, endedAt=a_start, output="It ships tomorrow.",
            input={"question": "Where is my ORDER 42?"}, metadata={"plan": "pro", "region": "eu"},
            tags=["checkout"], spans=[llm("gpt-4o-mini", a_start)],
        ),
        "refund": trace(
            agent["id"], name="refund", startedAt=b_start, endedAt=b_end, input="I want a refund",
            output="Refunds take 5 days.", status="error", error="tool timed out", metadata={"plan": "free"},
            tags=["refund"], spans=[llm("claude-3-5-sonnet", b_start)],
        ),
        "old": trace(
            agent["id"], name="order_status", startedAt=c_start, endedAt=c_start, input="old order question",
            output="It shipped.", spans=[llm("gpt-4o-mini", c_start)],
        ),
    }  # fmt: skip
    answer = post_traces(api, owner.headers, list(sent.values()))
    assert answer.status_code == 202, answer.text
    ids = dict(zip(sent, (r["traceId"] for r in answer.json()["results"]), strict=True))
    traces = {name: wait_normalized(api, owner.headers, trace_id) for name, trace_id in ids.items()}
    return {"owner": owner, "agent": agent, "traces": traces}


def found(api: httpx.Client, shop: dict[str, Any], path: str = "/api/traces", **params: Any) -> list[str]:
    answer = api.get(path, params=params, headers=shop["owner"].headers)
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


def ids(shop: dict[str, Any], *names: str) -> list[str]:
    return [shop["traces"][name]["id"] for name in names]


def test_text_searches_input_output_and_error_in_the_window(api: httpx.Client, shop: dict[str, Any]) -> None:
    assert found(api, shop, q="order 42") == ids(shop, "order")
    assert found(api, shop, q="ORDER") == ids(shop, "order")  # the 10-day-old one is outside the default 7 days
    assert found(api, shop, q="order", **{"from": moment(days=11)}) == ids(shop, "order", "old")
    assert found(api, shop, q="timed out") == ids(shop, "refund")
    assert found(api, shop, q="no such words") == []


def test_metadata_tag_model_and_status(api: httpx.Client, shop: dict[str, Any]) -> None:
    assert found(api, shop, **{"metadata.plan": "pro"}) == ids(shop, "order")
    assert found(api, shop, **{"metadata.plan": "pro", "metadata.region": "us"}) == []
    assert found(api, shop, tag="refund") == ids(shop, "refund")
    assert found(api, shop, model="gpt-4o*") == ids(shop, "order")
    assert found(api, shop, model="GPT-4O-MINI") == ids(shop, "order")
    assert found(api, shop, model="gpt-4o") == []
    assert found(api, shop, q="refund", status="error") == ids(shop, "refund")
    assert found(api, shop, q="refund", status="ok") == []


def test_cost_and_latency_ranges(api: httpx.Client, shop: dict[str, Any]) -> None:
    assert found(api, shop, minLatencyMs=5000) == ids(shop, "refund")
    assert found(api, shop, maxLatencyMs=5000) == ids(shop, "order")
    cost = {trace["id"]: trace["costUsd"] for trace in shop["traces"].values()}
    recent = ids(shop, "refund", "order")
    assert all(cost[t] is not None and cost[t] > 0 for t in recent), cost
    cheapest = min(cost[t] for t in recent)
    assert found(api, shop, minCostUsd=cheapest) == recent
    assert found(api, shop, maxCostUsd=cheapest) == [t for t in recent if cost[t] == cheapest]
    assert found(api, shop, minCostUsd=max(cost[t] for t in recent) * 2) == []


def test_scores_find_traces(api: httpx.Client, shop: dict[str, Any]) -> None:
    headers = shop["owner"].headers
    for name, value in (("order", 0.9), ("refund", 0.2)):
        body = {"name": "helpfulness", "value": value, "traceId": shop["traces"][name]["id"]}
        assert api.post("/api/scores", json=body, headers=headers).status_code == 201
    assert found(api, shop, scoreName="helpfulness", minScore=0.5) == ids(shop, "order")
    assert found(api, shop, scoreName="helpfulness", maxScore=0.5) == ids(shop, "refund")
    assert found(api, shop, scoreName="helpfulness") == ids(shop, "refund", "order")  # newest score first
    assert found(api, shop, scoreName="helpfulness", q="ships") == ids(shop, "order")


def test_pages_go_on_from_the_cursor(api: httpx.Client, shop: dict[str, Any]) -> None:
    headers = shop["owner"].headers
    first = api.get("/api/traces", params={"q": "s", "limit": 1}, headers=headers).json()
    assert [item["id"] for item in first["items"]] == ids(shop, "refund")
    second = api.get("/api/traces", params={"q": "s", "limit": 1, "cursor": first["nextCursor"]}, headers=headers)
    assert [item["id"] for item in second.json()["items"]] == ids(shop, "order")


def test_sessions_of_matching_traces(api: httpx.Client, shop: dict[str, Any]) -> None:
    sessions = found(api, shop, "/api/sessions", q="refund")
    assert sessions == [shop["traces"]["refund"]["normalization"]["sessionId"]]
    assert found(api, shop, "/api/sessions", tag="checkout") == [shop["traces"]["order"]["normalization"]["sessionId"]]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/traces", {"minCostUsd": 2, "maxCostUsd": 1}, "minCostUsd"),
        ("/api/traces", {"minLatencyMs": 9, "maxLatencyMs": 1}, "minLatencyMs"),
        ("/api/traces", {"minScore": 0.5}, "scoreName"),
        ("/api/traces", {"scoreName": "q", "minScore": 1, "maxScore": 0}, "minScore"),
        ("/api/traces", {"q": "x" * 201}, "q"),
        ("/api/traces", {"q": "x", "sessionId": "ses_1"}, "sessionId"),
        ("/api/traces", {"minCostUsd": -1}, "minCostUsd"),
        ("/api/sessions", {"q": "x", "userId": "u"}, "userId"),
    ],
)
def test_bad_searches_say_which_field(
    api: httpx.Client, shop: dict[str, Any], path: str, params: dict[str, Any], field: str
) -> None:
    answer = api.get(path, params=params, headers=shop["owner"].headers)
    assert answer.status_code == 422, answer.text
    assert field in {detail["field"].removeprefix("query.") for detail in answer.json()["details"]}


def test_another_org_finds_nothing_of_ours(api: httpx.Client, shop: dict[str, Any]) -> None:
    stranger = sign_up(api)
    assert api.get("/api/traces", params={"q": "order"}, headers=stranger.headers).json()["items"] == []
    assert api.get("/api/sessions", params={"q": "refund"}, headers=stranger.headers).json()["items"] == []
