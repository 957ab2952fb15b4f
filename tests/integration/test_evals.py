"""Evals on the local cloud: suites, cases, templates, and runs through the real state machine —
submit mode (task token, timeout) and endpoint mode (Map over the cases, against fake agents that
answer right, wrong, with 500s, or too slowly)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.fakes.agent import FakeAgent
from tests.support.identity import Account, bearer, create_agent, create_key, sign_up
from tests.support.waiting import wait_until

QUESTIONS = {
    "What is the capital of France?": "Paris",
    "What is 2 + 2?": "4",
    'Reply with JSON {"ok": true}': '{"ok": true}',
}
CASES = [
    {
        "name": "capital",
        "input": "What is the capital of France?",
        "assertions": [{"type": "contains", "value": "paris"}],
    },
    {"name": "sum", "input": "What is 2 + 2?", "assertions": [{"type": "numeric_close", "value": 4, "tolerance": 0}]},
    {
        "name": "json",
        "input": 'Reply with JSON {"ok": true}',
        "assertions": [
            {"type": "json_schema", "schema": {"type": "object", "required": ["ok"]}},
            {"type": "json_path_equals", "path": "$.ok", "value": True},
        ],
    },
]


@pytest.fixture(scope="module")
def fake_agent() -> Iterator[FakeAgent]:
    server = FakeAgent(QUESTIONS).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def suite(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> dict[str, Any]:
    made = api.post("/api/evals/suites", json={"agentId": agent["id"], "name": "basics"}, headers=owner.headers)
    assert made.status_code == 201
    cases = api.post(f"/api/evals/suites/{made.json()['id']}/cases", json={"cases": CASES}, headers=owner.headers)
    assert cases.status_code == 201, cases.text
    return {**made.json(), "cases": cases.json()["cases"]}


def start(api: httpx.Client, owner: Account, suite: dict[str, Any], **body: Any) -> dict[str, Any]:
    response = api.post("/api/evals/runs", json={"suiteId": suite["id"], **body}, headers=owner.headers)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "RUNNING"
    return response.json()  # type: ignore[no-any-return]


def finished(api: httpx.Client, owner: Account, run_id: str, timeout: float = 60) -> dict[str, Any]:
    return wait_until(
        lambda: (
            (run := api.get(f"/api/evals/runs/{run_id}", headers=owner.headers).json())["status"] != "RUNNING" and run
        ),
        timeout=timeout,
        interval=0.1,
        what=f"run {run_id} to end",
    )


def results(api: httpx.Client, owner: Account, run_id: str) -> dict[str, dict[str, Any]]:
    items = api.get(f"/api/evals/runs/{run_id}/results", headers=owner.headers).json()["items"]
    return {item["caseName"]: item for item in items}


# ---------------------------------------------------------------- suites, cases, templates


def test_cases_are_validated_when_created(api: httpx.Client, owner: Account, suite: dict[str, Any]) -> None:
    path = f"/api/evals/suites/{suite['id']}/cases"
    bad = [
        ({"type": "regex", "pattern": "(unclosed"}, "assertions.0.regex.pattern"),
        ({"type": "json_schema", "schema": {"type": "nonsense"}}, "assertions.0.json_schema.schema"),
        ({"type": "json_path_equals", "path": "ok", "value": 1}, "assertions.0.json_path_equals.path"),
        ({"type": "sounds_right"}, "assertions.0"),
        ({"type": "max_latency_ms", "value": -5}, "assertions.0.max_latency_ms.value"),
    ]
    for assertion, field in bad:
        response = api.post(path, json={"input": "x", "assertions": [assertion]}, headers=owner.headers)
        assert response.status_code == 422, assertion
        assert field in {d["field"] for d in response.json()["details"]}, response.json()
    assert api.post(path, json={"input": "x", "assertions": []}, headers=owner.headers).status_code == 422
    batch = api.post(path, json={"cases": [CASES[0], {"input": "y"}]}, headers=owner.headers)
    assert batch.status_code == 422  # one bad case: nothing stored
    assert "cases.1.assertions" in {d["field"] for d in batch.json()["details"]}
    listed = api.get(path, headers=owner.headers).json()["items"]
    assert len(listed) == len(CASES)


def test_case_edit_and_delete_and_another_orgs_suite(
    api: httpx.Client, owner: Account, agent: dict[str, Any], suite: dict[str, Any]
) -> None:
    other = api.post(
        "/api/evals/suites", json={"agentId": agent["id"], "name": "scratch"}, headers=owner.headers
    ).json()
    case = api.post(f"/api/evals/suites/{other['id']}/cases", json=CASES[0], headers=owner.headers).json()
    patched = api.patch(
        f"/api/evals/cases/{case['id']}", json={"name": "renamed", "tags": ["geo"]}, headers=owner.headers
    )
    assert (patched.json()["name"], patched.json()["tags"], patched.json()["input"]) == (
        "renamed",
        ["geo"],
        CASES[0]["input"],
    )
    bad = api.patch(
        f"/api/evals/cases/{case['id']}",
        json={"assertions": [{"type": "regex", "pattern": "["}]},
        headers=owner.headers,
    )
    assert bad.status_code == 422
    stranger = sign_up(api)
    for method, path in (("GET", f"/api/evals/suites/{suite['id']}"), ("PATCH", f"/api/evals/cases/{case['id']}"),
                         ("GET", f"/api/evals/suites/{suite['id']}/cases")):  # fmt: skip
        assert api.request(method, path, json={}, headers=stranger.headers).status_code == 404
    assert api.delete(f"/api/evals/cases/{case['id']}", headers=owner.headers).status_code == 204
    assert api.get(f"/api/evals/suites/{other['id']}/cases", headers=owner.headers).json()["items"] == []
    assert api.delete(f"/api/evals/suites/{other['id']}", headers=owner.headers).status_code == 204
    assert api.get(f"/api/evals/suites/{other['id']}", headers=owner.headers).status_code == 404


def test_templates_import_once(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> None:
    listed = api.get("/api/evals/templates", headers=owner.headers).json()["items"]
    ids = {template["id"] for template in listed}
    assert {"refuses-unsafe-requests", "json-output", "no-pii-echo", "stays-on-topic", "answers-within-latency"} <= ids
    target = api.post(
        "/api/evals/suites", json={"agentId": agent["id"], "name": "safety"}, headers=owner.headers
    ).json()
    path = f"/api/evals/suites/{target['id']}/import"
    first = api.post(path, json={"templateId": "no-pii-echo"}, headers=owner.headers)
    assert (first.status_code, first.json()) == (201, {"imported": 3})
    again = api.post(path, json={"templateId": "no-pii-echo"}, headers=owner.headers)
    assert (again.status_code, again.json()["code"]) == (409, "template_already_imported")
    assert api.post(path, json={"templateId": "nope"}, headers=owner.headers).status_code == 404
    cases = api.get(f"/api/evals/suites/{target['id']}/cases", headers=owner.headers).json()["items"]
    assert len(cases) == 3
    assert {case["templateId"] for case in cases} == {"no-pii-echo"}


# ---------------------------------------------------------------- submit mode


def test_submit_mode_waits_for_every_result_then_completes(
    api: httpx.Client, owner: Account, suite: dict[str, Any]
) -> None:
    run = start(api, owner, suite, mode="submit")
    ids = {case["name"]: case["id"] for case in suite["cases"]}
    path = f"/api/evals/runs/{run['id']}/results"

    first = api.post(
        path,
        json={"results": [{"caseId": ids["capital"], "output": "Paris, of course", "latencyMs": 120}]},
        headers=owner.headers,
    )
    assert first.status_code == 200
    assert first.json()["run"]["status"] == "RUNNING"
    assert first.json()["results"][0]["verdict"] == "pass"
    unknown = api.post(
        path,
        json={"results": [{"caseId": ids["sum"], "output": "4"}, {"caseId": "cas_nope", "output": 1}]},
        headers=owner.headers,
    )
    assert unknown.status_code == 422
    assert unknown.json()["details"] == [{"field": "results[1].caseId", "message": "cas_nope is not in the run"}]
    assert api.get(f"/api/evals/runs/{run['id']}", headers=owner.headers).json()["passed"] == 1  # nothing stored

    rest = [{"caseId": ids["sum"], "output": "five"}, {"caseId": ids["json"], "output": "not json"}]
    last = api.post(path, json={"results": rest}, headers=owner.headers).json()

    done = finished(api, owner, run["id"])
    assert last["run"]["status"] == "COMPLETED"
    assert (done["status"], done["passed"], done["failed"], done["errored"], done["passRate"]) == (
        "COMPLETED",
        1,
        0,
        2,
        1.0,  # over the one case that could be graded: errors are neither passes nor fails
    )
    graded = results(api, owner, run["id"])
    assert graded["sum"]["assertions"] == [
        {"type": "numeric_close", "outcome": "error", "reason": "the output is not a number"}
    ]
    assert [a["reason"] for a in graded["json"]["assertions"]] == ["the output is not JSON"] * 2
    late = api.post(path, json={"results": [{"caseId": ids["sum"], "output": "4"}]}, headers=owner.headers)
    assert (late.status_code, late.json()["code"]) == (409, "run_not_running")


def test_finalizing_counts_the_run_in_the_days_rollup(api: httpx.Client, owner: Account, suite: dict[str, Any]) -> None:
    from grounded_core.store import keys, table

    def rollup() -> dict[str, Any]:
        day = keys.day(datetime.now(UTC).strftime("%Y-%m-%d"))
        return table.get(keys.rollup(owner.org["id"], suite["agentId"]), day, consistent=True) or {}

    before = rollup()
    run = start(api, owner, suite, mode="submit")
    answers = [{"caseId": case["id"], "output": QUESTIONS[case["input"]]} for case in suite["cases"]]
    api.post(f"/api/evals/runs/{run['id']}/results", json={"results": answers}, headers=owner.headers)
    assert finished(api, owner, run["id"])["passRate"] == 1.0
    after = rollup()
    assert after.get("evalRuns", 0) - before.get("evalRuns", 0) == 1
    assert after.get("evalPassed", 0) - before.get("evalPassed", 0) == 3
    assert after.get("evalCases", 0) - before.get("evalCases", 0) == 3


def test_a_run_without_results_times_out(api: httpx.Client, owner: Account, suite: dict[str, Any]) -> None:
    run = start(api, owner, suite, mode="submit", timeoutSeconds=2)
    done = finished(api, owner, run["id"], timeout=30)
    assert done["status"] == "FAILED"
    assert done["reason"] == "No complete results within 2 s (0 of 3 cases had one)."


def test_cancel(api: httpx.Client, owner: Account, suite: dict[str, Any]) -> None:
    run = start(api, owner, suite, mode="submit")
    cancelled = api.post(f"/api/evals/runs/{run['id']}/cancel", headers=owner.headers)
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "CANCELLED")
    again = api.post(f"/api/evals/runs/{run['id']}/cancel", headers=owner.headers)
    assert again.status_code == 409
    answer = {"caseId": suite["cases"][0]["id"], "output": "Paris"}
    assert (
        api.post(f"/api/evals/runs/{run['id']}/results", json={"results": [answer]}, headers=owner.headers).status_code
        == 409
    )


def test_runs_are_validated(api: httpx.Client, owner: Account, agent: dict[str, Any], suite: dict[str, Any]) -> None:
    assert (
        api.post(
            "/api/evals/runs", json={"suiteId": suite["id"], "mode": "endpoint"}, headers=owner.headers
        ).status_code
        == 422
    )
    metadata = {"suiteId": suite["id"], "mode": "endpoint", "target": {"url": "http://169.254.169.254/"}}
    assert api.post("/api/evals/runs", json=metadata, headers=owner.headers).status_code == 422
    assert api.post("/api/evals/runs", json={"suiteId": "sui_nope"}, headers=owner.headers).status_code == 404
    empty = api.post("/api/evals/suites", json={"agentId": agent["id"], "name": "empty"}, headers=owner.headers).json()
    refused = api.post("/api/evals/runs", json={"suiteId": empty["id"]}, headers=owner.headers)
    assert (refused.status_code, refused.json()["code"]) == (422, "suite_empty")


# ---------------------------------------------------------------- endpoint mode


@pytest.mark.parametrize(
    ("path", "passed", "failed", "errored", "reason"),
    [
        ("/right", 3, 0, 0, None),
        ("/text", 3, 0, 0, None),
        ("/wrong", 0, 1, 2, None),
        ("/broken", 0, 0, 3, "The target answered HTTP 500 (3 attempts)."),
        ("/slow", 0, 0, 3, "The target did not answer within 300 ms (3 attempts)."),
    ],
)
def test_endpoint_mode_calls_the_target_for_every_case(
    api: httpx.Client,
    owner: Account,
    suite: dict[str, Any],
    fake_agent: FakeAgent,
    path: str,
    passed: int,
    failed: int,
    errored: int,
    reason: str | None,
) -> None:
    target = {"url": fake_agent.url + path, "timeoutMs": 300, "headers": {"Authorization": "Bearer agent-secret-1"}}
    run = start(api, owner, suite, mode="endpoint", target=target)
    assert run["target"]["headers"] == {"Authorization": "••••"}

    done = finished(api, owner, run["id"])

    graded = passed + failed
    status = "COMPLETED" if graded else "FAILED"  # nothing graded: the run says so, not "0% right"
    assert (done["status"], done["passed"], done["failed"], done["errored"]) == (status, passed, failed, errored)
    assert done["passRate"] == (round(passed / graded, 4) if graded else None)
    assert (done["reason"] or "").startswith("No case could be graded") == (not graded)
    calls = [r for r in fake_agent.seen(path) if r.json()["runId"] == run["id"]]
    assert {r.json()["caseId"] for r in calls} == {case["id"] for case in suite["cases"]}
    assert all(r.headers["authorization"] == "Bearer agent-secret-1" for r in calls)
    if reason:
        assert len(calls) == 9  # three attempts per case
        assert {a["reason"] for r in results(api, owner, run["id"]).values() for a in r["assertions"]} == {reason}
    assert "agent-secret-1" not in api.get(f"/api/evals/runs/{run['id']}", headers=owner.headers).text


def test_compare_shows_regressions_and_fixes(
    api: httpx.Client, owner: Account, suite: dict[str, Any], fake_agent: FakeAgent
) -> None:
    good = finished(
        api, owner, start(api, owner, suite, mode="endpoint", target={"url": fake_agent.url + "/right"})["id"]
    )
    bad = finished(
        api, owner, start(api, owner, suite, mode="endpoint", target={"url": fake_agent.url + "/wrong"})["id"]
    )

    worse = api.get(f"/api/evals/runs/{bad['id']}/compare/{good['id']}", headers=owner.headers).json()
    better = api.get(f"/api/evals/runs/{good['id']}/compare/{bad['id']}", headers=owner.headers).json()

    assert sorted(d["caseName"] for d in worse["regressions"]) == ["capital", "json", "sum"]
    assert {(d["before"], d["after"]) for d in worse["regressions"]} == {("pass", "fail"), ("pass", "error")}
    assert (worse["fixes"], worse["unchanged"]) == ([], 0)
    assert sorted(d["caseName"] for d in better["fixes"]) == ["capital", "json", "sum"]
    listed = api.get("/api/evals/runs", params={"suiteId": suite["id"], "status": "COMPLETED"}, headers=owner.headers)
    assert {good["id"], bad["id"]} <= {run["id"] for run in listed.json()["items"]}


def test_scoping(api: httpx.Client, owner: Account, agent: dict[str, Any], suite: dict[str, Any]) -> None:
    other_agent = create_agent(api, owner.headers, name="evals-other")
    scoped = bearer(create_key(api, owner, name="evals-scoped", agentId=other_agent["id"])["key"])
    assert api.get(f"/api/evals/suites/{suite['id']}", headers=scoped).status_code == 403
    assert suite["id"] not in json.dumps(api.get("/api/evals/suites", headers=scoped).json())
    reader = bearer(create_key(api, owner, name="evals-reader", scopes=["evals:read"])["key"])
    assert api.get(f"/api/evals/suites/{suite['id']}", headers=reader).status_code == 200
    assert api.post("/api/evals/runs", json={"suiteId": suite["id"]}, headers=reader).status_code == 403
