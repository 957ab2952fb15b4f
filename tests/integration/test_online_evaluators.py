"""Online evaluators: an LLM judge scores a fixed sample of an agent's new production traces
(``source: "judge"``), once per trace and evaluator whatever the queue redelivers; its calls and
cost reach the analytics; a poison message goes to the dead-letter queue."""

from __future__ import annotations

import json
import zlib
from typing import Any

import httpx
import pytest

from tests.fakes.openai import FakeOpenAI
from tests.support.identity import Account, create_agent, create_snapshot
from tests.support.ingest import post_traces, trace
from tests.support.waiting import wait_until

RUBRIC = 'The answer must say when it "ships".'


@pytest.fixture(scope="module")
def judged_agent(api: httpx.Client, owner: Account, judge_server: FakeOpenAI) -> dict[str, Any]:
    body = {"baseUrl": judge_server.url + "/v1", "apiKey": "sk-test", "defaultModel": "gpt-4o-mini"}
    assert api.put("/api/providers/default", json=body, headers=owner.headers).status_code == 200
    agent = create_agent(api, owner.headers, name="judged-online")
    create_snapshot(api, owner.headers, agent["id"])
    return agent


def evaluator(api: httpx.Client, owner: Account, agent_id: str, **body: Any) -> dict[str, Any]:
    made = api.post("/api/evaluators", json={"agentId": agent_id, "rubric": RUBRIC, **body}, headers=owner.headers)
    assert made.status_code == 201, made.text
    return made.json()  # type: ignore[no-any-return]


def judge_scores(api: httpx.Client, owner: Account, name: str) -> list[dict[str, Any]]:
    return api.get("/api/scores", params={"name": name, "limit": 100}, headers=owner.headers).json()["items"]  # type: ignore[no-any-return]


def test_every_trace_is_judged_once_and_the_cost_is_counted(
    api: httpx.Client, cloud: Any, owner: Account, judged_agent: dict[str, Any], judge_server: FakeOpenAI
) -> None:
    every = evaluator(api, owner, judged_agent["id"], name="ships_judge", samplingRate=1)
    sent = [trace(judged_agent["id"], output="It ships tomorrow."), trace(judged_agent["id"], output="No idea.")]
    ids = [r["traceId"] for r in post_traces(api, owner.headers, sent).json()["results"]]
    scores = wait_until(lambda: len(s := judge_scores(api, owner, "ships_judge")) == 2 and s, timeout=60,
                        what="both traces judged")  # fmt: skip
    by_trace = {s["traceId"]: s for s in scores}
    assert (by_trace[ids[0]]["value"], by_trace[ids[1]]["value"]) == (0.9, 0.1)
    assert {s["source"] for s in scores} == {"judge"}
    assert by_trace[ids[0]]["comment"] == "Mentions ['ships']."
    assert by_trace[ids[0]]["id"] == f"judge-{every['id']}"

    judged = judge_server.judged
    sqs, queue = cloud.client("sqs"), cloud.resources["JudgeQueue"]
    again = {"orgId": owner.org["id"], "agentId": judged_agent["id"], "traceId": ids[0], "evaluatorId": every["id"]}
    for _ in range(2):  # a duplicate delivery, twice
        sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(again))
    dead_before = cloud.queue_depth("JudgeDeadLetterQueue")
    sqs.send_message(QueueUrl=queue, MessageBody="not a judge message")
    wait_until(
        lambda: cloud.queue_depth("JudgeDeadLetterQueue") > dead_before, timeout=90, what="the poison in the DLQ"
    )
    wait_until(lambda: cloud.queue_depth("JudgeQueue") == 0, timeout=30, what="the judge queue drained")
    assert judge_server.judged == judged
    overview = api.get("/api/analytics/overview", params={"agentId": judged_agent["id"]}, headers=owner.headers).json()
    assert overview["totals"]["judgeCalls"] == 2
    assert overview["totals"]["judgeCostUsd"] > 0
    assert {s["name"]: s["count"] for s in overview["scores"]}["ships_judge"] == 2
    assert api.delete(f"/api/evaluators/{every['id']}", headers=owner.headers).status_code == 204


def test_a_sampling_rate_judges_a_fixed_share(
    api: httpx.Client, owner: Account, judged_agent: dict[str, Any], judge_server: FakeOpenAI
) -> None:
    # an agent of its own: a worker reuses an agent's evaluators for up to 30 s
    fresh = create_agent(api, owner.headers, name="judged-by-half")
    create_snapshot(api, owner.headers, fresh["id"])
    half = evaluator(api, owner, fresh["id"], name="half_judge", samplingRate=0.5)
    never = evaluator(api, owner, fresh["id"], name="never_judge", samplingRate=0)
    off = evaluator(api, owner, fresh["id"], name="off_judge", samplingRate=1, enabled=False)
    sent = [trace(fresh["id"], output="It ships soon.") for _ in range(10)]
    ids = [r["traceId"] for r in post_traces(api, owner.headers, sent).json()["results"]]
    drawn = {t for t in ids if zlib.crc32(f"{half['id']}:{t}".encode()) % 10_000 < 5_000}
    assert 0 < len(drawn) < 10, "ten traces draw some but not all at 0.5 (fixed by their ids)"
    scored = wait_until(lambda: len(s := judge_scores(api, owner, "half_judge")) == len(drawn) and s, timeout=60,
                        what="the sampled traces judged")  # fmt: skip
    assert {s["traceId"] for s in scored} == drawn
    assert judge_scores(api, owner, "never_judge") == []
    assert judge_scores(api, owner, "off_judge") == []
    for made in (half, never, off):
        api.delete(f"/api/evaluators/{made['id']}", headers=owner.headers)


def test_evaluators_are_validated_and_scoped(api: httpx.Client, owner: Account, judged_agent: dict[str, Any]) -> None:
    bad = api.post("/api/evaluators", json={"agentId": judged_agent["id"], "name": "x y", "rubric": "r",
                                            "samplingRate": 2}, headers=owner.headers)  # fmt: skip
    assert bad.status_code == 422
    assert {d["field"] for d in bad.json()["details"]} == {"name", "samplingRate"}
    unknown = api.post(
        "/api/evaluators", json={"agentId": "agt_nope", "name": "j", "rubric": "r"}, headers=owner.headers
    )
    assert unknown.status_code == 404
    made = evaluator(api, owner, judged_agent["id"], name="scoped_judge")
    assert made["samplingRate"] == 0.1
    patched = api.patch(f"/api/evaluators/{made['id']}", json={"samplingRate": 0.25, "enabled": False},
                        headers=owner.headers).json()  # fmt: skip
    assert (patched["samplingRate"], patched["enabled"], patched["version"]) == (0.25, False, 1)
    listed = api.get("/api/evaluators", params={"agentId": judged_agent["id"]}, headers=owner.headers).json()["items"]
    assert made["id"] in {e["id"] for e in listed}
    assert api.delete(f"/api/evaluators/{made['id']}", headers=owner.headers).status_code == 204
    assert api.get(f"/api/evaluators/{made['id']}", headers=owner.headers).status_code == 404
