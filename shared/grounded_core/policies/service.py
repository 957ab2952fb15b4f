"""Policies API. A policy belongs to an agent; an agent-scoped key sees only its agent's."""

from __future__ import annotations

from datetime import datetime

from grounded_core.agents.service import get_agent
from grounded_core.clock import iso, utc_now
from grounded_core.errors import NotFound
from grounded_core.identity.principal import Principal
from grounded_core.ids import new_id
from grounded_core.pagination import Page, PageRequest
from grounded_core.policies.models import Policy, PolicyCreate, PolicyPatch
from grounded_core.store import keys, table
from grounded_core.store.conditions import absent, matching
from grounded_core.store.listing import query_page
from grounded_core.store.versioned import update_versioned


def create_policy(principal: Principal, request: PolicyCreate, now: datetime | None = None) -> Policy:
    get_agent(principal, request.agent_id)
    created = iso(now or utc_now())
    policy = Policy(
        id=new_id("pol"), org_id=principal.org_id, created_at=created, updated_at=created, **request.model_dump()
    )
    table.put(policy.to_item(), when=absent())
    return policy


def get_policy(principal: Principal, policy_id: str) -> Policy:
    found, _ = table.query(keys.org(principal.org_id), keys.policy(policy_id), index="GSI1", limit=1)
    if not found or found[0]["id"] != policy_id:
        raise NotFound(f"No policy {policy_id}.", code="policy_not_found")
    policy = Policy.from_item(found[0])
    principal.require_agent(policy.agent_id)
    return policy


def list_policies(principal: Principal, page: PageRequest, agent_id: str | None) -> Page[Policy]:
    agent = principal.agent_filter(agent_id)
    where = matching(agentId=agent)
    return query_page(Policy, page, keys.org(principal.org_id), keys.POLICY_PREFIX, index="GSI1", where=where)


def update_policy(principal: Principal, policy_id: str, patch: PolicyPatch, now: datetime | None = None) -> Policy:
    changes = {**patch.model_dump(exclude_unset=True), "updated_at": iso(now or utc_now())}
    return update_versioned(Policy, lambda: get_policy(principal, policy_id), lambda policy: policy.patched(changes))


def delete_policy(principal: Principal, policy_id: str) -> None:
    policy = get_policy(principal, policy_id)
    table.delete(keys.agent_partition(principal.org_id, policy.agent_id), keys.policy(policy.id))
