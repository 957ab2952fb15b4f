"""Large trace fields move out of the item and come back intact."""

from __future__ import annotations

import json

from grounded_core.ingest.payloads import ITEM_BUDGET, MARKER, join_payloads, split_payloads


def test_small_traces_stay_whole() -> None:
    body = {"input": "hi", "output": {"a": 1}, "spans": [{"id": "s", "input": "x"}]}
    kept, payloads = split_payloads(body)
    assert payloads == {}
    assert kept == body


def test_large_fields_move_out_and_come_back() -> None:
    big = "x" * 10_000
    body = {"input": big, "output": "ok", "metadata": {"k": big}, "spans": [{"id": "s", "output": {"text": big}}]}

    kept, payloads = split_payloads(body)

    assert kept["input"] == {MARKER: "input"}
    assert kept["spans"][0]["output"] == {MARKER: "spans.0.output"}
    assert kept["output"] == "ok"
    assert len(json.dumps(kept)) < 1_000
    assert join_payloads(kept, payloads) == body
    assert body["input"] == big  # the caller's body is untouched


def test_many_spans_move_out_whole() -> None:
    spans = [{"id": f"s{n}", "name": "n" * 3_000} for n in range(200)]
    kept, payloads = split_payloads({"spans": spans})
    assert kept["spans"] == {MARKER: "spans"}
    assert len(json.dumps(kept)) < ITEM_BUDGET
    assert join_payloads(kept, payloads)["spans"] == spans


def test_json_nested_too_deep_is_refused() -> None:
    import pytest
    from pydantic import ValidationError

    from grounded_core.ingest.models import TraceIn
    from grounded_core.storable import MAX_DEPTH, depth

    nested: object = "leaf"
    for _ in range(MAX_DEPTH):
        nested = [nested]
    assert depth(nested) == MAX_DEPTH
    base = {"agentId": "agt_1", "sessionId": "s", "startedAt": "2026-01-01T00:00:00Z"}
    TraceIn.model_validate({**base, "input": nested})
    with pytest.raises(ValidationError, match="nests deeper than 32 levels"):
        TraceIn.model_validate({**base, "output": [nested]})
    with pytest.raises(ValidationError):
        TraceIn.model_validate(
            {**base, "spans": [{"id": "a", "name": "x", "startedAt": base["startedAt"], "input": {"a": [nested]}}]}
        )
