"""Rate-limit policies per agent."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from grounded_core.http.access import Caller
from grounded_core.http.app import make_app, make_handler
from grounded_core.http.paging import Paging
from grounded_core.http.routes import Routes
from grounded_core.pagination import Page
from grounded_core.policies import service
from grounded_core.policies.models import Policy, PolicyCreate, PolicyPatch

router = Routes(prefix="/api")


@router.post("/policies", status_code=201, response_model=Policy)
async def create_policy(request: PolicyCreate, principal: Caller) -> Policy:
    return service.create_policy(principal, request)


@router.get("/policies", response_model=Page[Policy])
async def list_policies(
    principal: Caller, page: Paging, agent_id: Annotated[str | None, Query(alias="agentId")] = None
) -> Page[Policy]:
    return service.list_policies(principal, page, agent_id)


@router.get("/policies/{policy_id}", response_model=Policy)
async def get_policy(policy_id: str, principal: Caller) -> Policy:
    return service.get_policy(principal, policy_id)


@router.patch("/policies/{policy_id}", response_model=Policy)
async def update_policy(policy_id: str, patch: PolicyPatch, principal: Caller) -> Policy:
    return service.update_policy(principal, policy_id, patch)


@router.delete("/policies/{policy_id}", status_code=204)
async def delete_policy(policy_id: str, principal: Caller) -> Response:
    service.delete_policy(principal, policy_id)
    return Response(status_code=204)


app = make_app(router, title="Grounded policies")
handler = make_handler(app)
