"""@grounded/analytics in real headless Chromium, on a page served from another origin than the
API: page views (the first and a single-page navigation), clicks, an uncaught error and an unhandled
rejection, a
``track`` sent by ``sendBeacon`` as the page goes away — and ``getContext()`` handed to a Node
process using @grounded/tracing, whose trace lands in the same session timeline as the browser's
events."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from tests.support.browser import browser, static_site
from tests.support.identity import Account, create_agent, create_key, create_snapshot, sign_up
from tests.support.js import JS, ensure_built, node, run_node
from tests.support.waiting import wait_until

HERE = Path(__file__).parent
SCREENSHOTS = HERE.parents[1] / ".grounded" / "screenshots"


def bundle(tmp: Path) -> bytes:
    out = tmp / "analytics.js"
    done = subprocess.run(
        [node(), "scripts/bundle-analytics.mjs", str(out)], cwd=JS, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


def session_of(api: httpx.Client, owner: Account, agent_id: str, external_id: str) -> dict[str, Any] | None:
    sessions = api.get("/api/sessions", params={"agentId": agent_id, "limit": 100}, headers=owner.headers).json()
    return next((s for s in sessions["items"] if s.get("externalId") == external_id), None)


def visit_the_shop(site: str, settings: dict[str, Any]) -> dict[str, Any]:
    """A visitor: two pages (the second a single-page navigation), four clicks, an uncaught error
    and an unhandled rejection, sent by fetch; then a ``track`` left for the beacon as the page goes
    away. Returns what ``getContext()`` gave."""
    with browser() as chromium:
        context = chromium.new_context()
        page = context.new_page()
        failures: list[str] = []
        page.on("requestfailed", lambda request: failures.append(request.url))
        page.goto(f"{site}/?grounded={json.dumps(settings)}")
        page.get_by_role("button", name="Buy now").click()
        page.get_by_role("link", name="Checkout").click()
        page.wait_for_url("**/checkout**")
        for button in ("Pay", "Refund"):
            with page.expect_event("pageerror"):
                page.get_by_role("button", name=button).click()
        page.evaluate("analytics.flush()")
        visit: dict[str, Any] = page.evaluate("analytics.getContext()")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "analytics-checkout.png"))
        stored = page.evaluate("Object.keys(localStorage).filter((key) => key.startsWith('grounded.')).sort()")
        assert context.cookies() == [], "the browser SDK sets no cookies"
        assert stored == ["grounded.anonymousId", "grounded.session"]
        page.evaluate("analytics.track('left-checkout', { step: 'payment' })")
        page.goto("about:blank")  # pagehide: what is left goes by sendBeacon
        assert not [url for url in failures if "/api/telemetry" in url]
    assert visit["sessionId"]
    assert visit["anonymousId"]
    return visit


def assert_one_timeline(timeline: list[dict[str, Any]], trace_id: str) -> None:
    events = [entry["data"] for entry in timeline if entry["kind"] == "event"]
    assert Counter(event["type"] for event in events) == {"page": 2, "click": 4, "error": 2, "custom": 1}
    assert [event["name"] for event in events if event["type"] == "page"] == ["/", "/checkout"]
    assert {event["name"] for event in events if event["type"] == "click"} == {"Buy now", "Checkout", "Pay", "Refund"}
    errors = {event["name"]: event["properties"] for event in events if event["type"] == "error"}
    assert set(errors) == {"Error: payment widget exploded", "Error: refund service unavailable"}
    assert errors["Error: refund service unavailable"]["unhandledRejection"] is True
    assert "payment widget exploded" in errors["Error: payment widget exploded"]["stack"]
    assert [event["name"] for event in events if event["type"] == "custom"] == ["left-checkout"]
    assert [entry["data"]["id"] for entry in timeline if entry["kind"] == "trace"] == [trace_id]


def test_a_browser_visit_and_its_backend_trace_are_one_session(
    api: httpx.Client, cloud: object, tmp_path: Path
) -> None:
    ensure_built()
    owner = sign_up(api)
    agent = create_agent(api, owner.headers, name="shop-assistant")
    create_snapshot(api, owner.headers, agent["id"])
    publishable = create_key(api, owner, kind="publishable", agentId=agent["id"])["key"]
    backend_key = create_key(api, owner, kind="secret")["key"]
    script = bundle(tmp_path)
    page_html = (HERE / "page.html").read_bytes()
    api_url = cloud.url  # type: ignore[attr-defined]

    def route(path: str) -> tuple[int, str, bytes] | None:
        if path == "/analytics.js":
            return 200, "text/javascript", script
        return 200, "text/html", page_html

    settings = {
        "publishableKey": publishable,
        "agentId": agent["id"],
        "baseUrl": api_url,
        "flushIntervalMs": 60_000,  # sent only when the test says: by fetch, then by beacon
        "batchSize": 100,
    }
    with static_site(route) as site:
        visit = visit_the_shop(site, settings)

    done = run_node(
        "integration/handoff.mjs",
        json.dumps(visit),
        env={"GROUNDED_BASE_URL": api_url, "GROUNDED_API_KEY": backend_key, "GROUNDED_AGENT_ID": agent["id"]},
    )
    assert done.returncode == 0, done.stderr
    trace_id = done.stdout.strip().splitlines()[-1]

    def complete() -> dict[str, Any] | None:
        session = session_of(api, owner, agent["id"], visit["sessionId"])
        return session if session and session["events"] == 9 and session["traces"] == 1 else None

    session = wait_until(complete, timeout=60, what="the visit's events and the backend trace in one session")
    assert session["anonymousId"] == visit["anonymousId"]
    timeline = api.get(f"/api/sessions/{session['id']}/timeline", headers=owner.headers).json()["items"]
    assert_one_timeline(timeline, trace_id)

    with static_site(route) as site:
        recorded = give_feedback(site, settings, trace_id)
    assert recorded == [True, True, False]  # the second verdict replaced the first; opted out: not sent
    scores = api.get("/api/scores", params={"traceId": trace_id}, headers=owner.headers).json()["items"]
    assert [(s["name"], s["value"], s["source"], s["comment"]) for s in scores] == [
        ("feedback", False, "user", "wrong order number")
    ]


def give_feedback(site: str, settings: dict[str, Any], trace_id: str) -> list[bool]:
    """A visitor on another origin gives a thumbs up to the answer, changes it to a thumbs down with a
    comment, then opts out and tries once more."""
    with browser() as chromium:
        page = chromium.new_context().new_page()
        failures: list[str] = []
        page.on("requestfailed", lambda request: failures.append(request.url))
        page.goto(f"{site}/?grounded={json.dumps(settings)}")
        recorded: list[bool] = page.evaluate(
            """async (traceId) => [
                await analytics.feedback(traceId, true),
                await analytics.feedback(traceId, false, { comment: "wrong order number" }),
                (analytics.optOut(), await analytics.feedback(traceId, true)),
            ]""",
            trace_id,
        )
        assert not [url for url in failures if "/api/scores" in url]
    return recorded
