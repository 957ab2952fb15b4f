"""An alert's metric over its window, from the daily rollups (one Query) or the org's insights
(one Query of the window), and whether its condition holds."""

from __future__ import annotations

from datetime import date, timedelta

from grounded_core.alerts.models import Condition
from grounded_core.analytics.overview import SEVERITIES, rollups
from grounded_core.pricing.cost import usd
from grounded_core.store import keys, table
from grounded_core.store.conditions import matching


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def metric_value(org_id: str, agent_id: str, condition: Condition, today: date) -> float | None:
    """The metric's value over the window ending today; ``None`` when it has no data (a rate with
    nothing to divide by)."""
    first = today - timedelta(days=condition.days - 1)
    if condition.metric == "insights":
        where = matching(agentId=agent_id, rule=condition.insight_rule)
        low, high = first.isoformat(), (today + timedelta(days=1)).isoformat()
        counted, start = 0, None
        while True:
            found, start = table.query(
                keys.org_insights(org_id), index="GSI1", sk_between=(low, high), where=where, start_key=start,
                fields=("id",),
            )  # fmt: skip
            counted += len(found)
            if not start:
                return float(counted)
    days = rollups(org_id, agent_id, first, today)

    def total(name: str) -> int:
        return sum(int(day.get(name, 0)) for day in days.values())

    if condition.metric == "error_rate":
        return _ratio(total("errors"), total("traces"))
    if condition.metric == "eval_pass_rate":
        return _ratio(total("evalPassed"), total("evalCases"))
    if condition.metric == "cost_usd":
        return round((usd(total("costNanos")) or 0.0) / condition.days, 6)
    at_least = SEVERITIES[SEVERITIES.index(condition.severity) :]
    return float(sum(total(f"drift_{severity}") for severity in at_least))


def holds(condition: Condition, value: float | None) -> bool:
    if value is None:
        return False
    return value > condition.above if condition.above is not None else value < float(condition.below or 0)
