"""The daily drift sweep (EventBridge schedule): checks every agent whose latest snapshot is not
its baseline."""

from __future__ import annotations

from typing import Any

from grounded_core.drift.service import sweep
from grounded_core.observability import logger
from grounded_core.startup import entry_point


@entry_point
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    reports = sweep()
    stored = [report for report in reports if report.stored]
    logger.info("drift sweep", extra={"checked": len(reports), "stored": len(stored)})
    return {"checked": len(reports), "stored": [report.id for report in stored]}
