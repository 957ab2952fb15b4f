"""The search parameters ``GET /api/traces`` and ``GET /api/sessions`` share, as one dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from grounded_core.search.filters import ScoreFilter, TraceQuery, check_score_range, metadata_filters


class Search:
    """What a list request searches for; ``asked`` is false when it names no search filter."""

    def __init__(self, query: TraceQuery, score: ScoreFilter | None) -> None:
        self.query = query
        self.score = score

    @property
    def asked(self) -> bool:
        return not self.query.empty or self.score is not None


async def search_request(
    request: Request,
    q: Annotated[str | None, Query(max_length=200, description="text in input, output, error and spans")] = None,
    tag: Annotated[str | None, Query(max_length=200)] = None,
    model: Annotated[str | None, Query(max_length=200, description="a span's model; `gpt-4o*` by prefix")] = None,
    min_cost_usd: Annotated[float | None, Query(alias="minCostUsd", ge=0)] = None,
    max_cost_usd: Annotated[float | None, Query(alias="maxCostUsd", ge=0)] = None,
    min_latency_ms: Annotated[float | None, Query(alias="minLatencyMs", ge=0)] = None,
    max_latency_ms: Annotated[float | None, Query(alias="maxLatencyMs", ge=0)] = None,
    score_name: Annotated[str | None, Query(alias="scoreName", max_length=64)] = None,
    min_score: Annotated[float | None, Query(alias="minScore")] = None,
    max_score: Annotated[float | None, Query(alias="maxScore")] = None,
) -> Search:
    """FastAPI dependency: the request's search (``async``, like every dependency and route: see
    :mod:`grounded_core.http.app`)."""
    query = TraceQuery(
        text=q,
        metadata=metadata_filters(request.query_params.multi_items()),
        tag=tag,
        model=model,
        min_cost_usd=min_cost_usd,
        max_cost_usd=max_cost_usd,
        min_latency_ms=min_latency_ms,
        max_latency_ms=max_latency_ms,
    )
    return Search(query, check_score_range(score_name, min_score, max_score))


Searching = Annotated[Search, Depends(search_request)]
