"""The connector scheduler (EventBridge schedule): starts incremental syncs of due connectors."""

from __future__ import annotations

from typing import Any

from grounded_core.clock import parse_iso, utc_now
from grounded_core.connectors.scheduler import run_schedule
from grounded_core.observability import logger
from grounded_core.startup import entry_point


@entry_point
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    # the scheduled event's own time: the moment this run is for
    now = parse_iso(event["time"]) if event.get("time") else utc_now()
    jobs = run_schedule(now)
    return {"started": len(jobs), "jobIds": [job.id for job in jobs]}
