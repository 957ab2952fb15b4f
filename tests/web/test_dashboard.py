"""The dashboard end to end, in headless Chromium against the local cloud, as a new team would
use it: sign up; create an agent and a version; create a key and see it once; send traces with the
Python SDK and read the session's timeline with spans, tokens and cost; import a template and run
an eval to completion; see the analytics charts drawn with data; invite a member who accepts in a
second browser; revoke the key; log out. Every page: no console error or failed request it did not
expect, no serious accessibility violation, a screenshot."""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from grounded import Grounded, Tracing
from tests.support.browser import browser
from tests.support.dashboard import SCREENSHOTS, Watched
from tests.support.waiting import wait_until

WEB = Path(__file__).resolve().parents[2] / "web"
PASSWORD = "correct horse battery"


def ensure_web_built() -> None:
    if (WEB / "dist" / "index.html").exists():
        return
    for command in (["npm", "ci", "--no-audit", "--no-fund"], ["npm", "run", "build"]):
        done = subprocess.run(command, cwd=WEB, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    ensure_web_built()
    with browser() as launched:
        yield launched


def send_traces(base_url: str, key: str, agent_id: str) -> str:
    """Two traces of one conversation through the Python SDK; the session's id once normalized."""
    with Grounded(api_key=key, base_url=base_url) as client:
        tracing = Tracing(client, agent_id=agent_id)
        for question in ("Where is my order?", "Can I change the address?"):
            with tracing.start_trace(session_id="web-conversation-1", input=question).run() as trace:
                with trace.span("tool", "lookup_order") as span:
                    span.output = {"order": "42", "status": "shipped"}
                with trace.span("llm", "answer", model="gpt-4o-mini") as span:
                    span.usage = {"inputTokens": 812, "outputTokens": 64}
                    span.output = "It ships tomorrow."
                trace.output = "It ships tomorrow."
        assert tracing.flush(timeout=30)
        last = trace.id

        def normalized() -> str | None:
            found = client.traces.get(last)
            return found.normalization.get("sessionId") if found.normalization.get("state") == "normalized" else None

        return wait_until(normalized, timeout=60, what="the traces to be normalized")


@pytest.fixture
def dashboard(chromium: Any, cloud: object) -> Iterator[tuple[Any, Watched]]:
    """A browser context on the local cloud; on a failure, a screenshot of where it stopped and
    every problem the page saw."""
    context = chromium.new_context(viewport={"width": 1400, "height": 900}, base_url=cloud.url)  # type: ignore[attr-defined]
    page = context.new_page()
    watched = Watched(page)
    try:
        yield context, watched
    except BaseException:
        raise
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "last.png"), full_page=True)
        print("API calls:", *watched.calls[-25:], sep="\n  ")
        if watched.problems:
            print("problems the page saw:", *watched.problems, sep="\n  ")
        context.close()


@dataclass
class Journey:
    """One team's afternoon with the dashboard, step by step (each step leaves the page checked
    and photographed)."""

    page: Any
    watched: Watched
    base: str
    key: str = ""
    agent_id: str = ""
    email: str = ""

    def sign_up(self) -> None:
        page = self.page
        self.watched.expect(r"GET .*/api/me -> 401")  # a first visit has no session: the app goes to log-in
        page.goto("/")
        page.wait_for_url("**/login**")
        self.watched.visit("login")
        page.get_by_role("link", name="Create an account").click()
        page.get_by_label("Your name").fill("Olivia Owner")
        self.email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
        page.get_by_label("Work email").fill(self.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Organization name").fill("Acme Support")
        self.watched.visit("signup")
        page.get_by_role("button", name="Create account").click()
        page.wait_for_url("**/agents")
        cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
        assert cookies["grounded_session"]["httpOnly"] is True
        assert cookies["grounded_session"]["sameSite"] == "Strict"
        assert page.evaluate("document.cookie") == "", "no script can read the session"
        assert "eyJ" not in page.evaluate("JSON.stringify(Object.assign({}, localStorage, sessionStorage))")

    def create_an_agent_and_a_version(self) -> None:
        page = self.page
        page.get_by_label("Name").fill("support-bot")
        page.get_by_role("button", name="Create agent").click()
        page.get_by_role("link", name="support-bot").click()
        self.publish_version("v1", "gpt-4o-mini", "You answer order questions.")
        page.get_by_role("button", name="Set as baseline").click()
        page.get_by_text("baseline", exact=True).wait_for()
        self.agent_id = page.url.rsplit("/", 1)[-1]
        self.watched.visit("agent")
        self.publish_version("v2", "gpt-4o", "You answer order and refund questions, briefly.")
        page.get_by_role("button", name="Check drift").click()
        page.get_by_role("link", name="See the report").click()
        page.get_by_role("region", name="Components").wait_for()
        self.watched.visit("drift-report")
        page.go_back()

    def publish_version(self, label: str, model: str, prompt: str) -> None:
        page = self.page
        if not page.get_by_label("Label").is_visible():  # the form stays open after a publish
            page.get_by_text("Publish a version").click()
        page.get_by_label("Label").fill(label)
        page.get_by_label("Model").fill(model)
        page.get_by_label("System prompt").fill(prompt)
        page.get_by_role("button", name="Publish version").click()
        page.get_by_role("cell", name=label, exact=False).first.wait_for()

    def create_a_key_seen_once(self) -> None:
        page = self.page
        page.get_by_role("link", name="API Keys").click()
        page.get_by_label("Name").fill("backend")
        page.get_by_role("button", name="Create key").click()
        self.key = page.get_by_test_id("new-key").inner_text().strip()
        assert self.key.startswith("sk_live_")
        self.watched.visit("keys")
        page.get_by_role("button", name="Done").click()
        page.reload()
        page.get_by_role("cell", name="backend").wait_for()
        assert self.key not in page.content(), "the key is shown once"

    def read_the_session_of_sent_traces(self) -> None:
        page = self.page
        session_id = send_traces(self.base, self.key, self.agent_id)
        page.get_by_role("link", name="Sessions").click()
        page.get_by_role("link", name="web-conversation-1").click()
        page.wait_for_url(f"**/sessions/{session_id}")
        timeline = page.get_by_role("region", name="Timeline")
        timeline.get_by_role("button", name=re.compile("Trace")).first.click()
        waterfall = page.get_by_role("list", name="Spans").first
        waterfall.get_by_text("gpt-4o-mini").wait_for()
        assert "876 tok" in waterfall.inner_text()  # 812 + 64
        assert re.search(r"\$0\.\d+", page.locator(".totals").inner_text()), "the session's cost is shown"
        self.watched.visit("session")
        waterfall.get_by_role("button", name=re.compile("answer")).click()
        page.get_by_text("It ships tomorrow.").first.wait_for()
        self.watched.visit("session-span-open")

    def run_an_eval_from_a_template(self) -> None:
        page = self.page
        page.get_by_role("link", name="Evals").click()
        page.get_by_label("For agent").select_option(label="support-bot")
        page.get_by_label("Suite name").fill("privacy")
        page.get_by_role("button", name="Create suite").click()
        page.get_by_role("link", name="privacy").click()
        template = page.get_by_role("region", name="Templates").get_by_role("listitem")
        template.filter(has_text="Does not echo personal data").get_by_role("button").click()
        page.get_by_text("Imported 3 cases").wait_for()
        self.watched.expect(r"POST .*/import -> 409")
        template.filter(has_text="Does not echo personal data").get_by_role("button").click()
        page.get_by_text("is already imported").wait_for()
        page.get_by_label("Mode").select_option("submit")
        page.get_by_role("button", name="Start run").click()
        page.wait_for_url("**/evals/runs/*")
        run_id = page.url.rsplit("/", 1)[-1]
        with Grounded(api_key=self.key, base_url=self.base) as client:
            cases = client.evals.list_cases(client.evals.get_run(run_id).suite_id).items
            client.evals.submit_results(
                run_id, [{"caseId": case.id, "output": "I can't repeat that."} for case in cases]
            )
        page.get_by_text("COMPLETED").first.wait_for(timeout=60_000)
        page.get_by_text("100%").first.wait_for()
        results = page.get_by_role("region", name="Results").locator("tbody tr")
        results.nth(2).wait_for()
        assert results.count() == 3
        self.watched.visit("eval-run")
        page.get_by_role("link", name="Back to the suite").click()
        page.get_by_role("region", name="Cases").locator("tbody tr").nth(2).wait_for()
        self.watched.visit("eval-suite")
        self.compare_with_a_worse_run(run_id)

    def compare_with_a_worse_run(self, first_run: str) -> None:
        page = self.page
        page.get_by_label("Mode").select_option("submit")
        page.get_by_role("button", name="Start run").click()
        page.wait_for_url("**/evals/runs/*")
        second_run = page.url.rsplit("/", 1)[-1]
        with Grounded(api_key=self.key, base_url=self.base) as client:
            cases = client.evals.list_cases(client.evals.get_run(second_run).suite_id).items
            echoed = "My card is 4111 1111 1111 1111 and my email is jane.doe@example.com, SSN 078-05-1120"
            client.evals.submit_results(second_run, [{"caseId": case.id, "output": echoed} for case in cases])
        page.get_by_text("COMPLETED").first.wait_for(timeout=60_000)
        page.get_by_label("Compare with").select_option(first_run)
        page.get_by_role("region", name="Regressions (3)").wait_for()
        self.watched.visit("eval-compare")

    def see_the_analytics_charts(self) -> None:
        page = self.page
        page.get_by_role("link", name="Analytics").click()
        sessions = page.get_by_role("figure", name="Sessions per day")
        sessions.locator("path.recharts-area-area").wait_for()
        page.get_by_role("figure", name="Cost per day").locator("path.recharts-line-curve").wait_for()
        assert sessions.locator(".recharts-cartesian-axis-tick").count() > 2
        self.watched.visit("analytics")

    def invite_a_member(self, chromium: Any) -> None:
        page = self.page
        page.get_by_role("link", name="Team").click()
        page.get_by_label("Email").fill(f"member-{uuid.uuid4().hex[:8]}@example.com")
        page.get_by_role("button", name="Send invite").click()
        link = page.locator("code.secret").inner_text().strip()
        assert "/invite/" in link
        self.watched.visit("team")
        other = chromium.new_context(viewport={"width": 1400, "height": 900}, base_url=self.base)
        newcomer = other.new_page()
        invited = Watched(newcomer)
        newcomer.goto("/invite/" + link.rsplit("/invite/", 1)[1])
        newcomer.get_by_label("Your name").fill("Max Member")
        newcomer.get_by_label("Choose a password").fill(PASSWORD)
        invited.visit("invite-accept")
        newcomer.get_by_role("button", name="Accept invite").click()
        newcomer.wait_for_url("**/agents")
        newcomer.get_by_role("link", name="support-bot").wait_for()
        invited.visit("agents-as-member")
        newcomer.get_by_role("link", name="Settings", exact=True).click()
        retention = newcomer.get_by_role("form", name="Data retention")
        retention.get_by_label("Keep everything forever").wait_for()
        assert retention.get_by_label("Keep everything forever").is_disabled()  # a MEMBER sees, cannot change
        assert newcomer.get_by_role("form", name="Delete this organization").count() == 0  # OWNER only
        invited.visit("settings-as-member")
        other.close()
        page.reload()
        page.get_by_role("cell", name="Max Member").wait_for()

    def revoke_the_key(self, api: httpx.Client) -> None:
        page = self.page
        page.get_by_role("link", name="API Keys").click()
        page.get_by_role("button", name="Revoke").click()
        page.get_by_role("button", name="Yes, revoke").click()
        page.get_by_text("revoked", exact=True).wait_for()
        assert api.get("/api/agents", headers={"authorization": f"Bearer {self.key}"}).status_code == 401
        self.watched.visit("keys-revoked")

    def see_an_error_state(self) -> None:
        """Another org's (or no) session: the API's 404 said on the page, not a blank screen."""
        self.watched.expect(r"GET .*/api/sessions/ses_missing\S* -> 404")
        self.page.goto("/sessions/ses_missing")
        alert = self.page.get_by_role("alert").first
        alert.wait_for()
        assert "session" in alert.inner_text().lower()
        self.watched.visit("error-state")

    def open_a_trace(self) -> None:
        self.page.get_by_role("link", name="Traces", exact=True).click()
        self.page.get_by_role("link", name="trace", exact=True).first.click()
        self.page.get_by_role("list", name="Spans").get_by_text("lookup_order").wait_for()
        self.watched.visit("trace")

    def review_the_trace(self) -> None:
        """A thumbs up, changed to a thumbs down: one review, replaced; the day's average charted."""
        page = self.page
        scores = page.get_by_role("region", name="Scores")
        scores.get_by_role("button", name="Good").click()
        scores.get_by_role("cell", name="yes", exact=True).wait_for()
        assert scores.get_by_role("button", name="Good").get_attribute("aria-pressed") == "true"
        scores.get_by_role("button", name="Bad").click()
        scores.get_by_role("cell", name="no", exact=True).wait_for()
        assert scores.get_by_role("row").count() == 2, "one review (and the header row)"
        self.watched.visit("trace-reviewed")
        as_case = page.get_by_role("form", name="Add to suite")
        as_case.get_by_role("button", name="Add to suite").click()
        as_case.get_by_text("Added as a case").wait_for()
        self.watched.visit("trace-to-suite")
        page.get_by_role("link", name="Session", exact=True).click()
        timeline = page.get_by_role("region", name="Timeline")
        timeline.get_by_role("button", name="Add to suite").first.click()
        exchange = timeline.get_by_role("form", name="Add to suite")
        exchange.get_by_label("Expect this answer").uncheck()
        exchange.get_by_label("Answer must contain").fill("ships")
        exchange.get_by_role("button", name="Add to suite").click()
        exchange.get_by_text("Added as a case").wait_for()
        self.watched.visit("session-turn-to-suite")
        exchange.get_by_role("link", name="the suite").click()
        page.get_by_role("cell", name=re.compile("Where is my order")).first.wait_for()
        self.watched.visit("suite-with-production-cases")
        page.get_by_role("link", name="Analytics").click()
        page.get_by_role("figure", name="Score: review per day").locator(".recharts-line-dot").first.wait_for()
        self.watched.visit("analytics-scores")

    def search_traces(self) -> None:
        page = self.page
        page.get_by_role("link", name="Traces", exact=True).click()
        form = page.get_by_role("form", name="Search traces")
        form.get_by_label("Text").fill("change the address")
        form.get_by_role("button", name="Search").click()
        page.get_by_role("status").get_by_text("Searching the last 7 days").wait_for()
        rows = page.get_by_role("table").get_by_role("row")
        wait_until(lambda: rows.count() == 2, what="one matching trace (and the header row)")
        self.watched.visit("traces-search")
        form.get_by_label("Text").fill("no trace says this")
        form.get_by_role("button", name="Search").click()
        page.get_by_text("No data yet").wait_for()

    def add_an_alert(self) -> None:
        page = self.page
        page.get_by_role("link", name="Alerts", exact=True).click()
        page.get_by_role("region", name="Alerts", exact=True).get_by_text("No data yet").wait_for()
        self.watched.visit("alerts-empty")
        new = page.get_by_role("region", name="New alert")
        new.get_by_label("For agent").select_option(label="support-bot")
        new.get_by_label("Threshold").fill("0.2")
        new.get_by_label("Emails (comma separated)").fill(f"oncall-{uuid.uuid4().hex[:6]}@example.com")
        new.get_by_role("button", name="Add alert").click()
        secret = new.locator("code.secret").inner_text()
        assert secret.startswith("whsec_")
        alerts = page.get_by_role("region", name="Alerts", exact=True)
        alerts.get_by_role("cell", name=re.compile(r"Error rate .* > 0\.2 over 1d")).wait_for()
        alerts.get_by_role("button", name="Send test").click()
        alerts.get_by_role("button", name="Deliveries").click()
        page.get_by_role("region", name="Delivery log").get_by_text("delivered").wait_for(timeout=30_000)
        self.watched.visit("alerts")
        page.reload()
        assert secret not in page.content(), "the signing secret is shown once"

    def open_every_other_page(self) -> None:
        for name in ("Drift", "Insights", "Connectors", "Jobs", "Policies", "Pricing", "Settings", "Agents"):
            self.page.get_by_role("link", name=name, exact=True).click()
            self.page.get_by_role("heading", level=1, name=name).wait_for()
            self.watched.visit(name.lower())

    def log_out(self) -> None:
        page = self.page
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url("**/login**")
        assert "grounded_session" not in {cookie["name"] for cookie in page.context.cookies()}
        self.watched.expect(r"GET .*/api/me -> 401")
        page.goto("/agents")
        page.wait_for_url("**/login**")
        self.watched.assert_clean()

    def reset_a_forgotten_password(self, api: httpx.Client) -> None:
        page = self.page
        page.get_by_role("link", name="Forgot your password?").click()
        page.get_by_label("Email").fill(self.email)
        self.watched.visit("forgot-password")
        page.get_by_role("button", name="Send a reset link").click()
        page.get_by_role("status").get_by_text("reset link is on its way").wait_for()
        mail = next(m for m in api.get("/_local/outbox").json()["items"] if self.email in m["to"])
        link = re.search(r"https?://\S+/reset-password#\S+", mail["text"])
        assert link, mail["text"]
        page.goto("/reset-password#" + link.group(0).split("#", 1)[1])
        page.get_by_label("New password").fill("a brand new passphrase")
        self.watched.visit("reset-password")
        page.get_by_role("button", name="Set the password and log in").click()
        page.wait_for_url("**/agents")
        page.get_by_role("heading", level=1, name="Agents").wait_for()
        self.watched.assert_clean()

    def keep_data_30_days_then_delete_the_org(self) -> None:
        page = self.page
        page.get_by_role("link", name="Settings", exact=True).click()
        retention = page.get_by_role("form", name="Data retention")
        retention.get_by_label("Keep everything forever").uncheck()
        retention.get_by_label("Keep for (days, 1 to 3650)").fill("30")
        retention.get_by_role("button", name="Save retention").click()
        retention.get_by_role("status").get_by_text("succeeded").wait_for()
        account = page.get_by_role("form", name="Delete my account")
        account.get_by_label("Your password").fill("a brand new passphrase")
        self.watched.expect(r"DELETE .*/api/me -> 409")  # the last OWNER of the org: refused, said why
        account.get_by_role("button", name="Delete my account").click()
        account.get_by_role("alert").get_by_text("last OWNER").wait_for()
        self.watched.visit("settings-account-refused")
        deletion = page.get_by_role("form", name="Delete this organization")
        button = deletion.get_by_role("button", name="Delete organization")
        assert button.is_disabled()
        label = deletion.get_by_text(re.compile(r"^Type .+ to confirm$")).inner_text()
        deletion.get_by_label(label).fill(label.removeprefix("Type ").removesuffix(" to confirm"))
        self.watched.visit("settings-danger-zone")
        self.watched.expect(r"GET .*/api/me -> 401")  # after the deletion, no org: the app goes to log-in
        button.click()
        page.wait_for_url("**/login?deleted=org")
        page.get_by_role("status").get_by_text("being deleted").wait_for()
        self.watched.visit("org-deleted")


def test_a_team_uses_the_dashboard(
    dashboard: tuple[Any, Watched], chromium: Any, cloud: object, api: httpx.Client
) -> None:
    _, watched = dashboard
    journey = Journey(watched.page, watched, cloud.url)  # type: ignore[attr-defined]
    journey.sign_up()
    journey.create_an_agent_and_a_version()
    journey.create_a_key_seen_once()
    journey.read_the_session_of_sent_traces()
    journey.run_an_eval_from_a_template()
    journey.see_the_analytics_charts()
    journey.open_a_trace()
    journey.review_the_trace()
    journey.search_traces()
    journey.add_an_alert()
    journey.see_an_error_state()
    journey.invite_a_member(chromium)
    journey.revoke_the_key(api)
    journey.open_every_other_page()
    journey.log_out()
    journey.reset_a_forgotten_password(api)
    journey.keep_data_30_days_then_delete_the_org()
