"""The dashboard's weight and speed: the JavaScript (and CSS) a first visit loads, gzipped, and how
long a session page with --items timeline items (default 1,000 browser events) takes to render in
headless Chromium, from navigation to the last item on screen (median of --runs). Needs web/dist
(`make web-build`) and Debian's chromium.

    .venv/bin/python bench/web.py [--items 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import gzip
import re
import statistics
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "shared"), str(ROOT / "functions")]

from bench.counting import bench_cloud  # noqa: E402
from tests.support.browser import browser  # noqa: E402

DIST = ROOT / "web" / "dist"
#: in the page: go to the session (a client-side navigation), and time until the last entry is in
#: the DOM — from the navigation, and from the moment the timeline's answer had arrived
MEASURE = """([sessionId, items]) => new Promise((resolve) => {
  const started = performance.now();
  const observer = new MutationObserver(() => {
    if (document.querySelectorAll('.timeline .entry').length < items) return;
    observer.disconnect();
    const done = performance.now();
    const answer = performance.getEntriesByType('resource').filter((e) => e.name.includes('/timeline')).pop();
    resolve({ total: done - started, render: done - (answer ? answer.responseEnd : started) });
  });
  observer.observe(document.body, { childList: true, subtree: true });
  history.pushState({}, '', `/sessions/${sessionId}`);
  dispatchEvent(new PopStateEvent('popstate'));
})"""


def first_load_bytes() -> tuple[int, int]:
    """(JS, CSS) gzipped bytes that index.html loads before any route asks for more."""
    index = (DIST / "index.html").read_text()
    sizes = {"js": 0, "css": 0}
    for asset in re.findall(r'(?:src|href)="/(assets/[^"]+)"', index):
        kind = "js" if asset.endswith(".js") else "css" if asset.endswith(".css") else None
        if kind:
            sizes[kind] += len(gzip.compress((DIST / asset).read_bytes(), 9))
    return sizes["js"], sizes["css"]


def session_with(api: object, headers: dict[str, str], agent: str, items: int) -> str:
    start = datetime.now(UTC) - timedelta(hours=1)
    events = [
        {
            "agentId": agent,
            "type": "click" if n % 3 else "page",
            "name": f"step {n}",
            "timestamp": (start + timedelta(seconds=n)).isoformat().replace("+00:00", "Z"),
            "anonymousId": "bench-visitor",
            "sessionId": "bench-visit",
            "id": f"evt-{n}",
        }
        for n in range(items)
    ]
    for first in range(0, items, 500):
        answer = api.post("/api/telemetry", json={"events": events[first : first + 500]}, headers=headers)  # type: ignore[attr-defined]
        assert answer.status_code == 202, answer.text
    for _ in range(600):
        found = api.get("/api/sessions", params={"agentId": agent}, headers=headers).json()["items"]  # type: ignore[attr-defined]
        if found and found[0]["events"] == items:
            return str(found[0]["id"])
        threading.Event().wait(0.2)
    raise SystemExit("the events did not all arrive")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not (DIST / "index.html").exists():
        raise SystemExit("web/dist is missing: make web-build")
    js, css = first_load_bytes()
    print(f"dashboard first load: {js / 1024:.1f} KB JavaScript + {css / 1024:.1f} KB CSS, gzipped")
    cloud, api, headers, agent = bench_cloud()
    try:
        session_id = session_with(api, headers, agent, args.items)
        totals: list[dict[str, float]] = []
        with browser() as chromium:
            context = chromium.new_context(viewport={"width": 1400, "height": 900}, base_url=cloud.url)
            page = context.new_page()
            page.goto("/login")
            page.get_by_label("Email").fill("bench@example.com")
            page.get_by_label("Password").fill("benchmark")
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url("**/agents")
            for _ in range(args.runs):
                page.goto("/agents")  # a fresh app: nothing cached
                page.get_by_role("heading", level=1, name="Agents").wait_for()
                totals.append(page.evaluate(MEASURE, [session_id, args.items]))
        total = statistics.median(run["total"] for run in totals)
        render = statistics.median(run["render"] for run in totals)
        print(
            f"session page with {args.items} timeline items, in headless Chromium (median of {args.runs}): "
            f"{render:.0f} ms to render once the timeline arrived; {total:.0f} ms from navigation, "
            "including the local cloud's API answering"
        )
    finally:
        cloud.stop()


if __name__ == "__main__":
    main()
