"""Suites, their cases, and template imports. Keys come from the caller's org: another org's suite
or case is a 404; an agent-scoped key touching another agent's suite is a 403."""

from __future__ import annotations

from datetime import datetime

from grounded_core.agents.service import get_agent
from grounded_core.clock import iso, utc_now
from grounded_core.errors import Conflict, NotFound
from grounded_core.evals.models import Case, CaseIn, CasePatch, Suite, SuiteCreate, SuitePatch, TemplateImport
from grounded_core.evals.templates import templates
from grounded_core.identity.principal import Principal
from grounded_core.ids import new_id
from grounded_core.pagination import Page, PageRequest
from grounded_core.store import keys, table
from grounded_core.store.conditions import ConditionFailed, absent
from grounded_core.store.listing import query_page
from grounded_core.store.versioned import update_versioned


def create_suite(principal: Principal, request: SuiteCreate, now: datetime | None = None) -> Suite:
    get_agent(principal, request.agent_id)
    created = iso(now or utc_now())
    suite = Suite(
        id=new_id("sui"), org_id=principal.org_id, created_at=created, updated_at=created, **request.model_dump()
    )
    table.put(suite.to_item(), when=absent())
    return suite


def find_suite(org_id: str, suite_id: str) -> Suite | None:
    item = table.get(keys.suite(org_id, suite_id), keys.SUITE_SK)
    return Suite.from_item(item) if item else None


def get_suite(principal: Principal, suite_id: str) -> Suite:
    suite = find_suite(principal.org_id, suite_id)
    if suite is None:
        raise NotFound(f"No suite {suite_id}.", code="suite_not_found")
    principal.require_agent(suite.agent_id)
    return suite


def list_suites(principal: Principal, page: PageRequest, agent_id: str | None) -> Page[Suite]:
    """Newest first; by agent (an agent-scoped key sees its agent's only)."""
    agent = principal.agent_filter(agent_id)
    pk, index = (
        (keys.agent_partition(principal.org_id, agent), "GSI1")
        if agent
        else (keys.org_suites(principal.org_id), "GSI2")
    )
    return query_page(Suite, page, pk, keys.SUITE_PREFIX, index=index, newest_first=True)


def update_suite(principal: Principal, suite_id: str, patch: SuitePatch, now: datetime | None = None) -> Suite:
    changes = {**patch.model_dump(exclude_unset=True), "updated_at": iso(now or utc_now())}
    return update_versioned(Suite, lambda: get_suite(principal, suite_id), lambda suite: suite.patched(changes))


def delete_suite(principal: Principal, suite_id: str) -> None:
    """The suite, its cases and template markers (runs keep their own copy of their cases)."""
    get_suite(principal, suite_id)
    items = table.query_all(keys.suite(principal.org_id, suite_id))
    table.batch_delete([(item["PK"], item["SK"]) for item in items])


# ---------------------------------------------------------------- cases


def new_case(org_id: str, suite_id: str, case: CaseIn, created: str, template_id: str | None = None) -> Case:
    return Case(
        id=new_id("cas"),
        org_id=org_id,
        suite_id=suite_id,
        created_at=created,
        template_id=template_id,
        **case.model_dump(by_alias=False),
    )


def add_cases(principal: Principal, suite_id: str, cases: list[CaseIn], now: datetime | None = None) -> list[Case]:
    get_suite(principal, suite_id)
    created = iso(now or utc_now())
    made = [new_case(principal.org_id, suite_id, case, created) for case in cases]
    table.batch_put(case.to_item() for case in made)
    return made


def suite_cases(org_id: str, suite_id: str) -> list[Case]:
    return Case.load_all(table.query_all(keys.suite(org_id, suite_id), keys.CASE_PREFIX))


def list_cases(principal: Principal, suite_id: str, page: PageRequest) -> Page[Case]:
    get_suite(principal, suite_id)
    return query_page(Case, page, keys.suite(principal.org_id, suite_id), keys.CASE_PREFIX)


def _case(principal: Principal, case_id: str) -> Case:
    found, _ = table.query(keys.case_lookup(principal.org_id, case_id), index="GSI2", limit=1)
    if not found:
        raise NotFound(f"No case {case_id}.", code="case_not_found")
    case = Case.from_item(found[0])
    get_suite(principal, case.suite_id)
    return case


def update_case(principal: Principal, case_id: str, patch: CasePatch) -> Case:
    changes = {name: getattr(patch, name) for name in patch.model_fields_set}
    return update_versioned(Case, lambda: _case(principal, case_id), lambda case: case.patched(changes))


def delete_case(principal: Principal, case_id: str) -> None:
    case = _case(principal, case_id)
    table.delete(keys.suite(principal.org_id, case.suite_id), keys.case(case.id))


# ---------------------------------------------------------------- templates


def import_template(principal: Principal, suite_id: str, template_id: str, now: datetime | None = None) -> int:
    """The template's cases into the suite, once: the marker's conditional put makes a second
    import of the same template a 409."""
    template = templates().get(template_id)
    if template is None:
        raise NotFound(f"No template {template_id}.", code="template_not_found")
    get_suite(principal, suite_id)
    created = iso(now or utc_now())
    marker = TemplateImport(org_id=principal.org_id, suite_id=suite_id, template_id=template_id, imported_at=created)
    try:
        table.put(marker.to_item(), when=absent())
    except ConditionFailed:
        raise Conflict(f"Template {template_id} is already in this suite.", code="template_already_imported") from None
    made = [new_case(principal.org_id, suite_id, case, created, template_id) for case in template.cases]
    table.batch_put(case.to_item() for case in made)
    return len(made)
