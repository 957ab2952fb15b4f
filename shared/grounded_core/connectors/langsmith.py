"""LangSmith import: root runs become traces, their child runs spans.

Spoken as plain HTTP (the v1 API the ``langsmith`` SDK uses) because the SDK's iterator hides the
page cursor a resumable sync must checkpoint, retries 429s with its own long sleeps, and its
``list_runs(limit>100)`` is refused by the API. Contract: ``../shared/notes/connector-apis.md`` §1.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from grounded_core.clock import iso, parse_iso
from grounded_core.connectors.http import ProviderHttp, Rejected
from grounded_core.connectors.source import SourcePage
from grounded_core.connectors.syncs import Window
from grounded_core.ingest.models import MAX_SPANS
from grounded_core.pricing.cost import Usage

DEFAULT_BASE_URL = "https://api.smith.langchain.com"
PAGE_SIZE = 100  # the API's maximum; more is a 400
THREAD_KEYS = ("session_id", "thread_id", "conversation_id")
USER_KEYS = ("user_id", "userId")
ANONYMOUS_KEYS = ("fs_session_id", "anonymous_id", "anonymousId")
SELECT = [
    "id", "trace_id", "parent_run_id", "name", "run_type", "start_time", "end_time", "status", "error",
    "inputs", "outputs", "extra", "tags", "prompt_tokens", "completion_tokens", "total_tokens", "total_cost",
    "session_id", "dotted_order",
]  # fmt: skip
SPAN_KINDS = {"llm": "llm", "tool": "tool", "retriever": "retrieval", "chain": "chain"}
TEXT_LIMIT = 10_000


def headers(api_key: str, workspace_id: str | None) -> dict[str, str]:
    found = {"x-api-key": api_key}
    if workspace_id:
        found["X-Tenant-Id"] = workspace_id
    return found


def window_filter(window: Window) -> str:
    return f'and(gte(start_time, "{iso(window.start)}"), lt(start_time, "{iso(window.end)}"))'


class LangSmithSource:
    def __init__(self, http: ProviderHttp, project_name: str, agent_id: str):
        self.http = http
        self.project_name = project_name
        self.agent_id = agent_id

    def project_id(self) -> str:
        params = {"name": self.project_name, "limit": 1, "include_stats": "false"}
        found = self.http.get("/sessions", params).json()
        if not isinstance(found, list) or not found:
            raise Rejected(f"LangSmith has no project named '{self.project_name}'.")
        return str(found[0]["id"])

    def pages(self, window: Window, state: dict[str, Any]) -> Iterator[SourcePage]:
        project = state.get("projectId") or self.project_id()
        cursor = state.get("cursor")
        while True:
            body = {
                "session": [project],
                "is_root": True,
                "filter": window_filter(window),
                "select": SELECT,
                "limit": PAGE_SIZE,
                "order": "asc",
            }
            if cursor:
                body["cursor"] = cursor
            answer = self.http.post("/runs/query", body).json() or {}
            roots = answer.get("runs") or []
            cursor = (answer.get("cursors") or {}).get("next")
            page = SourcePage(kind="traces", items=[], state={"projectId": project, "cursor": cursor})
            for root in roots:
                if is_pending(root):
                    page.held_back += 1
                    started = run_time(root["start_time"])
                    if page.held_back_since is None or started < page.held_back_since:
                        page.held_back_since = started
                    continue
                runs = self.trace_runs(project, str(root.get("trace_id") or root["id"]))
                page.items.append(to_trace(root, runs, self.agent_id))
            yield page
            if not roots or not cursor:
                return

    def trace_runs(self, project: str, trace_id: str) -> list[dict[str, Any]]:
        """Every run of one trace (the root included), following the cursor."""
        runs: list[dict[str, Any]] = []
        cursor = None
        while True:
            body: dict[str, Any] = {"session": [project], "trace": trace_id, "select": SELECT, "limit": PAGE_SIZE}
            if cursor:
                body["cursor"] = cursor
            answer = self.http.post("/runs/query", body).json() or {}
            runs.extend(answer.get("runs") or [])
            cursor = (answer.get("cursors") or {}).get("next")
            if not answer.get("runs") or not cursor:
                return runs


# ---------------------------------------------------------------- mapping (pure)


def is_pending(run: dict[str, Any]) -> bool:
    return run.get("status") == "pending" or not run.get("end_time")


def run_time(value: str) -> datetime:
    """LangSmith writes naive UTC times (``2024-04-29T00:49:12.090000``)."""
    return parse_iso(value)


def _when(value: str | None) -> str | None:
    return iso(run_time(value)) if value else None


def _metadata(run: dict[str, Any]) -> dict[str, Any]:
    metadata = (run.get("extra") or {}).get("metadata") or {}
    return metadata if isinstance(metadata, dict) else {}


def _first(mapping: dict[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = mapping.get(name)
        if value not in (None, ""):
            return str(value)[:200]
    return None


def _failed(run: dict[str, Any]) -> bool:
    return bool(run.get("error")) or run.get("status") == "error"


def _text(value: Any, limit: int) -> str | None:
    return None if value in (None, "") else str(value)[:limit]


def _int(value: Any) -> int:
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0


def usage(run: dict[str, Any]) -> dict[str, int] | None:
    """Normalized usage: input excludes cache reads and writes; reasoning is part of output."""
    details: dict[str, Any] = {}
    for source in ((run.get("outputs") or {}).get("usage_metadata"), _metadata(run).get("usage_metadata")):
        if isinstance(source, dict):
            details = source
            break
    prompt = _int(run.get("prompt_tokens") or details.get("input_tokens"))
    completion = _int(run.get("completion_tokens") or details.get("output_tokens"))
    input_details = details.get("input_token_details") or {}
    output_details = details.get("output_token_details") or {}
    found = Usage.from_inclusive(
        prompt,
        completion,
        _int(input_details.get("cache_read")),
        _int(input_details.get("cache_creation")),
        _int(output_details.get("reasoning")),
    )
    return None if found is None else found.model_dump(by_alias=True)


def model_name(run: dict[str, Any]) -> str | None:
    extra = run.get("extra") or {}
    params = extra.get("invocation_params") or {}
    for value in (_metadata(run).get("ls_model_name"), params.get("model"), params.get("model_name")):
        if value:
            return str(value)[:200]
    return None


def cost(run: dict[str, Any]) -> float | None:
    """LangSmith's own cost (a decimal string), when it computed one."""
    try:
        value = Decimal(str(run["total_cost"])) if run.get("total_cost") not in (None, "") else None
    except InvalidOperation:
        return None
    return float(value) if value is not None and value >= 0 else None


def to_span(run: dict[str, Any], root_id: str | None) -> dict[str, Any]:
    kind = SPAN_KINDS.get(str(run.get("run_type")), "custom")
    started = _when(run.get("start_time"))
    ended = _when(run.get("end_time"))
    span: dict[str, Any] = {
        "id": str(run["id"]),
        "parentId": None if run.get("parent_run_id") in (None, root_id) else str(run["parent_run_id"]),
        "kind": kind,
        "name": (_text(run.get("name"), 200) or kind),
        "startedAt": started,
        "endedAt": ended if ended and started and ended >= started else None,
        "input": run.get("inputs"),
        "output": run.get("outputs"),
        "status": "error" if _failed(run) else "ok",
        "error": _text(run.get("error"), TEXT_LIMIT),
        "attributes": {"langsmithRunType": run.get("run_type")},
    }
    if kind == "llm":  # a chain's tokens and cost are its children's, already counted on them
        span["model"] = model_name(run)
        span["usage"] = usage(run)
        span["costUsd"] = cost(run)
    return span


def trace_id_for(langsmith_trace_id: str) -> str:
    return f"ls-{langsmith_trace_id}"


def to_trace(root: dict[str, Any], runs: list[dict[str, Any]], agent_id: str) -> dict[str, Any]:
    """One finished root run and the runs of its trace as a Grounded trace (the ingest format)."""
    root_id = str(root["id"])
    source_trace = str(root.get("trace_id") or root_id)
    metadata = _metadata(root)
    children = sorted((run for run in runs if str(run["id"]) != root_id), key=lambda run: str(run.get("start_time")))
    # an LLM call traced on its own is its own only span (its tokens live on it)
    spans = [to_span(root, None)] if root.get("run_type") == "llm" else []
    parent = None if spans else root_id
    spans += [to_span(run, parent) for run in children[: MAX_SPANS - len(spans)]]
    started = _when(root["start_time"])
    ended = _when(root.get("end_time"))
    thread = _first(metadata, THREAD_KEYS) or _text(root.get("thread_id"), 200)
    trace: dict[str, Any] = {
        "id": trace_id_for(source_trace),
        "agentId": agent_id,
        "sessionId": thread or f"langsmith-{source_trace}",
        "anonymousId": _first(metadata, ANONYMOUS_KEYS),
        "userId": _first(metadata, USER_KEYS),
        "name": _text(root.get("name"), 200) or "trace",
        "startedAt": started,
        "endedAt": ended if ended and started and ended >= started else None,
        "status": "error" if _failed(root) else "ok",
        "error": _text(root.get("error"), TEXT_LIMIT),
        "input": root.get("inputs"),
        "output": root.get("outputs"),
        "metadata": {
            "source": "langsmith",
            "langsmithTraceId": source_trace,
            "langsmithProjectId": root.get("session_id"),
            "langsmithMetadata": {k: v for k, v in metadata.items() if isinstance(v, str | int | float | bool)},
        },
        "tags": [str(tag)[:200] for tag in (root.get("tags") or [])][:50],
        "spans": spans,
    }
    left_out = len(children) + (1 if parent is None else 0) - len(spans)
    if left_out:
        trace["metadata"]["spansLeftOut"] = left_out
    return {key: value for key, value in trace.items() if value is not None}
