"""The eval run state machine's steps (invoked by Step Functions, never by HTTP)."""

from __future__ import annotations

from typing import Any

from grounded_core.evals.steps import handle
from grounded_core.observability import logger
from grounded_core.startup import entry_point


@entry_point
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(event)
