"""The lifecycle worker (SQS LifecycleQueue): re-stamps expiry after a retention change and
erases deleted orgs. Each message moves one job forward; before its invocation runs out, it hands
the rest to a new message. Duplicates do nothing: the job is claimed by one delivery at a time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from grounded_core import adapters
from grounded_core.clock import utc_now
from grounded_core.jobs.models import TERMINAL, Job
from grounded_core.jobs.service import claim_job, find_job, finish_job, release_job, report_progress
from grounded_core.lifecycle import restamp
from grounded_core.observability import logger
from grounded_core.settings import get_settings
from grounded_core.store import table

TimeLeft = Callable[[], float]
#: hand over to a new message when less than this is left of the invocation
STOP_MARGIN_SECONDS = 60.0
LEASE_SLACK = timedelta(seconds=60)


def handle_message(body: dict[str, Any], time_left: TimeLeft) -> None:
    kind, org_id, job_id = body["kind"], str(body["orgId"]), str(body["jobId"])  # malformed: DLQ
    if kind not in RUNNERS:
        raise ValueError(f"unknown lifecycle message kind {kind!r}")
    job = find_job(org_id, job_id)
    if job is None or job.status in TERMINAL:
        return  # finished (or erased with its org) before this delivery
    claimed = claim_job(org_id, job_id, utc_now() + timedelta(seconds=time_left()) + LEASE_SLACK)
    if claimed is None:
        return  # another delivery is at work
    try:
        RUNNERS[kind](claimed, body, time_left)
    except Exception:
        release_job(org_id, job_id)
        raise


def _continue(job: Job, body: dict[str, Any], **state: Any) -> None:
    release_job(job.org_id, job.id)
    adapters.send_message(get_settings().lifecycle_queue_url, {**body, **state})


def run_restamp(job: Job, body: dict[str, Any], time_left: TimeLeft) -> None:
    cursor = body.get("cursor") or {}
    phase, start = int(cursor.get("phase", 0)), cursor.get("start")
    visited, changed = job.progress.done, int(cursor.get("changed", 0))
    retention = None
    phases = restamp.phases(job.org_id)
    while phase < len(phases):
        retention = restamp.current_setting(job.org_id, job.id)
        if retention is None:  # a newer change (or the org's deletion) took over
            finish_job(job.org_id, job.id, "cancelled", result={"changed": changed, "superseded": True})
            return
        listing, stamp = phases[phase]
        page, start = table.query(listing, index="GSI2", limit=restamp.PAGE, start_key=start)
        for item in page:
            changed += stamp(job.org_id, item, retention)
        visited += len(page)
        if not report_progress(job.org_id, job.id, {"done": visited, "total": None}):
            return  # cancelled
        if not start:
            phase += 1
        if phase < len(phases) and time_left() < STOP_MARGIN_SECONDS:
            _continue(job, body, cursor={"phase": phase, "start": start, "changed": changed})
            return
    result = {"changed": changed, "retentionDays": retention.days if retention else None}
    finish_job(job.org_id, job.id, "succeeded", result=result, progress={"done": visited, "total": visited})
    logger.info("retention re-stamped", extra={"org_id": job.org_id, **result})


def run_erasure(job: Job, body: dict[str, Any], time_left: TimeLeft) -> None:
    # imported here: erasing an org reaches every kind of item (accounts, keys, traces, sessions),
    # ~100 ms of imports a worker re-stamping retention never needs
    from grounded_core.lifecycle import org_erasure

    erasure = org_erasure.Erasure.resumed(job.org_id, job.id, body.get("carried"))
    if not org_erasure.erase_org(erasure, lambda: time_left() < STOP_MARGIN_SECONDS):
        report_progress(job.org_id, job.id, {"done": erasure.deleted, "total": None})
        _continue(job, body, carried=erasure.carried())
        return
    erasure.deleted += org_erasure.erase_last(job.org_id, job.id)
    logger.info("org erased", extra={"org_id": job.org_id, "items": erasure.deleted})


RUNNERS: dict[str, Callable[[Job, dict[str, Any], TimeLeft], None]] = {
    "restamp": run_restamp,
    "erase_org": run_erasure,
}
