"""The insight rules. Pure: each takes what the worker just applied and says whether (and why) a
session is flagged."""

from __future__ import annotations

from statistics import median
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from grounded_core.ingest.models import EventIn, TraceIn
    from grounded_core.ingest.turns import Turn

Rule = Literal["errors", "cost_outlier", "slow_turn", "frustration"]
SLOW_TURN_MS = 10_000
#: A session costs "too much" at this multiple of the median of the agent's recent sessions...
COST_OUTLIER_FACTOR = 3.0
#: ...given at least this many of them to compare with...
COST_OUTLIER_MIN_SESSIONS = 5
#: ...and never for less than this (a cent is not an outlier worth a look).
COST_OUTLIER_FLOOR_NANOS = 10_000_000


def trace_error(trace: TraceIn) -> str | None:
    if trace.status == "error":
        return f"Trace '{trace.name}' failed" + (f": {trace.error[:200]}" if trace.error else ".")
    failed = next((span for span in trace.spans if span.status == "error"), None)
    if failed is not None:
        return f"Span '{failed.name}' failed" + (f": {failed.error[:200]}" if failed.error else ".")
    return None


def slow_turn(turns: list[Turn]) -> str | None:
    slow = [turn for turn in turns if turn.latency_ms is not None and turn.latency_ms > SLOW_TURN_MS]
    if not slow:
        return None
    worst = max(slow, key=lambda turn: turn.latency_ms or 0)
    return f"A turn took {(worst.latency_ms or 0) / 1000:.1f} s (over {SLOW_TURN_MS / 1000:.0f} s)."


def cost_outlier(cost_nanos: int, others: list[int]) -> str | None:
    """``others``: the costs of the agent's other recent sessions."""
    if len(others) < COST_OUTLIER_MIN_SESSIONS or cost_nanos < COST_OUTLIER_FLOOR_NANOS:
        return None
    typical = median(others)
    if cost_nanos <= COST_OUTLIER_FACTOR * typical:
        return None
    times = f"{cost_nanos / typical:.1f}x" if typical else "far above"
    return (
        f"This session cost ${cost_nanos / 1e9:.4f}, {times} the median (${typical / 1e9:.4f}) "
        f"of the agent's last {len(others)} sessions."
    )


def frustration(event: EventIn) -> tuple[Rule, str] | None:
    """Rage clicks, dead clicks and error events (from the browser SDK or an import)."""
    properties: dict[str, Any] = event.properties
    target = f" on '{event.name}'" if event.name else ""
    if properties.get("rageClick") or event.name.lower() in {"rage_click", "rageclick"}:
        return "frustration", f"Rage click{target}."
    if properties.get("deadClick") or event.name.lower() in {"dead_click", "deadclick"}:
        return "frustration", f"Dead click{target}."
    if event.type == "error" or properties.get("errorClick"):
        return "errors", f"Error in the browser: {event.name[:200]}."
    return None
