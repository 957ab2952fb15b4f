"""Tracing against the local cloud: traces stitch into one session with browser telemetry; the
current trace reaches nested code, threads and tasks; batches, callbacks, flush, a full queue."""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from typing import Any

import pytest

from grounded import Grounded, Tracing, TracingError, current_trace, observe
from tests.sdk.conftest import SdkOrg
from tests.support.waiting import wait_until


@observe(kind="tool", name="lookup_order")
def lookup_order(order_id: str) -> dict[str, str]:
    return {"order": order_id, "status": "shipped"}


@observe(kind="retrieval")
async def search(query: str) -> list[str]:
    await asyncio.sleep(0)
    return [f"doc about {query}"]


def test_start_trace_refuses_before_sending_anything(client: Grounded) -> None:
    tracing = Tracing(client)
    with pytest.raises(TracingError, match="agent_id"):
        tracing.start_trace(session_id="s")
    with pytest.raises(TracingError, match="session_id, anonymous_id"):
        tracing.start_trace(agent_id="agt_1", user_id="u-1")
    tracing.shutdown()


def test_a_traced_conversation_stitches_with_browser_telemetry(client: Grounded, org: SdkOrg) -> None:
    tracing = Tracing(client, agent_id=org.agent_id, flush_interval=0.2)
    browser = {"sessionId": None, "anonymousId": f"anon-{uuid.uuid4().hex[:8]}", "userId": "user-9"}
    seen_in_thread: list[Any] = []

    trace = tracing.start_trace_from_browser(browser, name="answer", input="Where is order 42?")
    with trace.run():
        assert current_trace() is trace
        lookup_order("42")
        with trace.span("llm", "draft", model="gpt-4o-mini") as span:
            span.usage = {"inputTokens": 100, "outputTokens": 20}
            span.output = "It shipped."
        worker = threading.Thread(target=lambda: seen_in_thread.append(current_trace()))
        worker.start()
        worker.join()
        asyncio.run(search("shipping"))
        trace.output = "It shipped yesterday."
    assert seen_in_thread == [trace]
    assert current_trace() is None
    assert tracing.flush(timeout=10)

    client.telemetry.send([{"agentId": org.agent_id, "type": "click", "name": "send", "timestamp": trace.started_at,
                            "anonymousId": browser["anonymousId"], "userId": "user-9"}])  # fmt: skip
    stored = wait_until(lambda: (t := client.traces.get(trace.id)).normalization.get("state") == "normalized" and t)
    assert sorted(s["kind"] for s in stored.spans) == ["llm", "retrieval", "tool"]
    tool = next(s for s in stored.spans if s["kind"] == "tool")
    assert tool["name"] == "lookup_order"
    session_id = stored.normalization["sessionId"]

    # the event is attached by the worker, asynchronously: wait for it in the trace's session
    def kinds() -> set[str]:
        return {entry.kind for entry in client.sessions.timeline(session_id).items}

    assert wait_until(lambda: "event" in (found := kinds()) and found) >= {"event", "trace"}
    assert client.sessions.get(session_id).traces == 1
    tracing.shutdown()


def test_a_failing_run_marks_the_trace_and_results_reach_the_callback(client: Grounded, org: SdkOrg) -> None:
    results: list[Any] = []
    tracing = Tracing(client, agent_id=org.agent_id, batch_size=10, on_result=results.append)
    with pytest.raises(ValueError, match="the tool broke"), tracing.start_trace(session_id="sdk-fail").run():
        raise ValueError("the tool broke")
    tracing.start_trace(agent_id="agt_not_mine", session_id="x").end()  # rejected by the server
    assert tracing.flush(timeout=10)
    assert results
    statuses = [r.status for result in results for r in result.results]
    assert sorted(statuses) == ["accepted", "rejected"]
    assert any(r.code == "unknown_agent" for result in results for r in result.rejected)
    tracing.shutdown()


def test_a_full_queue_drops_with_a_warning_instead_of_blocking(client: Grounded, org: SdkOrg, caplog: Any) -> None:
    tracing = Tracing(client, agent_id=org.agent_id, flush_interval=3600, batch_size=500, max_queue=2)
    with caplog.at_level(logging.WARNING, logger="grounded.tracing"):
        for n in range(3):
            tracing.start_trace(session_id=f"full-{n}").end()
    assert tracing.dropped == 1
    assert "queue is full" in caplog.text
    assert tracing.flush(timeout=10)
    tracing.shutdown()


def test_async_runs(client: Grounded, org: SdkOrg) -> None:
    tracing = Tracing(client, agent_id=org.agent_id)

    async def handle() -> str:
        async with tracing.start_trace(session_id=f"async-{uuid.uuid4().hex[:6]}").run() as trace:
            results = await asyncio.gather(search("a"), search("b"))
            assert len(trace.spans) == 2
            return str(results)

    asyncio.run(handle())
    assert tracing.flush(timeout=10)
    tracing.shutdown()
