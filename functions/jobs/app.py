"""Jobs: list, read, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from grounded_core.http.access import Caller
from grounded_core.http.app import make_app, make_handler
from grounded_core.http.paging import Paging
from grounded_core.http.routes import Routes
from grounded_core.jobs import service
from grounded_core.jobs.models import Job
from grounded_core.pagination import Page

router = Routes(prefix="/api")


@router.get("/jobs", response_model=Page[Job])
async def list_jobs(
    principal: Caller,
    page: Paging,
    job_type: Annotated[str | None, Query(alias="type")] = None,
    status: Annotated[str | None, Query(pattern="^(queued|running|succeeded|failed|cancelled)$")] = None,
    connector_id: Annotated[str | None, Query(alias="connectorId")] = None,
) -> Page[Job]:
    return service.list_jobs(principal, page, job_type, status, connector_id)


@router.get("/jobs/{job_id}", response_model=Job)
async def get_job(job_id: str, principal: Caller) -> Job:
    return service.get_job(principal, job_id)


@router.post("/jobs/{job_id}/cancel", response_model=Job)
async def cancel_job(job_id: str, principal: Caller) -> Job:
    return service.cancel_job(principal, job_id)


app = make_app(router, title="Grounded jobs")
handler = make_handler(app)
