"""The FastAPI side of pagination: ``?limit=`` and ``?cursor=`` as a route dependency. Kept out
of :mod:`grounded_core.pagination` so workers page through the store without importing FastAPI."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from grounded_core.pagination import DEFAULT_LIMIT, MAX_LIMIT, PageRequest


async def page_request(
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page (1-200)."),
    cursor: str | None = Query(None, description="The nextCursor of the previous page."),
) -> PageRequest:
    """FastAPI dependency for list routes."""
    return PageRequest(limit=limit, cursor=cursor)


#: Route parameter type for list routes: ``def route(page: Paging)``.
Paging = Annotated[PageRequest, Depends(page_request)]
