"""What a search asks (its filters, as the query parameters give them) and whether a trace answers it (pure)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from grounded_core.clock import parse_iso
from grounded_core.errors import Invalid

if TYPE_CHECKING:
    from grounded_core.ingest.models import TraceView

#: the longest text a search looks for
MAX_QUERY = 200
#: metadata filters in one search
MAX_METADATA = 10


@dataclass(frozen=True)
class TraceQuery:
    """Every filter is optional; a trace matches when it meets all that are given. ``text``:
    case-insensitive, in the trace's name, input, output, error and its spans' names, inputs and
    outputs (as kept in the table: a field moved to S3 for its size is not searched). ``model``:
    one of its spans' models, exactly (any case) or, ending in ``*``, by prefix."""

    text: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    tag: str | None = None
    model: str | None = None
    min_cost_usd: float | None = None
    max_cost_usd: float | None = None
    min_latency_ms: float | None = None
    max_latency_ms: float | None = None

    def __post_init__(self) -> None:
        if self.text is not None and not 1 <= len(self.text) <= MAX_QUERY:
            raise Invalid(f"q has 1 to {MAX_QUERY} characters.", details=[{"field": "q", "message": "length"}])
        if len(self.metadata) > MAX_METADATA:
            raise Invalid(
                f"At most {MAX_METADATA} metadata filters.", details=[{"field": "metadata", "message": "too many"}]
            )
        for low, high, name in ((self.min_cost_usd, self.max_cost_usd, "CostUsd"),
                                (self.min_latency_ms, self.max_latency_ms, "LatencyMs")):  # fmt: skip
            if low is not None and high is not None and low > high:
                problem = [{"field": f"min{name}", "message": "above max"}]
                raise Invalid(f"min{name} is above max{name}.", details=problem)

    @property
    def empty(self) -> bool:
        return self == TraceQuery()


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def searchable_text(trace: TraceView) -> str:
    parts: list[Any] = [trace.name, trace.input, trace.output, trace.error]
    if isinstance(trace.spans, list):
        parts += [part for span in trace.spans for part in (span.name, span.input, span.output)]
    return "\n".join(_text(part) for part in parts if part is not None).casefold()


def latency_ms(trace: TraceView) -> float | None:
    if not trace.ended_at:
        return None
    return (parse_iso(trace.ended_at) - parse_iso(trace.started_at)).total_seconds() * 1000


def _models(trace: TraceView) -> set[str]:
    spans = trace.spans if isinstance(trace.spans, list) else []
    return {span.model.casefold() for span in spans if span.model}


def _within(value: float | None, low: float | None, high: float | None) -> bool:
    if low is None and high is None:
        return True
    return value is not None and (low is None or value >= low) and (high is None or value <= high)


def matches(query: TraceQuery, trace: TraceView) -> bool:
    if query.text and query.text.casefold() not in searchable_text(trace):
        return False
    if any(str(trace.metadata.get(key)) != value or key not in trace.metadata for key, value in query.metadata.items()):
        return False
    if query.tag is not None and query.tag not in trace.tags:
        return False
    if query.model is not None:
        wanted = query.model.casefold()
        models = _models(trace)
        found = any(m.startswith(wanted[:-1]) for m in models) if wanted.endswith("*") else wanted in models
        if not found:
            return False
    if not _within(trace.cost_usd, query.min_cost_usd, query.max_cost_usd):
        return False
    return _within(latency_ms(trace), query.min_latency_ms, query.max_latency_ms)


@dataclass(frozen=True)
class ScoreFilter:
    """Traces with a score of this name, its value within the range (numbers and yes/no as 1/0);
    the window then applies to when the score was given."""

    name: str
    low: float | None = None
    high: float | None = None


def check_score_range(name: str | None, low: float | None, high: float | None) -> ScoreFilter | None:
    if name is None:
        if low is not None or high is not None:
            problem = [{"field": "scoreName", "message": "required with minScore or maxScore"}]
            raise Invalid("minScore and maxScore need scoreName.", details=problem)
        return None
    if low is not None and high is not None and low > high:
        raise Invalid("minScore is above maxScore.", details=[{"field": "minScore", "message": "above max"}])
    return ScoreFilter(name, low, high)


def metadata_filters(params: Iterable[tuple[str, str]]) -> dict[str, str]:
    """``metadata.<key>=<value>`` query parameters, as ``{key: value}``."""
    return {
        key.removeprefix("metadata."): value
        for key, value in params
        if key.startswith("metadata.") and key != "metadata."
    }
