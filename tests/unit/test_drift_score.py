"""Drift scoring (pure): components, the behaviour term, severity bands."""

from __future__ import annotations

from typing import Any

import pytest

from grounded_core.agents.models import Snapshot
from grounded_core.drift.score import (
    Behaviour,
    behaviour_change,
    config_components,
    drift_score,
    explain,
    severity,
)


def snapshot(**fields: Any) -> Snapshot:
    base = {"id": "snp_1", "org_id": "org_1", "agent_id": "agt_1", "label": "v1", "system_prompt": "Be brief and kind.",
            "model_id": "gpt-4o-mini", "tools": [{"name": "search"}], "parameters": {"temperature": 0.2},
            "created_at": "2026-01-01T00:00:00.000Z"}  # fmt: skip
    return Snapshot.model_validate({**base, **fields})


def test_identical_configurations_score_zero_even_with_other_behaviour() -> None:
    components = config_components(snapshot(), snapshot(id="snp_2"))
    assert [c.score for c in components] == [0, 0, 0, 0]
    assert drift_score(components, behaviour=1.0) == 0.0


def test_each_component() -> None:
    changed = snapshot(
        system_prompt="Be brief.",
        model_id="openai/gpt-4o",
        tools=[{"name": "search", "description": "web"}, {"name": "refund"}],
        parameters={"temperature": 0.2, "top_p": 0.9},
    )
    scores = {c.name: c for c in config_components(snapshot(), changed)}
    assert 0 < scores["systemPrompt"].score < 1
    assert scores["model"].score == 1.0
    assert scores["tools"].detail == {"added": ["refund"], "removed": [], "changed": ["search"]}
    assert scores["tools"].score == 1.0
    assert scores["parameters"].score == 0.5
    # a provider prefix alone is not a model change
    assert {c.name: c.score for c in config_components(snapshot(), snapshot(model_id="openai/gpt-4o-mini"))}[
        "model"
    ] == 0


def test_behaviour_raises_a_score_but_never_past_one() -> None:
    before = Behaviour(eval_pass_rate=0.9, cost_per_session_usd=0.01, latency_ms_per_trace=800)
    after = Behaviour(eval_pass_rate=0.6, cost_per_session_usd=0.03, latency_ms_per_trace=None)
    change, deltas = behaviour_change(before, after)
    assert change == pytest.approx(2 / 3, abs=1e-3)  # cost tripled: 0.02 / 0.03
    assert set(deltas) == {"eval_pass_rate", "cost_per_session_usd"}
    components = config_components(snapshot(), snapshot(model_id="o3"))
    assert drift_score(components, 0) == 0.3
    assert drift_score(components, change) == pytest.approx(0.3 + 0.7 * change / 2, abs=1e-4)
    assert any("eval pass rate: 0.9 -> 0.6" in line for line in explain(components, deltas))


@pytest.mark.parametrize(
    ("score", "threshold", "expected"),
    [(0.05, 0.1, None), (0.1, 0.1, "low"), (0.3, 0.1, "low"), (0.35, 0.1, "medium"), (0.6, 0.1, "high"),
     (0.9, 0.1, "critical"), (1.0, 0.1, "critical"), (0.5, 0.5, "low"), (0.0, 0.0, None)],
)  # fmt: skip
def test_severity_bands_divide_the_range_above_the_threshold(
    score: float, threshold: float, expected: str | None
) -> None:
    assert severity(score, threshold) == expected
