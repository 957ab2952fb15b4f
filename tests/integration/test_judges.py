"""LLM judges: the org's model provider (its key write-only, in Secrets Manager), ``judge``
assertions graded by it in submit and endpoint runs — score, reasoning, model, tokens and cost kept
with the result, a resent result never judged twice — and clear errors when no verdict comes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fakes.agent import FakeAgent
from tests.fakes.openai import FakeOpenAI
from tests.support.identity import Account, join_with_role, sign_up
from tests.support.waiting import wait_until

PARIS = {"type": "judge", "rubric": 'The answer must mention "Paris".', "threshold": 0.7}


@pytest.fixture(scope="module")
def provider(api: httpx.Client, owner: Account, judge_server: FakeOpenAI) -> dict[str, Any]:
    body = {"baseUrl": judge_server.url + "/v1", "apiKey": "sk-test", "defaultModel": "gpt-4o-mini"}
    made = api.put("/api/providers/default", json=body, headers=owner.headers)
    assert made.status_code == 200, made.text
    return made.json()  # type: ignore[no-any-return]


def suite_with(api: httpx.Client, owner: Account, agent_id: str, cases: list[dict[str, Any]]) -> dict[str, Any]:
    suite = api.post("/api/evals/suites", json={"agentId": agent_id, "name": "judged"}, headers=owner.headers).json()
    made = api.post(f"/api/evals/suites/{suite['id']}/cases", json={"cases": cases}, headers=owner.headers)
    assert made.status_code == 201, made.text
    return {**suite, "cases": {case["name"]: case["id"] for case in made.json()["cases"]}}


def test_a_provider_keeps_its_key_write_only(
    api: httpx.Client, owner: Account, provider: dict[str, Any], judge_server: FakeOpenAI
) -> None:
    assert provider["hasApiKey"] is True
    assert "sk-test" not in str(provider)
    listed = api.get("/api/providers", headers=owner.headers)
    assert [p["name"] for p in listed.json()["items"]] == ["default"]
    assert "sk-test" not in listed.text

    new = {"baseUrl": judge_server.url + "/v1", "defaultModel": "gpt-4o"}
    assert api.put("/api/providers/backup", json=new, headers=owner.headers).json()["details"][0]["field"] == "apiKey"
    link_local = {**new, "apiKey": "k", "baseUrl": "http://169.254.169.254/v1"}
    assert api.put("/api/providers/backup", json=link_local, headers=owner.headers).status_code == 422
    assert (
        api.put("/api/providers/Not%20A%20Name", json={**new, "apiKey": "k"}, headers=owner.headers).status_code == 422
    )
    made = api.put("/api/providers/backup", json={**new, "apiKey": "sk-other"}, headers=owner.headers)
    assert made.status_code == 200
    kept = api.put("/api/providers/backup", json={**new, "defaultModel": "gpt-4.1"}, headers=owner.headers)
    assert (kept.status_code, kept.json()["defaultModel"], kept.json()["hasApiKey"]) == (200, "gpt-4.1", True)

    member = join_with_role(api, owner, "MEMBER")
    assert api.get("/api/providers/backup", headers=member.headers).status_code == 200
    assert api.put("/api/providers/backup", json=new, headers=member.headers).status_code == 403
    assert api.get("/api/providers/backup", headers=sign_up(api).headers).status_code == 404
    assert api.delete("/api/providers/backup", headers=owner.headers).status_code == 204
    assert api.get("/api/providers/backup", headers=owner.headers).status_code == 404


def test_submitted_answers_are_judged_once_with_score_reasoning_and_cost(
    api: httpx.Client, owner: Account, agent: dict[str, Any], provider: dict[str, Any], judge_server: FakeOpenAI
) -> None:
    suite = suite_with(api, owner, agent["id"], [
        {"name": "capital", "input": "Capital of France?", "assertions": [PARIS]},
        {"name": "no provider", "input": "Capital of France?", "assertions": [{**PARIS, "provider": "nobody"}]},
        {"name": "prose", "input": "Capital of France?",
         "assertions": [{"type": "judge", "rubric": "Is it right? answer in prose"}]},
    ])  # fmt: skip
    run = api.post("/api/evals/runs", json={"suiteId": suite["id"]}, headers=owner.headers).json()
    answers = {
        "results": [{"caseId": case_id, "output": "Paris is the capital."} for case_id in suite["cases"].values()]
    }
    before = judge_server.judged
    graded = api.post(f"/api/evals/runs/{run['id']}/results", json=answers, headers=owner.headers)
    assert graded.status_code == 200, graded.text
    by_case = {r["caseId"]: r for r in graded.json()["results"]}
    judged = by_case[suite["cases"]["capital"]]["assertions"][0]
    assert (judged["outcome"], judged["score"], judged["model"]) == ("pass", 0.9, "gpt-4o-mini")
    assert judged["reason"] == "Mentions ['Paris']."
    assert judged["usage"]["inputTokens"] == 150 and judged["usage"]["outputTokens"] == 20  # noqa: PT018
    assert judged["costUsd"] > 0
    missing = by_case[suite["cases"]["no provider"]]["assertions"][0]
    assert missing["outcome"] == "error"
    assert "PUT /api/providers/nobody" in missing["reason"]
    prose = by_case[suite["cases"]["prose"]]["assertions"][0]
    assert (prose["outcome"], prose["reason"]) == ("error", "No verdict: the judge's answer is not JSON.")
    assert judge_server.judged - before == 2  # the missing provider was never called

    again = api.post(f"/api/evals/runs/{run['id']}/results", json=answers, headers=owner.headers)
    assert again.status_code == 409  # the run completed with its last result
    assert judge_server.judged - before == 2
    stored = api.get(f"/api/evals/runs/{run['id']}/results", headers=owner.headers).json()["items"]
    assert {r["caseId"]: r["assertions"][0].get("score") for r in stored}[suite["cases"]["capital"]] == 0.9


def test_a_resent_result_is_not_judged_again(
    api: httpx.Client, owner: Account, agent: dict[str, Any], provider: dict[str, Any], judge_server: FakeOpenAI
) -> None:
    suite = suite_with(api, owner, agent["id"], [
        {"name": "first", "input": "Capital of France?", "assertions": [PARIS]},
        {"name": "second", "input": "Capital of France?", "assertions": [PARIS]},
    ])  # fmt: skip
    run = api.post("/api/evals/runs", json={"suiteId": suite["id"]}, headers=owner.headers).json()
    first = {"results": [{"caseId": suite["cases"]["first"], "output": "London."}]}
    before = judge_server.judged
    answered = api.post(f"/api/evals/runs/{run['id']}/results", json=first, headers=owner.headers).json()
    assert answered["results"][0]["assertions"][0]["outcome"] == "fail"
    resent = api.post(f"/api/evals/runs/{run['id']}/results", json=first, headers=owner.headers).json()
    assert resent["results"][0]["assertions"][0]["score"] == 0.1
    assert judge_server.judged - before == 1


def test_an_endpoint_run_is_judged_case_by_case(
    api: httpx.Client, owner: Account, agent: dict[str, Any], provider: dict[str, Any]
) -> None:
    agent_server = FakeAgent({"Capital of France?": "It is Paris.", "Capital of the UK?": "London."}).start()
    try:
        suite = suite_with(api, owner, agent["id"], [
            {"name": "france", "input": "Capital of France?", "assertions": [PARIS]},
            {"name": "uk", "input": "Capital of the UK?", "assertions": [PARIS]},
        ])  # fmt: skip
        target = {"url": agent_server.url + "/right"}
        run = api.post("/api/evals/runs", json={"suiteId": suite["id"], "mode": "endpoint", "target": target},
                       headers=owner.headers).json()  # fmt: skip

        def done() -> dict[str, Any] | None:
            found = api.get(f"/api/evals/runs/{run['id']}", headers=owner.headers).json()
            return found if found["status"] != "RUNNING" else None

        finished = wait_until(done, timeout=60, what="the judged run")
        assert (finished["status"], finished["passed"], finished["failed"]) == ("COMPLETED", 1, 1)
    finally:
        agent_server.stop()
