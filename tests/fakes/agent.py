"""A fake agent under evaluation: ``POST {runId, caseId, input}`` -> ``{"output": …}``.

Paths choose its behaviour: ``/right`` answers from :attr:`answers`, ``/wrong`` answers
something else, ``/text`` answers right in a plain-text body, ``/broken`` always fails with 500,
``/slow`` answers after :attr:`slow_seconds` (longer than the run's ``timeoutMs``).
"""

from __future__ import annotations

import json
import time
from typing import Any

from tests.fakes.server import FakeServer, Reply, Request


class FakeAgent(FakeServer):
    def __init__(self, answers: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.answers = dict(answers or {})
        self.slow_seconds = 2.0

    def answer(self, request: Request) -> Reply:
        body = request.json() or {}
        right = self.answers.get(str(body.get("input")), "I do not know")
        if request.path == "/right":
            return Reply.json(200, {"output": right})
        if request.path == "/text":
            return Reply(200, str(right).encode(), {"content-type": "text/plain"})
        if request.path == "/wrong":
            return Reply.json(200, {"output": "Something unrelated entirely."})
        if request.path == "/broken":
            return Reply.json(500, {"error": "the agent crashed"})
        if request.path == "/slow":
            time.sleep(self.slow_seconds)
            return Reply.json(200, {"output": right})
        return Reply(404, json.dumps({"error": "no such agent"}).encode())
