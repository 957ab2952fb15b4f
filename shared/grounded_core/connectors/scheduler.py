"""Scheduled incremental syncs. An EventBridge schedule runs :func:`run_schedule`, which reads the
connectors that are due from the sparse ``SCHEDULED`` index (a Query, never a Scan): only
connected connectors with a schedule have an entry there, sorted by when they are due."""

from __future__ import annotations

from datetime import datetime, timedelta

from grounded_core.clock import iso, utc_now
from grounded_core.connectors import store, syncs
from grounded_core.connectors.models import Connector
from grounded_core.errors import Conflict
from grounded_core.jobs.models import Job
from grounded_core.observability import logger
from grounded_core.store import keys, table

#: Connectors started per tick at most; the rest stay due and start on the next tick.
MOST_PER_TICK = 500


def due_connectors(now: datetime, most: int = MOST_PER_TICK) -> list[tuple[str, str]]:
    """``(org, connector)`` of connected connectors due at ``now``, oldest due first."""
    found: list[tuple[str, str]] = []
    start = None
    while len(found) < most:
        items, start = table.query(
            keys.SCHEDULED, index="GSI1", sk_between=("0", f"{iso(now)}#~"), limit=most - len(found), start_key=start
        )
        found += [(str(item["orgId"]), str(item["id"])) for item in items]
        if not start:
            break
    return found


def _next_run(connector: Connector, now: datetime) -> Connector:
    due = iso(now + timedelta(minutes=connector.schedule.interval_minutes))
    return connector.patched({"next_run_at": due, "updated_at": iso(now)})


def run_schedule(now: datetime) -> list[Job]:
    """Start an incremental sync (from the high-water mark to now) for each due connector; a
    connector still busy with a sync just moves its next run. The jobs' messages go in batches."""
    until = min(now, utc_now())
    jobs = []
    for org_id, connector_id in due_connectors(now):
        stored = store.load(org_id, connector_id)
        if stored is None or stored.connector.status != "connected":
            continue
        connector = stored.connector
        window = syncs.incremental_window(connector, until)
        try:
            jobs.append(syncs.start_sync(stored, window, "schedule", now, _next_run(connector, now), queue=False))
        except Conflict:  # a sync is running, or the connector changed meanwhile: try at its next run
            store.mutate(org_id, connector_id, lambda current: _next_run(current, now))
    if jobs:
        syncs.queue_jobs(jobs)
    logger.info("scheduled connector syncs", extra={"started": len(jobs)})
    return jobs
