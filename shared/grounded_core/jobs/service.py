"""Job lifecycle. Every status change is a conditional update on the status it expects, so a
cancelled job is never revived by a worker that was still running, and a job finishes once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from grounded_core.clock import iso, utc_now
from grounded_core.errors import Conflict, NotFound
from grounded_core.identity.principal import Principal
from grounded_core.ids import new_id
from grounded_core.jobs.models import Job, JobStatus
from grounded_core.pagination import Page, PageRequest
from grounded_core.store import keys, table
from grounded_core.store.conditions import ConditionFailed, absent, exists, lt, matching
from grounded_core.store.listing import query_page


def create_job(
    org_id: str, job_type: str, now: datetime | None = None, job_id: str | None = None, **refs: str | None
) -> Job:
    """A queued job (``job_id`` when the caller named it before, say in the write that starts it)."""
    job = Job(id=job_id or new_id("job"), org_id=org_id, type=job_type, created_at=iso(now or utc_now()), **refs)
    table.put(job.to_item(), when=absent())
    return job


def find_job(org_id: str, job_id: str) -> Job | None:
    item = table.get(keys.job(org_id, job_id), keys.JOB_SK, consistent=True)
    return Job.from_item(item) if item else None


def get_job(principal: Principal, job_id: str) -> Job:
    job = find_job(principal.org_id, job_id)
    if job is None:
        raise NotFound(f"No job {job_id}.", code="job_not_found")
    if job.agent_id:
        principal.require_agent(job.agent_id)
    return job


def list_jobs(
    principal: Principal, page: PageRequest, job_type: str | None, status: str | None, connector_id: str | None
) -> Page[Job]:
    """Newest first."""
    where = matching(type=job_type, status=status, connectorId=connector_id, agentId=principal.agent_id)
    return query_page(
        Job, page, keys.org(principal.org_id), keys.JOB_PREFIX, index="GSI1", newest_first=True, where=where
    )


def _transition(
    org_id: str, job_id: str, expected: tuple[JobStatus, ...], status: JobStatus, fields: dict[str, Any]
) -> Job | None:
    """Move a job to ``status`` (setting ``fields``) only from one of the ``expected`` statuses;
    ``None`` when it was in none of them (or is gone)."""
    item = table.compare_and_set(
        keys.job(org_id, job_id), keys.JOB_SK, "status", expected, {"status": status, **fields}
    )
    return Job.from_item(item) if item else None


def report_progress(org_id: str, job_id: str, progress: dict[str, int | None]) -> bool:
    """Record a running job's progress; ``False`` when it is no longer running (cancelled)."""
    return _transition(org_id, job_id, ("running",), "running", {"progress": progress}) is not None


def cancel_job(principal: Principal, job_id: str, now: datetime | None = None) -> Job:
    get_job(principal, job_id)
    fields = {"finishedAt": iso(now or utc_now())}
    cancelled = _transition(principal.org_id, job_id, ("queued", "running"), "cancelled", fields)
    if cancelled is None:
        status = get_job(principal, job_id).status
        message = f"The job is {status}; only a queued or running job can be cancelled."
        raise Conflict(message, code="job_not_active")
    return cancelled


def start_job(org_id: str, job_id: str, now: datetime | None = None) -> Job | None:
    """queued -> running; ``None`` when the job is no longer queued (cancelled, or started already)."""
    return _transition(org_id, job_id, ("queued",), "running", {"startedAt": iso(now or utc_now())})


def claim_job(org_id: str, job_id: str, lease_until: datetime, now: datetime | None = None) -> Job | None:
    """Take a queued or running job for one worker until ``lease_until`` (it becomes running).
    ``None`` when the job is over, or another worker holds it: a duplicate message does nothing."""
    moment = iso(now or utc_now())
    item = table.compare_and_set(
        keys.job(org_id, job_id),
        keys.JOB_SK,
        "status",
        ("queued", "running"),
        {"status": "running", "leaseUntil": iso(lease_until)},
        set_if_absent={"startedAt": moment},
        also=absent("leaseUntil") | lt("leaseUntil", moment),  # nobody else holds it
    )
    return Job.from_item(item) if item else None


def release_job(org_id: str, job_id: str) -> None:
    """Give up a claim, so the next delivery of the job's message can take it at once."""
    try:
        table.update(keys.job(org_id, job_id), keys.JOB_SK, remove=["leaseUntil"], when=exists())
    except ConditionFailed:
        return  # gone: nothing to release


def finish_job(
    org_id: str,
    job_id: str,
    status: JobStatus,
    result: dict[str, Any] | None = None,
    error: str | None = None,
    progress: dict[str, int | None] | None = None,
    now: datetime | None = None,
    expected: tuple[JobStatus, ...] = ("running",),
) -> Job | None:
    """running (or ``expected``) -> succeeded | failed; ``None`` when it was cancelled meanwhile."""
    fields: dict[str, Any] = {"finishedAt": iso(now or utc_now()), "result": result, "error": error}
    if progress is not None:
        fields["progress"] = progress
    return _transition(org_id, job_id, expected, status, fields)
