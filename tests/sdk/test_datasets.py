"""Datasets from production through the SDK: a traced answer becomes an eval case linked to it."""

from __future__ import annotations

import uuid

from grounded import Grounded, Tracing
from tests.sdk.conftest import SdkOrg
from tests.support.waiting import wait_until


def test_a_traced_answer_becomes_a_case(client: Grounded, org: SdkOrg) -> None:
    tracing = Tracing(client, agent_id=org.agent_id, flush_interval=0.2)
    trace = tracing.start_trace(session_id=f"s-{uuid.uuid4().hex[:8]}", name="refund", input="Can I get a refund?")
    trace.end(output="Yes, within 30 days.")
    assert tracing.flush()
    tracing.shutdown()
    normalized = lambda: client.traces.get(trace.id).normalization["state"] == "normalized"  # noqa: E731
    wait_until(normalized, timeout=30, what="the trace normalized")

    suite = client.evals.create_suite(agent_id=org.agent_id, name="from production")
    case = client.evals.add_case_from_trace(suite.id, trace_id=trace.id, expected_output=True, tags=["refunds"])
    assert (case.input, case.expected) == ("Can I get a refund?", "Yes, within 30 days.")
    assert (case.source or {}).get("traceId") == trace.id
    assert [c.id for c in client.evals.list_cases(suite.id).items] == [case.id]


def test_traces_and_sessions_are_searched(client: Grounded, org: SdkOrg) -> None:
    marker = uuid.uuid4().hex[:10]
    tracing = Tracing(client, agent_id=org.agent_id, flush_interval=0.2)
    trace = tracing.start_trace(session_id=f"s-{marker}", name="search me", input=f"question {marker}",
                                metadata={"plan": "pro"}, tags=["sdk-search"])  # fmt: skip
    trace.end(output="an answer")
    assert tracing.flush()
    tracing.shutdown()
    normalized = lambda: client.traces.get(trace.id).normalization["state"] == "normalized"  # noqa: E731
    wait_until(normalized, timeout=30, what="the trace normalized")
    assert [t.id for t in client.traces.search(q=marker, metadata={"plan": "pro"}, tag="sdk-search").items] == [
        trace.id
    ]
    assert client.traces.search(q=marker, metadata={"plan": "free"}).items == []
    assert [s.external_id for s in client.sessions.search(q=marker).items] == [f"s-{marker}"]
