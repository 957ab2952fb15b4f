"""Starting a connector sync: one job at a time per connector.

The job and the connector's ``activeJobId`` are written in one transaction, conditioned on the
connector's version; a connector whose active job is still queued or running refuses a second
sync (409), and one whose job ended (or was cancelled) takes a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from grounded_core import adapters
from grounded_core.clock import iso, parse_iso
from grounded_core.connectors import store
from grounded_core.connectors.models import PROVIDER_NAMES, Connector
from grounded_core.errors import Conflict, Invalid
from grounded_core.ids import new_id
from grounded_core.jobs.models import ACTIVE, Job
from grounded_core.jobs.service import find_job, finish_job
from grounded_core.settings import get_settings
from grounded_core.store import table
from grounded_core.store.conditions import ConditionFailed, Put, absent
from grounded_core.store.listing import time_bound

JOB_TYPE = "connector.sync"
Trigger = Literal["connect", "manual", "schedule"]
#: Incremental windows reach back this far before the high-water mark: late arrivals are caught,
#: and the deterministic ids make the overlap free of duplicates.
OVERLAP = timedelta(minutes=10)


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    def wire(self) -> dict[str, str]:
        return {"from": iso(self.start), "to": iso(self.end)}


def incremental_window(connector: Connector, now: datetime) -> Window:
    """From the high-water mark (less the overlap), or ``config.initialDays`` back for a first sync."""
    if connector.synced_through:
        start = parse_iso(connector.synced_through) - OVERLAP
    else:
        start = now - timedelta(days=int(connector.config.get("initialDays", 7)))
    return Window(min(start, now), now)


def requested_window(since: str | None, until: str | None, default: Window, now: datetime) -> Window:
    """A ``{from, to}`` request, defaulting each end; 422 when it is not a window."""

    start = parse_iso(time_bound(since, "from") or iso(default.start))
    end = min(parse_iso(time_bound(until, "to") or iso(default.end)), now)
    if start >= end:
        details = [{"field": "from", "message": "not before to"}]
        raise Invalid("from must be before to (and before now).", details=details)
    return Window(start, end)


def active_job(connector: Connector) -> Job | None:
    """The connector's queued or running job, if it has one."""
    if not connector.active_job_id:
        return None
    job = find_job(connector.org_id, connector.active_job_id)
    return job if job is not None and job.status in ACTIVE else None


def start_sync(
    stored: store.Stored,
    window: Window,
    trigger: Trigger,
    now: datetime,
    connector: Connector | None = None,
    queue: bool = True,
) -> Job:
    """Create the sync job, lock the connector to it and queue it (unless ``queue`` is false: the
    caller sends :func:`sync_message` itself, batched). ``connector`` is the new state to write
    with the lock (for example, just connected); by default the stored one."""
    current = stored.connector
    running = active_job(current)
    if running is not None:
        raise Conflict(
            f"A sync of this connector is already {running.status} (job {running.id}).", code="sync_in_progress"
        )
    job = Job(
        id=new_id("job"),
        org_id=current.org_id,
        type=JOB_TYPE,
        created_at=iso(now),
        params={**window.wire(), "trigger": trigger, "provider": current.provider},
        agent_id=current.agent_id,
        connector_id=current.id,
    )
    updated = (connector or current).patched({"active_job_id": job.id, "last_job_id": job.id, "updated_at": iso(now)})
    locked = store.Stored(updated, stored.version, stored.secret_name)
    try:
        table.transact([Put(job.to_item(), absent(), label="job"), store.put_operation(locked)])
    except ConditionFailed:
        raise Conflict(store.CHANGED, code="connector_changed") from None
    stored.connector, stored.version = updated, stored.version + 1
    if queue:
        queue_jobs([job])
    return job


def queue_jobs(jobs: list[Job]) -> None:
    """Send the jobs' messages; if that fails, the jobs fail (they would never run) and it raises."""
    try:
        adapters.send_messages(get_settings().sync_queue_url, [sync_message(job) for job in jobs])
    except Exception:
        for job in jobs:
            finish_job(job.org_id, job.id, "failed", error="The sync could not be queued; try again.", expected=ACTIVE)
        raise


def sync_message(job: Job) -> dict[str, str]:
    return {"kind": JOB_TYPE, "orgId": job.org_id, "jobId": job.id}


def provider_name(connector: Connector) -> str:
    return PROVIDER_NAMES[connector.provider]
