"""Job lifecycle. Every status change is a conditional update on the status it expects, so a
cancelled job is never revived by a worker that was still running, and a job finishes once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Attr

from grounded_core.clock import iso, utc_now
from grounded_core.errors import Conflict, NotFound
from grounded_core.identity.principal import Principal
from grounded_core.ids import new_id
from grounded_core.jobs.models import Job, JobStatus
from grounded_core.pagination import Page, PageRequest
from grounded_core.store import keys, table
from grounded_core.store.listing import all_of, query_page


def create_job(org_id: str, job_type: str, now: datetime | None = None, **refs: str | None) -> Job:
    job = Job(id=new_id("job"), org_id=org_id, type=job_type, created_at=iso(now or utc_now()), **refs)
    table.put(job.to_item(), condition="attribute_not_exists(PK)")
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
    filters = [
        Attr(name).eq(value)
        for name, value in (
            ("type", job_type),
            ("status", status),
            ("connectorId", connector_id),
            ("agentId", principal.agent_id),
        )
        if value
    ]
    return query_page(
        Job, page, keys.org(principal.org_id), keys.JOB_PREFIX, index="GSI1", newest_first=True, filter=all_of(filters)
    )


def _transition(
    org_id: str, job_id: str, expected: tuple[JobStatus, ...], status: JobStatus, conflict: str, fields: dict[str, Any]
) -> Job:
    """Move a job to ``status`` (setting ``fields``) only from one of the ``expected`` statuses."""
    names = {"#s": "status", **{f"#f{n}": name for n, name in enumerate(fields)}}
    values = {":status": status, **{f":f{n}": value for n, value in enumerate(fields.values())}}
    values.update({f":e{n}": state for n, state in enumerate(expected)})
    sets = ", ".join(["#s = :status", *(f"#f{n} = :f{n}" for n in range(len(fields)))])
    allowed = ", ".join(f":e{n}" for n in range(len(expected)))
    item = table.update(
        keys.job(org_id, job_id),
        keys.JOB_SK,
        f"SET {sets}",
        values,
        names,
        condition=f"attribute_exists(PK) AND #s IN ({allowed})",
        conflict=conflict,
    )
    return Job.from_item(item)


def report_progress(org_id: str, job_id: str, progress: dict[str, int | None]) -> bool:
    """Record a running job's progress; ``False`` when it is no longer running (cancelled)."""
    try:
        _transition(org_id, job_id, ("running",), "running", "not running", {"progress": progress})
    except Conflict:
        return False
    return True


def cancel_job(principal: Principal, job_id: str, now: datetime | None = None) -> Job:
    job = get_job(principal, job_id)
    try:
        message = f"The job is {job.status}; only a queued or running job can be cancelled."
        fields = {"finishedAt": iso(now or utc_now())}
        return _transition(principal.org_id, job_id, ("queued", "running"), "cancelled", message, fields)
    except Conflict as conflict:
        raise Conflict(conflict.message, code="job_not_active") from None


def start_job(org_id: str, job_id: str, now: datetime | None = None) -> Job | None:
    """queued -> running; ``None`` when the job is no longer queued (cancelled, or started already)."""
    try:
        return _transition(org_id, job_id, ("queued",), "running", "not queued", {"startedAt": iso(now or utc_now())})
    except Conflict:
        return None


def claim_job(org_id: str, job_id: str, lease_until: datetime, now: datetime | None = None) -> Job | None:
    """Take a queued or running job for one worker until ``lease_until`` (it becomes running).
    ``None`` when the job is over, or another worker holds it: a duplicate message does nothing."""
    moment = iso(now or utc_now())
    try:
        item = table.update(
            keys.job(org_id, job_id),
            keys.JOB_SK,
            "SET #s = :running, startedAt = if_not_exists(startedAt, :now), leaseUntil = :until",
            {":running": "running", ":queued": "queued", ":now": moment, ":until": iso(lease_until)},
            {"#s": "status"},
            condition="attribute_exists(PK) AND #s IN (:queued, :running) "
            "AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)",
        )
    except Conflict:
        return None
    return Job.from_item(item)


def release_job(org_id: str, job_id: str) -> None:
    """Give up a claim, so the next delivery of the job's message can take it at once."""
    table.update(keys.job(org_id, job_id), keys.JOB_SK, "REMOVE leaseUntil", condition="attribute_exists(PK)")


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
    try:
        return _transition(org_id, job_id, expected, status, "not running", fields)
    except Conflict:
        return None
