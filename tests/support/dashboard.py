"""Driving the dashboard in headless Chromium: every page is checked for console errors and
failed requests it did not expect, and for serious accessibility violations (axe-core, in the
page), and photographed into ``.grounded/screenshots/dashboard/`` (not committed)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / ".grounded" / "screenshots" / "dashboard"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"


@dataclass
class Watched:
    """A page whose console errors and failed requests are collected; ``expect(pattern)`` allows
    the next one that matches (an expected 409, a 401 before logging in)."""

    page: Any
    problems: list[str] = field(default_factory=list)
    #: every API call and its status, to show where a failing run stopped
    calls: list[str] = field(default_factory=list)
    expected: list[re.Pattern[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("requestfailed", self._failed)
        self.page.on("response", self._response)

    def expect(self, pattern: str) -> None:
        self.expected.append(re.compile(pattern))

    def _allowed(self, text: str) -> bool:
        return any(pattern.search(text) for pattern in self.expected)

    def _console(self, message: Any) -> None:
        # Chromium logs a failed fetch as "Failed to load resource"; the response hook judges it
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.problems.append(f"console error: {message.text}")

    def _failed(self, request: Any) -> None:
        if request.failure == "net::ERR_ABORTED":
            return  # the page moved on (a navigation cancels what the last page was loading)
        text = f"{request.method} {request.url} failed: {request.failure}"
        if not self._allowed(text):
            self.problems.append(text)

    def _response(self, response: Any) -> None:
        if "/api/" in response.url:
            self.calls.append(f"{response.request.method} {response.url.split('/api/', 1)[1]} -> {response.status}")
        if response.status >= 400:
            text = f"{response.request.method} {response.url} -> {response.status}"
            if not self._allowed(text):
                self.problems.append(text)

    def assert_clean(self) -> None:
        assert not self.problems, "\n".join(self.problems)

    def visit(self, name: str) -> None:
        """The page now: no unexpected problems, no serious accessibility violation, a screenshot."""
        self.page.wait_for_load_state("load")
        self.assert_clean()
        check_accessibility(self.page, name)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def check_accessibility(page: Any, name: str) -> None:
    """axe-core in the page; a serious or critical violation fails."""
    assert AXE.exists(), "axe-core comes with the dashboard's dev dependencies: make web"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    found = page.evaluate(
        "async () => (await axe.run(document, { resultTypes: ['violations'] })).violations"
        ".map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target) }))"
    )
    serious = [violation for violation in found if violation["impact"] in ("serious", "critical")]
    assert not serious, f"{name}: {json.dumps(serious, indent=2)}"
