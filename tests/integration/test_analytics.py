"""The analytics overview: numbers equal what was ingested, per UTC day, in any time zone; empty
ranges give empty series; the reads depend on the number of days, not on the data."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
import pytest

from tests.support.calls import dynamodb_calls
from tests.support.identity import Account, create_agent, create_snapshot, sign_up
from tests.support.ingest import post_traces

BASE = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
TODAY = BASE.date()


def moment(day: date, hour: int, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC).isoformat().replace("+00:00", "Z")


def on(day: date, seconds_before: int) -> str:
    """``day`` at the base time of day (an hour ago), a few seconds earlier: never in the future."""
    return (
        (datetime.combine(day, BASE.time(), tzinfo=UTC) - timedelta(seconds=seconds_before))
        .isoformat()
        .replace("+00:00", "Z")
    )


def traced(
    agent_id: str, snapshot_id: str, session: str, started: str, cost: float, status: str = "ok"
) -> dict[str, Any]:
    span = {"id": "s1", "kind": "llm", "name": "chat", "startedAt": started, "model": "gpt-4o-mini", "costUsd": cost,
            "usage": {"inputTokens": 100, "outputTokens": 10}}  # fmt: skip
    return {
        "agentId": agent_id,
        "sessionId": session,
        "startedAt": started,
        "status": status,
        "resource": {"snapshotId": snapshot_id},
        "spans": [span],
    }


@pytest.fixture(scope="module")
def ingested(api: httpx.Client, cloud: Any) -> dict[str, Any]:
    """An org with an agent whose traces span 30 UTC days: on day d (d days ago), d % 3 + 1 sessions
    of two traces each, the second of each session failing; plus two traces either side of a midnight."""
    owner = sign_up(api)
    agent = create_agent(api, owner.headers, name="analytics")
    snapshot = create_snapshot(api, owner.headers, agent["id"])["id"]
    expected: dict[str, dict[str, float]] = {}
    traces = []
    for back in range(30):
        day = TODAY - timedelta(days=back)
        sessions = back % 3 + 1
        for n in range(sessions):
            session = f"day{back}-s{n}"
            traces.append(traced(agent["id"], snapshot, session, on(day, 2 * n + 1), 0.25))
            traces.append(traced(agent["id"], snapshot, session, on(day, 2 * n), 0.5, status="error"))
        expected[day.isoformat()] = {
            "sessions": sessions,
            "traces": 2 * sessions,
            "cost": 0.75 * sessions,
            "errors": sessions,
        }
    # a session that starts before a UTC midnight and goes on after it: it counts on its first day
    late = TODAY - timedelta(days=3)
    traces.append(traced(agent["id"], snapshot, "midnight", moment(late, 23, 30), 1.0))
    traces.append(traced(agent["id"], snapshot, "midnight", moment(late + timedelta(days=1), 0, 30), 1.0))
    expected[late.isoformat()] = {
        k: v + {"sessions": 1, "traces": 1, "cost": 1.0}.get(k, 0) for k, v in expected[late.isoformat()].items()
    }
    after = (late + timedelta(days=1)).isoformat()
    expected[after] = {k: v + {"traces": 1, "cost": 1.0}.get(k, 0) for k, v in expected[after].items()}
    for start in range(0, len(traces), 100):
        assert post_traces(api, owner.headers, traces[start : start + 100]).status_code == 202
    cloud.drain(timeout_seconds=120)
    return {"owner": owner, "agent": agent, "expected": expected}


def test_the_overview_equals_what_was_ingested_per_utc_day(api: httpx.Client, ingested: dict[str, Any]) -> None:
    owner, expected = ingested["owner"], ingested["expected"]
    first = TODAY - timedelta(days=29)
    params = {"from": first.isoformat(), "to": TODAY.isoformat(), "agentId": ingested["agent"]["id"]}
    body = api.get("/api/analytics/overview", params=params, headers=owner.headers).json()

    assert body["days"] == sorted(expected)
    series = body["series"]
    assert {p["date"]: p["value"] for p in series["sessionVolume"]} == {d: v["sessions"] for d, v in expected.items()}
    assert {p["date"]: p["value"] for p in series["traceVolume"]} == {d: v["traces"] for d, v in expected.items()}
    assert {p["date"]: p["value"] for p in series["costUsd"]} == pytest.approx(
        {d: v["cost"] for d, v in expected.items()}
    )
    assert {p["date"]: p["value"] for p in series["errorRate"]} == pytest.approx(
        {d: round(v["errors"] / v["traces"], 4) for d, v in expected.items()}
    )
    assert body["totals"]["sessions"] == sum(v["sessions"] for v in expected.values())
    assert body["totals"]["costUsd"] == pytest.approx(sum(v["cost"] for v in expected.values()))
    assert all(p["value"] is None for p in series["evalPassRate"])  # no runs: no rate, not 0
    # the org-wide overview holds the same numbers (one agent)
    org = api.get(
        "/api/analytics/overview", params={k: v for k, v in params.items() if k != "agentId"}, headers=owner.headers
    )
    assert org.json()["series"]["traceVolume"] == series["traceVolume"]


def test_bounds_in_another_time_zone_are_utc_days(api: httpx.Client, ingested: dict[str, Any]) -> None:
    owner = ingested["owner"]
    yesterday = TODAY - timedelta(days=1)
    # 01:00 today in UTC+02:00 is 23:00 yesterday in UTC: the range starts yesterday
    since = datetime.combine(TODAY, time(1, 0)).isoformat() + "+02:00"
    body = api.get(
        "/api/analytics/overview", params={"from": since, "to": TODAY.isoformat()}, headers=owner.headers
    ).json()
    assert body["days"] == [yesterday.isoformat(), TODAY.isoformat()]


def test_empty_ranges_give_empty_series_and_bad_ranges_422(api: httpx.Client, owner: Account) -> None:
    body = api.get("/api/analytics/overview", params={"from": "2020-01-01", "to": "2020-01-03"}, headers=owner.headers)
    assert body.status_code == 200
    assert [p["value"] for p in body.json()["series"]["sessionVolume"]] == [0, 0, 0]
    assert [p["value"] for p in body.json()["series"]["errorRate"]] == [None, None, None]
    for params in (
        {"from": "2020-01-03", "to": "2020-01-01"},
        {"from": "2019-01-01", "to": "2020-06-01"},
        {"from": "soon"},
    ):
        assert api.get("/api/analytics/overview", params=params, headers=owner.headers).status_code == 422


def test_reads_depend_on_days_not_on_data(api: httpx.Client, ingested: dict[str, Any]) -> None:
    owner = ingested["owner"]
    empty = sign_up(api)
    params = {"from": (TODAY - timedelta(days=29)).isoformat(), "to": TODAY.isoformat()}
    for account in (owner, empty):  # warm the function
        api.get("/api/analytics/overview", params=params, headers=account.headers)
    counted = {}
    for name, account in (("data", owner), ("empty", empty)):
        with dynamodb_calls() as calls:
            assert api.get("/api/analytics/overview", params=params, headers=account.headers).status_code == 200
        counted[name] = list(calls)
    # the authorizer's GetItem (the user's token version) and Query (their memberships), read on
    # every request, then the overview's one Query
    assert counted["data"] == counted["empty"] == ["GetItem", "Query", "Query"]


def test_the_eval_pass_rate_is_the_days_cases_passed(api: httpx.Client, owner: Account, cloud: Any) -> None:
    agent = create_agent(api, owner.headers, name="analytics-evals")
    suite = api.post("/api/evals/suites", json={"agentId": agent["id"], "name": "s"}, headers=owner.headers).json()
    cases = [{"input": str(n), "assertions": [{"type": "equals", "value": "yes"}]} for n in range(4)]
    made = api.post(f"/api/evals/suites/{suite['id']}/cases", json={"cases": cases}, headers=owner.headers).json()
    run = api.post("/api/evals/runs", json={"suiteId": suite["id"]}, headers=owner.headers).json()
    answers = [{"caseId": case["id"], "output": "yes" if n < 3 else "no"} for n, case in enumerate(made["cases"])]
    assert (
        api.post(f"/api/evals/runs/{run['id']}/results", json={"results": answers}, headers=owner.headers).status_code
        == 200
    )
    today = datetime.now(UTC).date().isoformat()
    params = {"from": today, "to": today, "agentId": agent["id"]}
    body = api.get("/api/analytics/overview", params=params, headers=owner.headers).json()
    assert body["series"]["evalPassRate"] == [{"date": today, "value": 0.75}]
    assert (body["totals"]["evalRuns"], body["totals"]["evalPassRate"]) == (1, 0.75)
