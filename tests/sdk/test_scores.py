"""Scores from the SDK: ``client.scores`` creates and lists them (idempotent on the id), and
``trace.score()`` follows its trace in the background — given while the trace runs or after."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from grounded import AsyncGrounded, Grounded, NotFoundError, Tracing
from tests.sdk.conftest import SdkOrg
from tests.support.ingest import at
from tests.support.waiting import wait_until

STARTED = at(0)


def test_client_scores_a_trace_and_lists_it(client: Grounded, org: SdkOrg) -> None:
    accepted = client.traces.send({"agentId": org.agent_id, "sessionId": f"s-{uuid.uuid4().hex[:8]}",
                                   "name": "answer", "startedAt": STARTED})  # fmt: skip
    made = client.scores.create(name="accuracy", value=0.9, trace_id=accepted.trace_id, comment="checked by hand")
    assert (made.value, made.data_type, made.source, made.target) == (0.9, "numeric", "sdk", "trace")
    resent = {"name": "accuracy", "value": 0.9, "trace_id": accepted.trace_id, "comment": "checked by hand"}
    again = client.scores.create(**resent, score_id=made.id)
    assert (again.id, again.version) == (made.id, 0)
    replaced = client.scores.create(**{**resent, "comment": None}, score_id=made.id)
    assert (replaced.comment, replaced.version) == (None, 1)
    flagged = client.scores.create(name="flagged", value=False, trace_id=accepted.trace_id)
    assert flagged.value is False
    listed = client.scores.list(trace_id=accepted.trace_id)
    assert {score.name: score.value for score in listed.items} == {"accuracy": 0.9, "flagged": False}
    with pytest.raises(NotFoundError):
        client.scores.create(name="accuracy", value=1, trace_id="no-such-trace")


def test_the_async_client_scores_too(org: SdkOrg) -> None:
    async def scored() -> tuple[str, str, list[str]]:
        async with AsyncGrounded(api_key=org.key, base_url=org.url) as client:
            sent = {"agentId": org.agent_id, "sessionId": "s-async", "name": "answer", "startedAt": STARTED}
            accepted = await client.traces.send(sent)
            made = await client.scores.create(name="tone", value="friendly", trace_id=accepted.trace_id)
            listed = await client.scores.list(name="tone", agent_id=org.agent_id)
            return made.id, made.data_type, [score.id for score in listed.items]

    made_id, data_type, listed = asyncio.run(scored())
    assert data_type == "categorical"
    assert listed[0] == made_id


def test_trace_score_follows_its_trace(client: Grounded, org: SdkOrg) -> None:
    tracing = Tracing(client, agent_id=org.agent_id, flush_interval=0.2)
    trace = tracing.start_trace(session_id=f"s-{uuid.uuid4().hex[:8]}", name="answer", input="hi")
    with trace.run():
        with trace.span("llm", "draft", model="gpt-4o-mini") as span:
            span.output = "hello"
        during = trace.score("helpful", True, span_id=span.id)
    after = trace.score("helpful_overall", 4, comment="good")
    assert tracing.flush()
    tracing.shutdown()

    def both() -> dict[str, object] | None:
        scores = {s.id: s for s in client.scores.list(trace_id=trace.id).items}
        return scores if len(scores) == 2 else None

    scores = wait_until(both, timeout=30, what="the trace's two scores")
    assert scores[during].span_id == span.id
    assert (scores[after].value, scores[after].comment) == (4, "good")
