"""Traces left unresolved (no snapshot for their agent yet) queued again once the agent has one:
the normalize worker's ``renormalize`` message, run as a job. Imported only for that message."""

from __future__ import annotations

from grounded_core.ingest.service import queue_traces
from grounded_core.jobs.service import find_job, finish_job, start_job
from grounded_core.store import keys, table


def renormalize_agent(org_id: str, agent_id: str, job_id: str | None = None) -> int:
    """Queue every unresolved trace of the agent again (it has a snapshot now), as a job."""
    if job_id and start_job(org_id, job_id) is None:
        job = find_job(org_id, job_id)
        if job is None or job.status != "running":
            return 0  # cancelled, or finished by an earlier delivery
    markers = table.query_all(keys.agent_partition(org_id, agent_id), keys.UNRESOLVED_PREFIX)
    trace_ids = [marker["traceId"] for marker in markers]
    queue_traces(org_id, trace_ids)
    if job_id:
        count = len(trace_ids)
        finish_job(org_id, job_id, "succeeded", result={"requeued": count}, progress={"done": count, "total": count})
    return len(trace_ids)
