"""Scores and feedback: recorded on a trace, a span, a session and an eval result; idempotent on
the client's id (the same answer again, a replacement counted once); validated with clear errors;
a publishable key sends its end users' feedback (also as a beacon), nothing more; other orgs'
targets are 404; scores go with what they score; and the day's averages reach the analytics."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.support.identity import Account, bearer, create_agent, create_key, create_snapshot, sign_up
from tests.support.ingest import post_traces, trace, wait_normalized


@pytest.fixture(scope="module")
def traced(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> list[dict[str, Any]]:
    """Three normalized traces of the module's agent, in one conversation."""
    conversation = f"conv-{uuid.uuid4().hex[:8]}"
    sent = [trace(agent["id"], sessionId=conversation) for _ in range(3)]
    answer = post_traces(api, owner.headers, sent)
    assert answer.status_code == 202, answer.text
    ids = [result["traceId"] for result in answer.json()["results"]]
    return [wait_normalized(api, owner.headers, trace_id) for trace_id in ids]


def score(api: httpx.Client, headers: dict[str, str], **body: Any) -> httpx.Response:
    return api.post("/api/scores", json=body, headers=headers)


def listed(api: httpx.Client, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    answer = api.get("/api/scores", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]  # type: ignore[no-any-return]


def scores_today(api: httpx.Client, headers: dict[str, str], agent_id: str) -> dict[str, dict[str, Any]]:
    overview = api.get("/api/analytics/overview", params={"agentId": agent_id}, headers=headers).json()
    return {series["name"]: series for series in overview["scores"]}


def test_scores_on_every_kind_of_target_are_listed_per_target_and_per_name(
    api: httpx.Client, owner: Account, agent: dict[str, Any], traced: list[dict[str, Any]]
) -> None:
    first, second = traced[0], traced[1]
    span_id = first["spans"][0]["id"]
    session_id = first["normalization"]["sessionId"]
    made = [
        score(api, owner.headers, name="helpfulness", value=0.8, traceId=first["id"], comment="clear answer"),
        score(api, owner.headers, name="helpfulness", value=0.4, traceId=second["id"], source="sdk"),
        score(api, owner.headers, name="tool_ok", value=True, traceId=first["id"], spanId=span_id),
        score(api, owner.headers, name="resolution", value="resolved", sessionId=session_id),
    ]
    assert [answer.status_code for answer in made] == [201] * 4, [answer.text for answer in made]
    helpful = made[0].json()
    assert helpful["id"].startswith("scr_")
    assert (helpful["value"], helpful["dataType"], helpful["target"], helpful["agentId"]) == (
        0.8, "numeric", "trace", agent["id"],
    )  # fmt: skip
    assert "recordedBy" not in helpful
    assert (made[2].json()["dataType"], made[2].json()["spanId"]) == ("boolean", span_id)
    assert made[3].json()["dataType"] == "categorical"

    on_first = listed(api, owner.headers, traceId=first["id"])
    assert {(s["name"], s["value"]) for s in on_first} == {("helpfulness", 0.8), ("tool_ok", True)}
    assert [s["name"] for s in listed(api, owner.headers, traceId=first["id"], spanId=span_id)] == ["tool_ok"]
    assert [s["value"] for s in listed(api, owner.headers, sessionId=session_id)] == ["resolved"]
    by_name = listed(api, owner.headers, name="helpfulness", agentId=agent["id"])
    assert [s["traceId"] for s in by_name] == [second["id"], first["id"]]  # newest first
    assert [s["source"] for s in listed(api, owner.headers, name="helpfulness", source="sdk")] == ["sdk"]


def test_the_same_id_answers_the_same_score_and_a_new_value_replaces_it_counted_once(
    api: httpx.Client, owner: Account
) -> None:
    agent = create_agent(api, owner.headers, name="scored-once")
    create_snapshot(api, owner.headers, agent["id"])
    sent = post_traces(api, owner.headers, [trace(agent["id"]), trace(agent["id"])]).json()["results"]
    first, second = (result["traceId"] for result in sent)
    body = {"id": "thumbs-1", "name": "quality", "value": 0.5, "traceId": first}
    assert score(api, owner.headers, **body).status_code == 201
    again = score(api, owner.headers, **body)
    assert (again.status_code, again.json()["value"], again.json()["version"]) == (200, 0.5, 0)
    assert score(api, owner.headers, name="quality", value=1, traceId=second).status_code == 201
    assert scores_today(api, owner.headers, agent["id"])["quality"]["overallAverage"] == 0.75

    replaced = score(api, owner.headers, **{**body, "value": 0.9, "comment": "on second thought"})
    assert (replaced.status_code, replaced.json()["value"], replaced.json()["version"]) == (200, 0.9, 1)
    assert score(api, owner.headers, **{**body, "value": 0.9, "comment": "on second thought"}).status_code == 200
    quality = scores_today(api, owner.headers, agent["id"])["quality"]
    assert (quality["count"], quality["overallAverage"]) == (2, 0.95)
    assert [s["value"] for s in listed(api, owner.headers, traceId=first)] == [0.9]

    renamed = score(api, owner.headers, **{**body, "name": "other"})
    assert (renamed.status_code, renamed.json()["code"]) == (409, "score_conflict")
    retyped = score(api, owner.headers, **{**body, "value": "great"})
    assert (retyped.status_code, retyped.json()["code"]) == (409, "score_conflict")


def test_racing_writers_of_one_score_count_it_once(api: httpx.Client, owner: Account) -> None:
    agent = create_agent(api, owner.headers, name="raced")
    trace_id = post_traces(api, owner.headers, [trace(agent["id"])]).json()["results"][0]["traceId"]
    values = [0.1 * n for n in range(8)]

    def send(value: float) -> int | str:
        body = {"id": "raced-1", "name": "raced", "value": value, "traceId": trace_id}
        answer = score(api, owner.headers, **body)
        return answer.status_code if answer.status_code != 409 else answer.json()["code"]

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(send, values))
    assert statuses.count(201) == 1, statuses
    assert set(statuses) <= {200, 201}, statuses
    kept = listed(api, owner.headers, traceId=trace_id)
    assert len(kept) == 1
    raced = scores_today(api, owner.headers, agent["id"])["raced"]
    assert raced["count"] == 1
    assert raced["overallAverage"] == pytest.approx(kept[0]["value"])


def test_eval_results_are_scored(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> None:
    suite = api.post("/api/evals/suites", json={"agentId": agent["id"], "name": "scored"}, headers=owner.headers)
    case = {"name": "greeting", "input": "hi", "assertions": [{"type": "contains", "value": "hello"}]}
    made = api.post(f"/api/evals/suites/{suite.json()['id']}/cases", json={"cases": [case]}, headers=owner.headers)
    case_id = made.json()["cases"][0]["id"]
    run = api.post("/api/evals/runs", json={"suiteId": suite.json()["id"]}, headers=owner.headers).json()
    results = {"results": [{"caseId": case_id, "output": "hello there"}]}
    assert api.post(f"/api/evals/runs/{run['id']}/results", json=results, headers=owner.headers).status_code == 200

    graded = score(api, owner.headers, name="human_review", value="good", runId=run["id"], caseId=case_id)
    assert graded.status_code == 201, graded.text
    assert graded.json()["target"] == "result"
    assert [s["caseId"] for s in listed(api, owner.headers, runId=run["id"])] == [case_id]
    missing = score(api, owner.headers, name="human_review", value="good", runId=run["id"], caseId="cas_nope")
    assert (missing.status_code, missing.json()["code"]) == (404, "result_not_found")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "q", "value": 1}, "body"),
        ({"name": "q", "value": 1, "traceId": "t", "sessionId": "s"}, "body"),
        ({"name": "q", "value": 1, "spanId": "s1", "sessionId": "s"}, "body"),
        ({"name": "q", "value": 1, "runId": "run_1"}, "body"),
        ({"name": "has space", "value": 1, "traceId": "t"}, "name"),
        ({"name": "q", "value": "x" * 65, "traceId": "t"}, "body"),
        ({"name": "q", "value": None, "traceId": "t"}, "value"),
        ({"name": "q", "value": [1], "traceId": "t"}, "value"),
        ({"name": "q", "value": 1, "traceId": "t", "source": "robot"}, "source"),
        ({"name": "q", "value": 1, "traceId": "t", "id": "no spaces please"}, "id"),
    ],
)
def test_bad_scores_are_refused_with_the_field(
    api: httpx.Client, owner: Account, body: dict[str, Any], field: str
) -> None:
    answer = score(api, owner.headers, **body)
    assert answer.status_code == 422, answer.text
    assert any(detail["field"].startswith(field) for detail in answer.json()["details"]), answer.json()


def test_missing_and_foreign_targets_are_404(api: httpx.Client, owner: Account, traced: list[dict[str, Any]]) -> None:
    unknown = score(api, owner.headers, name="q", value=1, traceId="tr_nope")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "trace_not_found")
    no_span = score(api, owner.headers, name="q", value=1, traceId=traced[0]["id"], spanId="sp-nope")
    assert (no_span.status_code, no_span.json()["code"]) == (404, "span_not_found")
    stranger = sign_up(api)
    theirs = score(api, stranger.headers, name="q", value=1, traceId=traced[0]["id"])
    assert (theirs.status_code, theirs.json()["code"]) == (404, "trace_not_found")
    peek = api.get("/api/scores", params={"traceId": traced[0]["id"]}, headers=stranger.headers)
    assert peek.status_code == 404
    vague = api.get("/api/scores", headers=owner.headers)
    assert (vague.status_code, vague.json()["details"][0]["field"]) == (422, "name")


def test_a_publishable_key_sends_end_user_feedback_and_nothing_else(
    api: httpx.Client, owner: Account, agent: dict[str, Any], traced: list[dict[str, Any]]
) -> None:
    key = str(create_key(api, owner, kind="publishable", agentId=agent["id"])["key"])
    browser = bearer(key)
    trace_id = traced[2]["id"]
    thumbs = score(api, browser, id=f"fb-{trace_id}", name="feedback", value=True, source="user", traceId=trace_id)
    assert thumbs.status_code == 201, thumbs.text
    body = json.dumps({"name": "feedback", "value": False, "source": "user", "traceId": trace_id})
    beacon = api.post(
        "/api/scores",
        params={"key": key},
        content=body,
        headers={"content-type": "text/plain;charset=UTF-8", "origin": "https://shop.example.com"},
    )
    assert beacon.status_code == 201, beacon.text
    assert beacon.headers["access-control-allow-origin"] in {"*", "https://shop.example.com"}
    assert sorted(s["value"] for s in listed(api, owner.headers, traceId=trace_id, name="feedback")) == [False, True]

    as_api = score(api, browser, name="feedback", value=True, traceId=trace_id)
    assert (as_api.status_code, as_api.json()["code"]) == (403, "publishable_scores")
    on_session = score(api, browser, name="feedback", value=True, source="user",
                       sessionId=traced[2]["normalization"]["sessionId"])  # fmt: skip
    assert on_session.status_code == 403
    other = create_agent(api, owner.headers, name="not-the-keys")
    elsewhere = post_traces(api, owner.headers, [trace(other["id"])]).json()["results"][0]["traceId"]
    assert score(api, browser, name="feedback", value=True, source="user", traceId=elsewhere).status_code == 403
    assert api.get("/api/scores", params={"traceId": trace_id}, headers=browser).status_code == 403
    secret = create_key(api, owner, name="ci")["key"]
    in_url = api.post("/api/scores", params={"key": secret}, content=body, headers={"content-type": "text/plain"})
    assert (in_url.status_code, in_url.json()["code"]) == (401, "secret_key_in_url")


def test_scores_go_with_what_they_score(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> None:
    sent = post_traces(api, owner.headers, [trace(agent["id"])]).json()["results"][0]["traceId"]
    session_id = wait_normalized(api, owner.headers, sent)["normalization"]["sessionId"]
    assert score(api, owner.headers, name="gone", value=1, traceId=sent).status_code == 201
    assert score(api, owner.headers, name="gone", value=2, sessionId=session_id).status_code == 201
    assert len(listed(api, owner.headers, name="gone")) == 2
    assert api.delete(f"/api/sessions/{session_id}", headers=owner.headers).status_code in (202, 204)
    assert listed(api, owner.headers, name="gone") == []
    assert api.get("/api/scores", params={"traceId": sent}, headers=owner.headers).status_code == 404
    late = score(api, owner.headers, name="gone", value=3, sessionId=session_id)
    assert (late.status_code, late.json()["code"]) == (404, "session_not_found")


def test_the_overview_charts_each_scores_daily_average(
    api: httpx.Client, owner: Account, agent: dict[str, Any], traced: list[dict[str, Any]]
) -> None:
    other = sign_up(api)
    assert scores_today(api, other.headers, create_agent(api, other.headers)["id"]) == {}
    charted = scores_today(api, owner.headers, agent["id"])
    helpfulness = charted["helpfulness"]
    assert helpfulness["average"][-1]["value"] == helpfulness["overallAverage"]
    assert helpfulness["overallAverage"] == pytest.approx(sum(s["value"] for s in listed(
        api, owner.headers, name="helpfulness", agentId=agent["id"])) / helpfulness["count"])  # fmt: skip
    assert charted["resolution"]["categories"] == {"resolved": 1}
    assert charted["resolution"]["overallAverage"] is None
    org_wide = api.get("/api/analytics/overview", headers=owner.headers).json()
    assert "helpfulness" in {series["name"] for series in org_wide["scores"]}
