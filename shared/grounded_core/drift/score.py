"""Scoring drift between two snapshots. Pure.

The configuration score is a weighted sum of what changed: the system prompt (1 - the word-level
similarity ratio of difflib, with a unified diff in the report), the model, the tools (the share of
tools added, removed or redefined) and the parameters (the share of keys whose value changed).
Identical configurations score 0, whatever the data. When there is behaviour data for both
snapshots — eval pass rate, error rate, cost per session, latency per trace — the largest relative
change raises the score: ``score = config + (1 - config) * behaviour / 2``.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

from grounded_core.agents.models import Snapshot
from grounded_core.pricing.cost import normalize_model

WEIGHTS = {"systemPrompt": 0.35, "model": 0.3, "tools": 0.2, "parameters": 0.15}
SEVERITIES = ("low", "medium", "high", "critical")
DIFF_LINES = 200


@dataclass
class Component:
    name: str
    score: float
    weight: float
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Behaviour:
    """What a snapshot did: each metric ``None`` when there is no data for it."""

    eval_pass_rate: float | None = None
    error_rate: float | None = None
    cost_per_session_usd: float | None = None
    latency_ms_per_trace: float | None = None


def prompt_component(before: str, after: str) -> Component:
    ratio = (
        difflib.SequenceMatcher(None, before.split(), after.split(), autojunk=False).ratio() if before or after else 1.0
    )
    diff = list(difflib.unified_diff(before.splitlines(), after.splitlines(), "baseline", "snapshot", lineterm=""))
    detail = {"similarity": round(ratio, 4), "diff": diff[:DIFF_LINES]}
    return Component("systemPrompt", round(1 - ratio, 4), WEIGHTS["systemPrompt"], detail)


def model_component(before: str, after: str) -> Component:
    changed = normalize_model(before) != normalize_model(after)
    return Component("model", 1.0 if changed else 0.0, WEIGHTS["model"], {"before": before, "after": after})


def tools_component(before: Snapshot, after: Snapshot) -> Component:
    old = {tool.name: tool.model_dump(mode="json") for tool in before.tools}
    new = {tool.name: tool.model_dump(mode="json") for tool in after.tools}
    added, removed = sorted(set(new) - set(old)), sorted(set(old) - set(new))
    changed = sorted(name for name in set(old) & set(new) if old[name] != new[name])
    union = len(set(old) | set(new))
    score = (len(added) + len(removed) + len(changed)) / union if union else 0.0
    return Component(
        "tools", round(score, 4), WEIGHTS["tools"], {"added": added, "removed": removed, "changed": changed}
    )


def parameters_component(before: dict[str, Any], after: dict[str, Any]) -> Component:
    names = set(before) | set(after)
    changed = sorted(
        name
        for name in names
        if json.dumps(before.get(name), sort_keys=True) != json.dumps(after.get(name), sort_keys=True)
    )
    detail = {"changed": {name: {"before": before.get(name), "after": after.get(name)} for name in changed}}
    return Component("parameters", round(len(changed) / len(names), 4) if names else 0.0, WEIGHTS["parameters"], detail)


def behaviour_change(before: Behaviour, after: Behaviour) -> tuple[float, dict[str, Any]]:
    """The largest change among the metrics both snapshots have (absolute for rates, relative
    for cost and latency, each capped at 1), with every delta."""
    deltas: dict[str, Any] = {}
    changes = []
    for name in ("eval_pass_rate", "error_rate"):
        a, b = getattr(before, name), getattr(after, name)
        if a is not None and b is not None:
            deltas[name] = {"before": a, "after": b, "delta": round(b - a, 4)}
            changes.append(min(1.0, abs(b - a)))
    for name in ("cost_per_session_usd", "latency_ms_per_trace"):
        a, b = getattr(before, name), getattr(after, name)
        if a is not None and b is not None and (a or b):
            relative = abs(b - a) / max(abs(a), abs(b))
            deltas[name] = {"before": a, "after": b, "relativeChange": round(relative, 4)}
            changes.append(min(1.0, relative))
    return (max(changes) if changes else 0.0), deltas


def config_components(baseline: Snapshot, candidate: Snapshot) -> list[Component]:
    return [
        prompt_component(baseline.system_prompt, candidate.system_prompt),
        model_component(baseline.model_id, candidate.model_id),
        tools_component(baseline, candidate),
        parameters_component(baseline.parameters, candidate.parameters),
    ]


def drift_score(components: list[Component], behaviour: float) -> float:
    config = sum(component.score * component.weight for component in components)
    if config == 0:
        return 0.0
    return round(min(1.0, config + (1 - config) * behaviour / 2), 4)


def severity(score: float, threshold: float) -> str | None:
    """``None`` below the agent's threshold; above it, four equal bands up to 1."""
    if score < threshold or score == 0:
        return None
    band = 1.0 if threshold >= 1 else (score - threshold) / (1 - threshold)
    return SEVERITIES[min(3, int(band * 4))]


def explain(components: list[Component], deltas: dict[str, Any]) -> list[str]:
    """One sentence per change, most weighty first."""
    lines = []
    for component in sorted(components, key=lambda c: c.score * c.weight, reverse=True):
        if component.score == 0:
            continue
        if component.name == "systemPrompt":
            lines.append(f"The system prompt changed ({component.detail['similarity']:.0%} similar to the baseline's).")
        elif component.name == "model":
            lines.append(f"The model changed from {component.detail['before']} to {component.detail['after']}.")
        elif component.name == "tools":
            parts = [f"{kind}: {', '.join(names)}" for kind, names in component.detail.items() if names]
            lines.append("The tools changed (" + "; ".join(parts) + ").")
        else:
            lines.append(f"Parameters changed: {', '.join(component.detail['changed'])}.")
    for name, delta in deltas.items():
        label = name.replace("_", " ")
        lines.append(f"{label}: {delta['before']} -> {delta['after']}.")
    return lines
