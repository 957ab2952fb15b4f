"""A fake LangSmith API (v1): project lookup and ``POST /runs/query`` with cursor paging.

Faithful to the contract the connector relies on: both the bare and the ``/api/v1`` paths,
``x-api-key`` auth (401 otherwise), ``limit`` over 100 -> 400, ``cursors.next`` paging, the
``filter`` window on ``start_time``, ``is_root``, ``trace``, ``select``, naive UTC times, decimal
string costs, and 429 with ``Retry-After`` when a test injects it.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes.server import FakeServer, Reply, Request

MAX_LIMIT = 100
_COMPARISON = re.compile(r'(gte|gt|lte|lt)\(start_time,\s*"([^"]+)"\)')


def naive(moment: datetime) -> str:
    """LangSmith's time format: naive UTC with microseconds."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def _parse(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class FakeLangSmith(FakeServer):
    def __init__(self, api_key: str = "ls-fake-key-0001") -> None:
        super().__init__()
        self.api_keys = {api_key}
        self.projects: dict[str, str] = {}  # name -> id
        self.runs: list[dict[str, Any]] = []
        self._runs_lock = threading.Lock()

    # ------------------------------------------------------------------ data
    def project(self, name: str) -> str:
        return self.projects.setdefault(name, str(uuid.uuid4()))

    def add_trace(
        self,
        project: str,
        start: datetime,
        *,
        metadata: dict[str, Any] | None = None,
        llm_calls: int = 1,
        tools: int = 1,
        error: str | None = None,
        pending: bool = False,
        model: str = "gpt-4o-mini",
    ) -> dict[str, Any]:
        """A root chain run with ``llm_calls`` LLM children and ``tools`` tool children."""
        project_id = self.project(project)
        root_id = str(uuid.uuid4())
        meta = dict(metadata or {})

        def run(name: str, run_type: str, offset: float, parent: str | None, **fields: Any) -> dict[str, Any]:
            run_id = root_id if parent is None else str(uuid.uuid4())
            begin = start + timedelta(seconds=offset)
            return {
                "id": run_id,
                "trace_id": root_id,
                "parent_run_id": parent,
                "session_id": project_id,
                "name": name,
                "run_type": run_type,
                "start_time": naive(begin),
                "end_time": None if pending and parent is None else naive(begin + timedelta(seconds=0.5)),
                "status": "pending"
                if pending and parent is None
                else ("error" if error and parent is None else "success"),
                "error": error if parent is None else None,
                "inputs": {"input": f"{name} input"},
                "outputs": {"output": f"{name} output"},
                "extra": {"metadata": meta, "runtime": {"sdk": "langsmith-py"}},
                "tags": ["fake"],
                "dotted_order": f"{begin:%Y%m%dT%H%M%S%fZ}{run_id}",
                "prompt_tokens": 0,
                "completion_tokens": 0,
                "total_tokens": 0,
                "total_cost": None,
                **fields,
            }

        root = run("agent", "chain", 0, None)
        children = [
            run(
                f"llm-{n}",
                "llm",
                0.1 + n * 0.01,
                root_id,
                prompt_tokens=100,
                completion_tokens=20,
                total_tokens=120,
                total_cost="0.000027",
                extra={"metadata": {**meta, "ls_model_name": model}, "runtime": {}},
            )
            for n in range(llm_calls)
        ] + [run(f"tool-{n}", "tool", 0.3 + n * 0.01, root_id) for n in range(tools)]
        with self._runs_lock:
            self.runs += [root, *children]
        return root

    # ------------------------------------------------------------------ API
    def answer(self, request: Request) -> Reply:
        path = request.path.removeprefix("/api/v1")
        if request.headers.get("x-api-key") not in self.api_keys:
            return Reply.json(401, {"detail": "Invalid token"})
        if request.method == "GET" and path == "/sessions":
            name = request.query.get("name", [""])[0]
            if name not in self.projects:
                return Reply.json(200, [])
            return Reply.json(200, [self._project_body(name)])
        if request.method == "POST" and path == "/runs/query":
            return self._query(request.json() or {})
        return Reply.json(404, {"detail": "Not Found"})

    def _project_body(self, name: str) -> dict[str, Any]:
        return {
            "id": self.projects[name],
            "name": name,
            "tenant_id": "00000000-0000-0000-0000-000000000001",
            "start_time": "2025-01-01T00:00:00.000000",
            "end_time": None,
            "description": None,
            "extra": None,
            "reference_dataset_id": None,
        }

    def _query(self, body: dict[str, Any]) -> Reply:
        limit = int(body.get("limit", 100))
        if limit > MAX_LIMIT:
            return Reply.json(400, {"detail": f"Limit exceeds maximum allowed value of {MAX_LIMIT}"})
        with self._runs_lock:
            runs = [run for run in self.runs if self._matches(run, body)]
        runs.sort(key=lambda run: run["start_time"], reverse=body.get("order", "desc") == "desc")
        offset = 0
        if body.get("cursor"):
            offset = json.loads(base64.urlsafe_b64decode(body["cursor"]))["offset"]
        page = runs[offset : offset + limit]
        more = offset + limit < len(runs)
        cursor = base64.urlsafe_b64encode(json.dumps({"offset": offset + limit}).encode()).decode() if more else None
        select = body.get("select")
        if select:
            page = [{key: run.get(key) for key in {"id", *select}} for run in page]
        return Reply.json(200, {"runs": page, "cursors": {"next": cursor, "prev": None}, "parsed_query": None})

    def _matches(self, run: dict[str, Any], body: dict[str, Any]) -> bool:
        if body.get("session") and run["session_id"] not in body["session"]:
            return False
        if body.get("is_root") is True and run["parent_run_id"] is not None:
            return False
        if body.get("trace") and run["trace_id"] != body["trace"]:
            return False
        started = _parse(run["start_time"])
        for operator, value in _COMPARISON.findall(body.get("filter") or ""):
            bound = _parse(value)
            if not {"gte": started >= bound, "gt": started > bound, "lte": started <= bound, "lt": started < bound}[
                operator
            ]:
                return False
        return True
