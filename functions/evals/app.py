"""Evals: suites, cases, templates, runs and their results."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Query, Response

from grounded_core.evals import runs, suites
from grounded_core.evals.models import (
    Case,
    CaseBatch,
    CaseFromTrace,
    CaseIn,
    CasePatch,
    Result,
    ResultBatch,
    Run,
    RunCreate,
    Suite,
    SuiteCreate,
    SuitePatch,
    Template,
)
from grounded_core.evals.runs import Comparison, SubmitAnswer
from grounded_core.evals.templates import templates
from grounded_core.http.access import Caller
from grounded_core.http.app import make_app, make_handler, validate_body
from grounded_core.http.paging import Paging
from grounded_core.http.routes import Routes
from grounded_core.model import ApiModel
from grounded_core.pagination import Page

router = Routes(prefix="/api/evals")


class TemplateImport(ApiModel):
    template_id: str


@router.post("/suites", status_code=201, response_model=Suite)
async def create_suite(request: SuiteCreate, principal: Caller) -> Suite:
    return suites.create_suite(principal, request)


@router.get("/suites", response_model=Page[Suite])
async def list_suites(
    principal: Caller, page: Paging, agent_id: Annotated[str | None, Query(alias="agentId")] = None
) -> Page[Suite]:
    return suites.list_suites(principal, page, agent_id)


@router.get("/suites/{suite_id}", response_model=Suite)
async def get_suite(suite_id: str, principal: Caller) -> Suite:
    return suites.get_suite(principal, suite_id)


@router.patch("/suites/{suite_id}", response_model=Suite)
async def update_suite(suite_id: str, patch: SuitePatch, principal: Caller) -> Suite:
    return suites.update_suite(principal, suite_id, patch)


@router.delete("/suites/{suite_id}", status_code=204)
async def delete_suite(suite_id: str, principal: Caller) -> Response:
    suites.delete_suite(principal, suite_id)
    return Response(status_code=204)


class Cases(ApiModel):
    cases: list[Case]


class Templates(ApiModel):
    items: list[Template]


class Imported(ApiModel):
    imported: int


@router.post("/suites/{suite_id}/cases", status_code=201, response_model=Case | Cases, response_model_by_alias=True)
async def add_cases(suite_id: str, principal: Caller, body: Annotated[dict[str, Any], Body()]) -> Case | Cases:
    """One case, or ``{cases: [...]}``."""
    if "cases" in body:
        return Cases(cases=suites.add_cases(principal, suite_id, validate_body(CaseBatch, body).cases))
    return suites.add_cases(principal, suite_id, [validate_body(CaseIn, body)])[0]


@router.post("/suites/{suite_id}/cases/from-trace", status_code=201, response_model=Case)
async def add_case_from_trace(suite_id: str, request: CaseFromTrace, principal: Caller) -> Case:
    """A case made of a production trace (or one turn of it), linked back to it. Needs
    ``traces:read`` too."""
    from grounded_core.evals import from_trace  # the trace models: for this route alone, not every cold start

    return from_trace.case_from_trace(principal, suite_id, request)


@router.get("/suites/{suite_id}/cases", response_model=Page[Case])
async def list_cases(suite_id: str, principal: Caller, page: Paging) -> Page[Case]:
    return suites.list_cases(principal, suite_id, page)


@router.patch("/cases/{case_id}", response_model=Case)
async def update_case(case_id: str, patch: CasePatch, principal: Caller) -> Case:
    return suites.update_case(principal, case_id, patch)


@router.delete("/cases/{case_id}", status_code=204)
async def delete_case(case_id: str, principal: Caller) -> Response:
    suites.delete_case(principal, case_id)
    return Response(status_code=204)


@router.get("/templates", response_model=Templates, response_model_by_alias=True)
async def list_templates(principal: Caller) -> Templates:
    return Templates(items=list(templates().values()))


@router.post("/suites/{suite_id}/import", status_code=201, response_model=Imported, response_model_by_alias=True)
async def import_template(suite_id: str, request: TemplateImport, principal: Caller) -> Imported:
    return Imported(imported=suites.import_template(principal, suite_id, request.template_id))


@router.post("/runs", status_code=201, response_model=Run)
async def create_run(request: RunCreate, principal: Caller) -> Run:
    return runs.create_run(principal, request)


@router.get("/runs", response_model=Page[Run])
async def list_runs(
    principal: Caller,
    page: Paging,
    suite_id: Annotated[str | None, Query(alias="suiteId")] = None,
    agent_id: Annotated[str | None, Query(alias="agentId")] = None,
    status: Annotated[str | None, Query(pattern="^(RUNNING|COMPLETED|FAILED|CANCELLED)$")] = None,
) -> Page[Run]:
    return runs.list_runs(principal, page, suite_id, agent_id, status)


@router.get("/runs/{run_id}", response_model=Run)
async def get_run(run_id: str, principal: Caller) -> Run:
    return runs.get_run(principal, run_id)


@router.post("/runs/{run_id}/results", response_model=SubmitAnswer)
async def submit_results(run_id: str, batch: ResultBatch, principal: Caller) -> SubmitAnswer:
    return runs.submit_results(principal, run_id, batch)


@router.get("/runs/{run_id}/results", response_model=Page[Result])
async def list_results(run_id: str, principal: Caller, page: Paging) -> Page[Result]:
    return runs.list_results(principal, run_id, page)


@router.post("/runs/{run_id}/cancel", response_model=Run)
async def cancel_run(run_id: str, principal: Caller) -> Run:
    return runs.cancel_run(principal, run_id)


@router.get("/runs/{run_id}/compare/{other_run_id}", response_model=Comparison)
async def compare(run_id: str, other_run_id: str, principal: Caller) -> Comparison:
    return runs.compare(principal, run_id, other_run_id)


app = make_app(router, title="Grounded evals")
handler = make_handler(app)
