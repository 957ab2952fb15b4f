"""Alerts: rules per agent on error rate, cost, eval pass rate, drift and insights; firing once
when the condition starts to hold and resolving once when it stops — on the sweep and on the
changes that move them; delivered to a signed webhook (retried with backoff after a 500, every
attempt in the delivery log) and by email; validated, scoped, never another org's."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.fakes.webhook import WebhookReceiver
from tests.support.identity import Account, create_agent, create_snapshot, sign_up
from tests.support.ingest import post_traces, trace, wait_normalized
from tests.support.waiting import wait_until

SWEEP = "/_local/schedules/AlertsWorkerFunctionEvery5Minutes/fire"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver().start()
    yield server
    server.stop()


def make_alert(api: httpx.Client, owner: Account, receiver: WebhookReceiver, **body: Any) -> dict[str, Any]:
    made = api.post("/api/alerts", json={"name": "errors", "webhookUrl": receiver.url + "/hook", **body},
                    headers=owner.headers)  # fmt: skip
    assert made.status_code == 201, made.text
    receiver.secrets.append(made.json()["signingSecret"])
    return made.json()  # type: ignore[no-any-return]


def deliveries(api: httpx.Client, owner: Account, alert_id: str) -> list[dict[str, Any]]:
    answer = api.get(f"/api/alerts/{alert_id}/deliveries", headers=owner.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]  # type: ignore[no-any-return]


def sweep(api: httpx.Client) -> None:
    assert api.post(SWEEP).status_code == 202


def test_an_error_rate_alert_fires_once_is_retried_after_a_500_and_resolves(
    api: httpx.Client, owner: Account, receiver: WebhookReceiver
) -> None:
    agent = create_agent(api, owner.headers, name="alerting")
    create_snapshot(api, owner.headers, agent["id"])
    # two UTC days: the traces start an hour ago (support.ingest.START), yesterday just after midnight
    alert = make_alert(api, owner, receiver, agentId=agent["id"], emails=["oncall@example.com"],
                       condition={"metric": "error_rate", "above": 0.4, "window": "2d"})  # fmt: skip
    errors = {"metric": "insights", "above": 0, "insightRule": "errors", "window": "2d"}
    flagged = make_alert(api, owner, receiver, agentId=agent["id"], name="errored sessions", condition=errors)
    assert alert["signingSecret"].startswith("whsec_")
    assert "signingSecret" not in api.get(f"/api/alerts/{alert['id']}", headers=owner.headers).json()
    receiver.fail(500, times=2, path="/hook")  # the first two tries of the first delivery
    failing = [trace(agent["id"], status="error", error="boom"), trace(agent["id"])]
    for result in post_traces(api, owner.headers, failing).json()["results"]:
        wait_normalized(api, owner.headers, result["traceId"])
    sweep(api)
    sweep(api)  # a second sweep while it still holds: no second firing

    fired = wait_until(lambda: [d for d in receiver.accepted if d["event"] == "alert.fired"
                                and d["alert"]["id"] == alert["id"]] or None, timeout=60,
                       what="the fired alert at the webhook")  # fmt: skip
    assert len(fired) == 1
    assert fired[0]["value"] == 0.5
    assert fired[0]["alert"]["id"] == alert["id"]
    insight = wait_until(lambda: [d for d in receiver.accepted if d["alert"]["id"] == flagged["id"]] or None,
                         timeout=60, what="the insight alert")  # fmt: skip
    assert [(d["event"], d["value"]) for d in insight] == [("alert.fired", 1.0)]
    assert len(receiver.seen("/hook")) == 4  # two 500s, then the error-rate alert and the insight alert
    log = wait_until(lambda: [d for d in deliveries(api, owner, alert["id"]) if d["status"] == "delivered"
                              and d["channel"] == "webhook"] or None, what="the delivery log")  # fmt: skip
    statuses = [a.get("status") for a in log[0]["attempts"]]
    assert statuses[-1] == 204
    assert set(statuses[:-1]) <= {500}
    webhook_logs = [d for a in (alert, flagged) for d in deliveries(api, owner, a["id"]) if d["channel"] == "webhook"]
    tries = [attempt.get("status") for d in webhook_logs for attempt in d["attempts"]]
    assert sorted(tries) == [204, 204, 500, 500]  # the two 500s were tried again, with a pause
    mail = wait_until(lambda: [m for m in api.get("/_local/outbox").json()["items"] if "oncall@example.com" in m["to"]]
                      or None, what="the alert email")  # fmt: skip
    assert "errors: fired" in mail[0]["subject"]
    assert api.get(f"/api/alerts/{alert['id']}", headers=owner.headers).json()["state"] == "firing"

    healthy = [trace(agent["id"]) for _ in range(4)]  # 1 error in 6: under 0.4
    for result in post_traces(api, owner.headers, healthy).json()["results"]:
        wait_normalized(api, owner.headers, result["traceId"])
    sweep(api)
    wait_until(lambda: any(d["event"] == "alert.resolved" for d in receiver.accepted), timeout=60, what="resolved")
    assert api.get(f"/api/alerts/{alert['id']}", headers=owner.headers).json()["state"] == "ok"


def test_a_webhook_that_keeps_failing_ends_failed_after_five_attempts(
    api: httpx.Client, owner: Account, agent: dict[str, Any], receiver: WebhookReceiver
) -> None:
    alert = make_alert(api, owner, receiver, agentId=agent["id"], condition={"metric": "cost_usd", "above": 1000})
    receiver.fail(500, times=10, path="/hook")
    assert api.post(f"/api/alerts/{alert['id']}/test", headers=owner.headers).status_code == 202
    failed = wait_until(lambda: [d for d in deliveries(api, owner, alert["id"]) if d["status"] == "failed"] or None,
                        timeout=90, what="the delivery to give up")  # fmt: skip
    assert len(failed[0]["attempts"]) == 5
    times = [datetime.fromisoformat(a["at"].replace("Z", "+00:00")) for a in failed[0]["attempts"]]
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]
    assert all(gap >= 0.9 * 2**n for n, gap in enumerate(gaps)), gaps  # 1, 2, 4, 8 s (AlertRetrySeconds=1)
    assert {a["error"] for a in failed[0]["attempts"]} == {"the webhook answered HTTP 500"}
    assert len(receiver.seen("/hook")) == 5


def test_a_bad_signature_is_refused_by_the_receiver(
    api: httpx.Client, owner: Account, agent: dict[str, Any], receiver: WebhookReceiver
) -> None:
    alert = make_alert(api, owner, receiver, agentId=agent["id"], condition={"metric": "cost_usd", "above": 1000})
    receiver.secrets[:] = ["whsec_not_the_right_one"]
    api.post(f"/api/alerts/{alert['id']}/test", headers=owner.headers)
    tried = wait_until(lambda: [d for d in deliveries(api, owner, alert["id"]) if d["attempts"]] or None,
                       what="a first attempt")  # fmt: skip
    assert tried[0]["attempts"][0]["status"] == 401
    assert receiver.accepted == []


def test_a_pass_rate_alert_fires_when_its_run_ends(
    api: httpx.Client, owner: Account, receiver: WebhookReceiver
) -> None:
    agent = create_agent(api, owner.headers, name="evaluated")
    create_snapshot(api, owner.headers, agent["id"])
    alert = make_alert(api, owner, receiver, agentId=agent["id"], name="pass rate",
                       condition={"metric": "eval_pass_rate", "below": 0.5, "window": "7d"})  # fmt: skip
    suite = api.post("/api/evals/suites", json={"agentId": agent["id"], "name": "s"}, headers=owner.headers).json()
    case = {"name": "c", "input": "hi", "assertions": [{"type": "contains", "value": "hello"}]}
    made = api.post(f"/api/evals/suites/{suite['id']}/cases", json={"cases": [case]}, headers=owner.headers).json()
    run = api.post("/api/evals/runs", json={"suiteId": suite["id"]}, headers=owner.headers).json()
    answers = {"results": [{"caseId": made["cases"][0]["id"], "output": "bye"}]}
    api.post(f"/api/evals/runs/{run['id']}/results", json=answers, headers=owner.headers)
    fired = wait_until(lambda: [d for d in receiver.accepted if d["alert"]["id"] == alert["id"]] or None, timeout=60,
                       what="the pass-rate alert without a sweep")  # fmt: skip
    assert (fired[0]["event"], fired[0]["value"]) == ("alert.fired", 0.0)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"condition": {"metric": "error_rate"}}, "condition"),
        ({"condition": {"metric": "error_rate", "above": 1, "below": 0}}, "condition"),
        ({"condition": {"metric": "latency", "above": 1}}, "condition.metric"),
        ({"condition": {"metric": "error_rate", "above": 1, "window": "31d"}}, "condition.window"),
        ({"condition": {"metric": "error_rate", "above": 1}, "webhookUrl": "http://169.254.169.254/x"}, "webhookUrl"),
        ({"condition": {"metric": "error_rate", "above": 1}, "webhookUrl": None, "emails": ["not-an-email"]}, "emails"),
        ({"condition": {"metric": "error_rate", "above": 1}, "webhookUrl": None}, "body"),
    ],
)
def test_bad_alerts_are_refused_with_the_field(
    api: httpx.Client, owner: Account, agent: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    answer = api.post("/api/alerts", json={"agentId": agent["id"], "name": "x", "webhookUrl": "https://example.com/h",
                                           **body}, headers=owner.headers)  # fmt: skip
    assert answer.status_code == 422, answer.text
    assert any(d["field"].startswith(field) for d in answer.json()["details"]), answer.json()


def test_alerts_are_managed_and_scoped(
    api: httpx.Client, owner: Account, agent: dict[str, Any], receiver: WebhookReceiver
) -> None:
    alert = make_alert(api, owner, receiver, agentId=agent["id"], condition={"metric": "insights", "above": 3})
    listed = api.get("/api/alerts", params={"agentId": agent["id"]}, headers=owner.headers).json()["items"]
    assert alert["id"] in {a["id"] for a in listed}
    patched = api.patch(f"/api/alerts/{alert['id']}", json={"enabled": False, "name": "quiet"}, headers=owner.headers)
    assert (patched.json()["enabled"], patched.json()["name"], patched.json()["version"]) == (False, "quiet", 1)
    stranger = sign_up(api)
    assert api.get(f"/api/alerts/{alert['id']}", headers=stranger.headers).status_code == 404
    assert api.get(f"/api/alerts/{alert['id']}/deliveries", headers=stranger.headers).status_code == 404
    assert api.post("/api/alerts", json={"agentId": agent["id"], "name": "x", "webhookUrl": "https://e.com/h",
                                         "condition": {"metric": "error_rate", "above": 1}},
                    headers=stranger.headers).status_code == 404  # fmt: skip
    assert api.delete(f"/api/alerts/{alert['id']}", headers=owner.headers).status_code == 204
    assert api.get(f"/api/alerts/{alert['id']}", headers=owner.headers).status_code == 404
