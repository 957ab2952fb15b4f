"""Insight rules (pure): each fires on what matches it and not on what does not."""

from __future__ import annotations

from grounded_core.ingest.models import EventIn, TraceIn
from grounded_core.ingest.turns import Turn
from grounded_core.insights import rules

TRACE = {"agentId": "agt_1", "sessionId": "s", "startedAt": "2026-01-01T00:00:00Z"}


def test_errors_from_traces_and_spans() -> None:
    assert rules.trace_error(TraceIn.model_validate(TRACE)) is None
    failed = TraceIn.model_validate({**TRACE, "status": "error", "error": "boom"})
    assert rules.trace_error(failed) == "Trace 'trace' failed: boom"
    span = {"id": "a", "name": "lookup", "startedAt": TRACE["startedAt"], "status": "error"}
    assert rules.trace_error(TraceIn.model_validate({**TRACE, "spans": [span]})) == "Span 'lookup' failed."


def test_slow_turns() -> None:
    def turn(latency: int | None) -> Turn:
        return Turn(id="t", role="assistant", content="x", timestamp=TRACE["startedAt"], latency_ms=latency)

    assert rules.slow_turn([turn(900), turn(None)]) is None
    assert rules.slow_turn([turn(900), turn(12_500)]) == "A turn took 12.5 s (over 10 s)."


def test_cost_outliers_need_enough_history_and_a_real_difference() -> None:
    cent = 10_000_000
    assert rules.cost_outlier(50 * cent, [cent] * 4) is None  # too few to compare with
    assert rules.cost_outlier(2 * cent, [cent] * 10) is None  # twice the median is not an outlier
    assert rules.cost_outlier(cent // 2, [0] * 10) is None  # under a cent
    found = rules.cost_outlier(50 * cent, [cent] * 10)
    assert found is not None
    assert "50.0x the median" in found


def test_frustration_and_error_events() -> None:
    def event(**fields: object) -> EventIn:
        base = {
            "agentId": "agt_1",
            "type": "click",
            "name": "Send",
            "timestamp": TRACE["startedAt"],
            "anonymousId": "a",
        }
        return EventIn.model_validate({**base, **fields})

    assert rules.frustration(event()) is None
    assert rules.frustration(event(properties={"rageClick": True})) == ("frustration", "Rage click on 'Send'.")
    assert rules.frustration(event(properties={"deadClick": True})) == ("frustration", "Dead click on 'Send'.")
    assert rules.frustration(event(type="error", name="TypeError")) == ("errors", "Error in the browser: TypeError.")
