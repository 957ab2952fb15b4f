"""LangSmith runs -> Grounded traces (pure)."""

from __future__ import annotations

from typing import Any

from grounded_core.connectors import langsmith
from grounded_core.ingest.models import MAX_SPANS, TraceIn

ROOT = "11111111-1111-1111-1111-111111111111"


def run(run_id: str, run_type: str = "chain", parent: str | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "id": run_id,
        "trace_id": ROOT,
        "parent_run_id": parent,
        "session_id": "project-1",
        "name": run_type,
        "run_type": run_type,
        "start_time": "2026-03-01T10:00:00.250000",
        "end_time": "2026-03-01T10:00:01.500000",
        "status": "success",
        "inputs": {"q": "hi"},
        "outputs": {"a": "hello"},
        "extra": {"metadata": {}},
        **fields,
    }


def test_a_root_with_children_is_a_trace_with_spans() -> None:
    root = run(ROOT, extra={"metadata": {"thread_id": "t-1", "user_id": "u-9", "fs_session_id": "12:34"}})
    llm = run(
        "22222222-2222-2222-2222-222222222222",
        "llm",
        ROOT,
        prompt_tokens=1000,
        completion_tokens=200,
        total_cost="0.0042",
        outputs={
            "usage_metadata": {"input_token_details": {"cache_read": 600}, "output_token_details": {"reasoning": 50}}
        },
        extra={"metadata": {"ls_model_name": "gpt-4o"}},
    )
    retriever = run("33333333-3333-3333-3333-333333333333", "retriever", llm["id"])

    trace = langsmith.to_trace(root, [root, llm, retriever], "agt_1")

    TraceIn.model_validate(trace)  # what the ingest accepts
    assert (trace["id"], trace["sessionId"], trace["userId"], trace["anonymousId"]) == (
        f"ls-{ROOT}",
        "t-1",
        "u-9",
        "12:34",
    )
    assert trace["startedAt"] == "2026-03-01T10:00:00.250Z"
    spans = {span["kind"]: span for span in trace["spans"]}
    assert spans["llm"]["parentId"] is None  # the root itself is the trace, not a span
    assert spans["retrieval"]["parentId"] == llm["id"]
    assert spans["llm"]["usage"] == {
        "inputTokens": 400,  # input excludes the cache reads, priced on their own
        "outputTokens": 200,
        "cacheReadTokens": 600,
        "cacheWriteTokens": 0,
        "reasoningTokens": 50,
    }
    assert (spans["llm"]["model"], spans["llm"]["costUsd"]) == ("gpt-4o", 0.0042)
    assert "usage" not in spans["retrieval"]


def test_thread_key_precedence_and_a_trace_without_a_thread() -> None:
    both = run(ROOT, extra={"metadata": {"conversation_id": "c", "session_id": "s", "thread_id": "t"}})
    assert langsmith.to_trace(both, [both], "agt_1")["sessionId"] == "s"
    alone = run(ROOT)
    assert langsmith.to_trace(alone, [alone], "agt_1")["sessionId"] == f"langsmith-{ROOT}"


def test_an_llm_run_traced_alone_keeps_its_tokens_and_errors_show() -> None:
    root = run(ROOT, "llm", prompt_tokens=10, completion_tokens=5, error="boom", status="error")
    trace = langsmith.to_trace(root, [root], "agt_1")
    assert (trace["status"], trace["error"]) == ("error", "boom")
    assert [(s["id"], s["usage"]["inputTokens"]) for s in trace["spans"]] == [(ROOT, 10)]


def test_a_huge_trace_keeps_the_first_spans_and_says_how_many_were_left_out() -> None:
    root = run(ROOT)
    children = [run(f"child-{n:05d}", "tool", ROOT) for n in range(MAX_SPANS + 5)]
    trace = langsmith.to_trace(root, [root, *children], "agt_1")
    assert len(trace["spans"]) == MAX_SPANS
    assert trace["metadata"]["spansLeftOut"] == 5


def test_pending_runs_and_bad_end_times() -> None:
    assert langsmith.is_pending(run(ROOT, status="pending"))
    assert langsmith.is_pending(run(ROOT, end_time=None))
    backwards = run(ROOT, end_time="2026-03-01T09:00:00")
    assert "endedAt" not in langsmith.to_trace(backwards, [backwards], "agt_1")
