"""Answers shared by several functions."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from grounded_core.ingest.models import BatchAnswer, ItemResult

#: how a batch route documents its answers (it returns :func:`batch_response`)
BATCH_ANSWERS = {
    "response_model": BatchAnswer,
    "responses": {207: {"model": BatchAnswer, "description": "Some items were rejected: each result says why"}},
}


def batch_response(results: list[ItemResult]) -> JSONResponse:
    """202 when every item was accepted, else 207 — each item's outcome either way, in order."""
    status = 202 if all(result.status == "accepted" for result in results) else 207
    body = {"results": [result.model_dump(mode="json", by_alias=True, exclude_none=True) for result in results]}
    return JSONResponse(status_code=status, content=body)
