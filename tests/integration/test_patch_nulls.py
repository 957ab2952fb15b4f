"""One request never breaks a resource for good (issue 13, item 2): on every PATCH route, null
for any field (alone, or all at once) is either a valid change or a 422 naming the field — and
afterwards the resource and the list that holds it still read as 200."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.support.connectors import LANGSMITH, create_connector
from tests.support.identity import Account, join_with_role

Made = tuple[str, str, list[str]]  # (resource path, list path, fields of its PATCH)


def make_agent(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> Made:
    return f"/api/agents/{agent['id']}", "/api/agents", ["name", "description", "driftThreshold"]


def make_connector(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> Made:
    made = create_connector(api, owner.headers, agent["id"], "langsmith", LANGSMITH)
    return f"/api/connectors/{made['id']}", "/api/connectors", ["name", "config", "schedule"]


def make_suite(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> Made:
    made = api.post("/api/evals/suites", json={"agentId": agent["id"], "name": "s"}, headers=owner.headers).json()
    return f"/api/evals/suites/{made['id']}", "/api/evals/suites", ["name", "description"]


def make_case(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> Made:
    suite = api.post("/api/evals/suites", json={"agentId": agent["id"], "name": "s"}, headers=owner.headers).json()
    case = {
        "name": "c",
        "input": "q",
        "expected": "a",
        "assertions": [{"type": "contains", "value": "a"}],
        "tags": ["t"],
    }
    made = api.post(f"/api/evals/suites/{suite['id']}/cases", json=case, headers=owner.headers).json()
    cases = f"/api/evals/suites/{suite['id']}/cases"
    return f"/api/evals/cases/{made['id']}", cases, ["name", "input", "expected", "assertions", "tags"]


def make_policy(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> Made:
    body = {"agentId": agent["id"], "type": "rate_limit", "limit": 1000, "windowSeconds": 60, "per": "agent"}
    made = api.post("/api/policies", json=body, headers=owner.headers).json()
    return f"/api/policies/{made['id']}", "/api/policies", ["limit", "windowSeconds", "per", "enabled"]


def make_org(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> Made:
    return "/api/org", "/api/members", ["name", "slug"]


def make_member(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> Made:
    member = join_with_role(api, owner, "MEMBER")
    return f"/api/members/{member.user['id']}", "/api/members", ["role"]


MAKERS: dict[str, Callable[[httpx.Client, Account, dict[str, Any]], Made]] = {
    "agent": make_agent,
    "connector": make_connector,
    "suite": make_suite,
    "case": make_case,
    "policy": make_policy,
    "org": make_org,
    "member": make_member,
}


def read_back(api: httpx.Client, owner: Account, path: str, listing: str) -> None:
    if not path.startswith(("/api/members/", "/api/evals/cases/")):  # no single GET: the list shows them
        assert api.get(path, headers=owner.headers).status_code == 200, path
    assert api.get(listing, headers=owner.headers).status_code == 200, listing


@pytest.mark.parametrize("resource", sorted(MAKERS))
def test_null_fields_never_break_a_resource(
    api: httpx.Client, owner: Account, agent: dict[str, Any], resource: str
) -> None:
    path, listing, fields = MAKERS[resource](api, owner, agent)
    for body in [{field: None} for field in fields] + [dict.fromkeys(fields)]:
        response = api.patch(path, json=body, headers=owner.headers)
        assert response.status_code in {200, 422}, (body, response.text)
        if response.status_code == 422:
            named = {detail["field"].split(".")[0] for detail in response.json()["details"]}
            assert named <= set(fields), (body, named)
        read_back(api, owner, path, listing)
