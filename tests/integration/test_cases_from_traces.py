"""Datasets from production: a trace, or one exchange of its conversation, becomes an eval case
that keeps a link to it and runs like any other case; what cannot make a case is refused clearly."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.identity import Account, create_key, sign_up
from tests.support.ingest import post_traces, trace, wait_normalized


@pytest.fixture(scope="module")
def production(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> dict[str, Any]:
    """A normalized trace with a conversation, and the suite cases are added to."""
    sent = trace(agent["id"], input={"question": "Where is my order?"}, output="It ships tomorrow.")
    trace_id = post_traces(api, owner.headers, [sent]).json()["results"][0]["traceId"]
    normalized = wait_normalized(api, owner.headers, trace_id)
    suite = api.post("/api/evals/suites", json={"agentId": agent["id"], "name": "from production"},
                     headers=owner.headers).json()  # fmt: skip
    return {"trace": normalized, "suite": suite}


def from_trace(api: httpx.Client, headers: dict[str, str], suite_id: str, **body: Any) -> httpx.Response:
    return api.post(f"/api/evals/suites/{suite_id}/cases/from-trace", json=body, headers=headers)


def test_a_trace_becomes_a_case_that_expects_its_output_and_runs(
    api: httpx.Client, owner: Account, production: dict[str, Any]
) -> None:
    made = from_trace(api, owner.headers, production["suite"]["id"], traceId=production["trace"]["id"],
                      expected="output", tags=["prod"])  # fmt: skip
    assert made.status_code == 201, made.text
    case = made.json()
    assert case["input"] == {"question": "Where is my order?"}
    assert (case["expected"], case["tags"]) == ("It ships tomorrow.", ["prod"])
    assert case["assertions"] == [{"type": "equals", "value": "It ships tomorrow.", "ignoreCase": True}]
    assert case["source"]["traceId"] == production["trace"]["id"]
    assert case["source"]["sessionId"] == production["trace"]["normalization"]["sessionId"]
    listed = api.get(f"/api/evals/suites/{production['suite']['id']}/cases", headers=owner.headers).json()["items"]
    assert case["id"] in {c["id"] for c in listed}

    run = api.post("/api/evals/runs", json={"suiteId": production["suite"]["id"]}, headers=owner.headers).json()
    answers = {"results": [{"caseId": c["id"], "output": "it ships TOMORROW."} for c in listed]}
    graded = api.post(f"/api/evals/runs/{run['id']}/results", json=answers, headers=owner.headers).json()
    assert {r["caseId"]: r["verdict"] for r in graded["results"]}[case["id"]] == "pass"


def test_one_exchange_of_the_conversation_becomes_a_case(
    api: httpx.Client, owner: Account, production: dict[str, Any]
) -> None:
    session_id = production["trace"]["normalization"]["sessionId"]
    timeline = api.get(f"/api/sessions/{session_id}/timeline", headers=owner.headers).json()["items"]
    turns = {entry["data"]["role"]: entry["data"] for entry in timeline if entry["kind"] == "turn"}
    suite_id, trace_id = production["suite"]["id"], production["trace"]["id"]

    asked = from_trace(api, owner.headers, suite_id, traceId=trace_id, turnId=turns["user"]["id"], expected="output")
    assert asked.status_code == 201, asked.text
    assert asked.json()["input"] == turns["user"]["content"]
    assert asked.json()["expected"] == turns["assistant"]["content"]
    assert asked.json()["source"]["turnId"] == turns["user"]["id"]
    answered = from_trace(api, owner.headers, suite_id, traceId=trace_id, turnId=turns["assistant"]["id"],
                          assertions=[{"type": "contains", "value": "ships"}], name="shipping")  # fmt: skip
    assert answered.status_code == 201, answered.text
    assert (answered.json()["input"], answered.json()["name"]) == (turns["user"]["content"], "shipping")
    assert answered.json().get("expected") is None

    if "tool" in turns:
        tool = from_trace(api, owner.headers, suite_id, traceId=trace_id, turnId=turns["tool"]["id"], expected="output")
        assert (tool.status_code, tool.json()["details"][0]["field"]) == (422, "turnId")
    missing = from_trace(api, owner.headers, suite_id, traceId=trace_id, turnId="turn-nope", expected="output")
    assert (missing.status_code, missing.json()["code"]) == (404, "turn_not_found")


def test_what_cannot_make_a_case_is_refused(api: httpx.Client, owner: Account, production: dict[str, Any]) -> None:
    suite_id, trace_id = production["suite"]["id"], production["trace"]["id"]
    no_check = from_trace(api, owner.headers, suite_id, traceId=trace_id)
    assert (no_check.status_code, no_check.json()["details"][0]["field"]) == (422, "assertions")
    bad = from_trace(api, owner.headers, suite_id, traceId=trace_id, expected="input")
    assert bad.status_code == 422
    unknown = from_trace(api, owner.headers, suite_id, traceId="tr-nope", expected="output")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "trace_not_found")
    no_suite = from_trace(api, owner.headers, "sui_nope", traceId=trace_id, expected="output")
    assert no_suite.status_code == 404

    stranger = sign_up(api)
    theirs = api.post("/api/evals/suites", json={"agentId": production["suite"]["agentId"], "name": "x"},
                      headers=stranger.headers)  # fmt: skip
    assert theirs.status_code == 404  # not their agent
    evals_only = create_key(api, owner, name="evals-only", scopes=["evals:read", "evals:write"])["key"]
    blind = from_trace(api, {"authorization": f"Bearer {evals_only}"}, suite_id, traceId=trace_id, expected="output")
    assert (blind.status_code, blind.json()["code"]) == (403, "missing_scope")
