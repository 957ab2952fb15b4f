"""Matching one trace against a search (pure): each filter, their conjunction, and what is refused."""

from __future__ import annotations

from typing import Any

import pytest

from grounded_core.errors import Invalid
from grounded_core.ingest.models import TraceView
from grounded_core.search.filters import TraceQuery, check_score_range, latency_ms, matches, metadata_filters


def view(**fields: Any) -> TraceView:
    body = {"id": "t1", "agentId": "a", "name": "answer", "startedAt": "2026-12-01T10:00:00Z",
            "endedAt": "2026-12-01T10:00:02.500Z", "normalization": {"state": "normalized"}, "costUsd": 0.002,
            "input": {"question": "Where is my Order?"}, "output": "It ships.", "metadata": {"plan": "pro", "n": 3},
            "tags": ["vip"], "spans": [{"id": "s", "kind": "llm", "name": "draft", "startedAt": "2026-12-01T10:00:00Z",
                                        "model": "GPT-4o-mini", "output": "tracking number 991"}]}  # fmt: skip
    return TraceView.model_validate({**body, **fields})


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (TraceQuery(), True),
        (TraceQuery(text="order"), True),
        (TraceQuery(text="TRACKING number"), True),  # in a span's output
        (TraceQuery(text="refund"), False),
        (TraceQuery(metadata={"plan": "pro"}), True),
        (TraceQuery(metadata={"n": "3"}), True),  # compared as text
        (TraceQuery(metadata={"plan": "free"}), False),
        (TraceQuery(metadata={"missing": "None"}), False),
        (TraceQuery(tag="vip"), True),
        (TraceQuery(tag="VIP"), False),  # tags are exact
        (TraceQuery(model="gpt-4o-mini"), True),
        (TraceQuery(model="gpt-4o*"), True),
        (TraceQuery(model="gpt-4o"), False),
        (TraceQuery(min_cost_usd=0.001, max_cost_usd=0.002), True),
        (TraceQuery(min_cost_usd=0.003), False),
        (TraceQuery(min_latency_ms=2500, max_latency_ms=2500), True),
        (TraceQuery(max_latency_ms=2000), False),
        (TraceQuery(text="order", tag="vip", model="gpt*", max_cost_usd=1), True),
        (TraceQuery(text="order", tag="other"), False),
    ],
)
def test_a_trace_matches_when_it_meets_every_filter(query: TraceQuery, expected: bool) -> None:
    assert matches(query, view()) is expected


def test_unknown_cost_or_latency_never_falls_in_a_range() -> None:
    assert not matches(TraceQuery(max_cost_usd=1), view(costUsd=None))
    assert latency_ms(view(endedAt=None)) is None
    assert not matches(TraceQuery(min_latency_ms=0), view(endedAt=None))
    assert matches(TraceQuery(), view(costUsd=None, endedAt=None))


def test_bad_ranges_and_queries_are_refused() -> None:
    with pytest.raises(Invalid):
        TraceQuery(min_cost_usd=2, max_cost_usd=1)
    with pytest.raises(Invalid):
        TraceQuery(text="")
    with pytest.raises(Invalid):
        TraceQuery(metadata={str(n): "x" for n in range(11)})
    with pytest.raises(Invalid):
        check_score_range(None, 0.5, None)
    assert check_score_range(None, None, None) is None


def test_metadata_filters_come_from_dotted_parameters() -> None:
    params = [("metadata.plan", "pro"), ("q", "x"), ("metadata.", "ignored"), ("metadata.a.b", "1")]
    assert metadata_filters(params) == {"plan": "pro", "a.b": "1"}
