"""The analytics overview, read from the daily rollups only: one Query for the whole range, so the
reads depend on the number of days, never on the amount of data behind them. Days are UTC days."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from pydantic import Field

from grounded_core.agents.service import get_agent
from grounded_core.clock import parse_iso, utc_now
from grounded_core.errors import Invalid
from grounded_core.identity.principal import Principal
from grounded_core.model import ApiModel
from grounded_core.pricing.cost import usd
from grounded_core.scores.counters import DayScores
from grounded_core.store import keys, table
from grounded_core.store.listing import time_bound

DEFAULT_DAYS = 30
MAX_DAYS = 366
SEVERITIES = ("low", "medium", "high", "critical")


class Point(ApiModel):
    date: str
    value: float | None


class DriftPoint(ApiModel):
    date: str
    low: int = 0
    medium: int = 0
    high: int = 0
    critical: int = 0


class Series(ApiModel):
    session_volume: list[Point]
    trace_volume: list[Point]
    eval_pass_rate: list[Point]
    cost_usd: list[Point]
    tokens: list[Point]
    error_rate: list[Point]
    drift_by_severity: list[DriftPoint]


class ScoreSeries(ApiModel):
    """One score name over the range: its daily average (numbers, and yes/no as 1/0) and counts."""

    name: str
    average: list[Point]
    count: int
    overall_average: float | None
    #: for a categorical score: how often each category was given in the range
    categories: dict[str, int]


class Overview(ApiModel):
    from_: str = Field(alias="from")
    to: str
    agent_id: str | None
    days: list[str]
    series: Series
    scores: list[ScoreSeries]
    totals: dict[str, float | int | None]


def _day_range(since: str | None, until: str | None, now: datetime) -> list[date]:
    end = parse_iso(time_bound(until, "to") or now.isoformat()).date()
    start = parse_iso(str(time_bound(since, "from"))).date() if since else end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise Invalid("from must not be after to.", details=[{"field": "from", "message": "after to"}])
    if (end - start).days + 1 > MAX_DAYS:
        raise Invalid(
            f"An overview spans at most {MAX_DAYS} days.", details=[{"field": "from", "message": "too far back"}]
        )
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def rollups(org_id: str, agent_id: str | None, first: date, last: date) -> dict[str, dict[str, Any]]:
    """The range's daily counters by date (one Query; more pages only past 1 MB)."""
    found: dict[str, dict[str, Any]] = {}
    start = None
    while True:
        items, start = table.query(
            keys.rollup(org_id, agent_id),
            sk_between=(keys.day(first.isoformat()), keys.day(last.isoformat())),
            start_key=start,
        )
        found |= {str(item["SK"]).removeprefix("DAY#"): item for item in items}
        if not start:
            return found


def score_series(labels: list[str], counters: dict[str, dict[str, Any]]) -> list[ScoreSeries]:
    """Every score name given in the range, by name."""
    days = {day: DayScores(counters.get(day, {})) for day in labels}
    names = sorted(set().union(*(scores.names() for scores in days.values())))
    shown = []
    for name in names:
        sums = {day: scores.sums.get(name, 0.0) for day, scores in days.items()}
        counts = {day: scores.counts.get(name, 0) for day, scores in days.items()}
        categories: dict[str, int] = {}
        for scores in days.values():
            for category, times in scores.categories.get(name, {}).items():
                categories[category] = categories.get(category, 0) + times
        total = sum(counts.values())
        shown.append(
            ScoreSeries(
                name=name,
                average=[Point(date=day, value=_mean(sums[day], counts[day])) for day in labels],
                count=total + sum(categories.values()),
                overall_average=_mean(sum(sums.values()), total),
                categories=categories,
            )
        )
    return shown


def _mean(total: float, count: int) -> float | None:
    return round(total / count, 4) if count else None


def overview(
    principal: Principal, since: str | None, until: str | None, agent_id: str | None, now: datetime | None = None
) -> Overview:
    agent = principal.agent_filter(agent_id)
    if agent:
        get_agent(principal, agent)
    days = _day_range(since, until, now or utc_now())
    counters = rollups(principal.org_id, agent, days[0], days[-1])

    def number(day: str, name: str) -> int:
        return int(counters.get(day, {}).get(name, 0))

    labels = [day.isoformat() for day in days]

    def series(value: Any) -> list[Point]:
        return [Point(date=day, value=value(day)) for day in labels]

    def tokens(day: str) -> int:
        return sum(number(day, name) for name in ("inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens"))

    total = {name: sum(number(day, name) for day in labels) for name in
             ("sessions", "traces", "errors", "costNanos", "evalCases", "evalPassed", "evalRuns", "judgeCalls",
              "judgeCostNanos")}  # fmt: skip
    return Overview(
        from_=labels[0],
        to=labels[-1],
        agent_id=agent,
        days=labels,
        series=Series(
            session_volume=series(lambda day: number(day, "sessions")),
            trace_volume=series(lambda day: number(day, "traces")),
            eval_pass_rate=series(lambda day: _rate(number(day, "evalPassed"), number(day, "evalCases"))),
            cost_usd=series(lambda day: usd(number(day, "costNanos"))),
            tokens=series(tokens),
            error_rate=series(lambda day: _rate(number(day, "errors"), number(day, "traces"))),
            drift_by_severity=[
                DriftPoint(date=day, **{s: number(day, f"drift_{s}") for s in SEVERITIES}) for day in labels
            ],
        ),
        scores=score_series(labels, counters),
        totals={
            "sessions": total["sessions"],
            "traces": total["traces"],
            "costUsd": usd(total["costNanos"]),
            "tokens": sum(tokens(day) for day in labels),
            "errorRate": _rate(total["errors"], total["traces"]),
            "evalRuns": total["evalRuns"],
            "evalPassRate": _rate(total["evalPassed"], total["evalCases"]),
            "judgeCalls": total["judgeCalls"],
            "judgeCostUsd": usd(total["judgeCostNanos"]),
        },
    )
