"""The authorization matrix: every route of the template by every kind of caller that must be
refused, with the exact status. The expected status comes from the route's rule in the access
table, so a route added without a rule fails here (KeyError), and a rule that stops refusing
someone it should fails too."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from grounded_core.http.access import ROUTE_ACCESS, Access
from grounded_core.identity.principal import ADMIN_SCOPE, PUBLISHABLE_SCOPES, READ_SCOPES
from local.template import load_template
from tests.support.identity import Account, bearer, create_agent, create_key, join_with_role
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
ONLY_SCOPE = "sessions:read"  # the one scope of the "secret key without the scope" caller


def _route_rule(method: str, path: str) -> Access:
    """The access rule for a template route (``{agentId}`` in the template, ``{agent_id}`` in code)."""
    snake = re.sub(r"\{(\w+)\}", lambda m: "{" + re.sub(r"(?<!^)([A-Z])", r"_\1", m.group(1)).lower() + "}", path)
    return ROUTE_ACCESS[f"{method} {snake}"]


ROUTES = sorted(
    {(r.method, r.path) for r in load_template(ROOT / "template.yaml").http_routes() if r.path != "$default"}
)


def expected(rule: Access, caller: str) -> int | None:
    """The status a refused caller gets, or ``None`` when the rule lets it through."""
    if rule.public:
        return None
    if caller in ("none", "bad", "expired", "revoked"):
        return 401
    if caller == "publishable":
        allowed = "publishable_key" in rule.kinds and (rule.scope is None or rule.scope in PUBLISHABLE_SCOPES)
        return None if allowed else 403
    if caller == "unscoped":
        return 403 if rule.scope not in (None, ONLY_SCOPE) else None
    if caller == "viewer":
        return 403 if rule.scope is not None and rule.scope not in READ_SCOPES else None
    if caller == "member":
        return 403 if rule.scope == ADMIN_SCOPE else None
    if caller == "agent_scoped":
        return 403 if rule.org_wide else None
    raise AssertionError(caller)


@pytest.fixture(scope="module")
def callers(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> dict[str, dict[str, str]]:
    expires = datetime.now(UTC) + timedelta(seconds=2)
    expiring = create_key(api, owner, name="expiring", expiresAt=expires.isoformat())
    revoked = create_key(api, owner, name="revoked")
    assert api.delete(f"/api/keys/{revoked['id']}", headers=owner.headers).status_code == 200
    made = {
        "none": {},
        "bad": bearer("sk_live_" + "0" * 40),
        "expired": bearer(expiring["key"]),
        "revoked": bearer(revoked["key"]),
        "publishable": bearer(create_key(api, owner, name="pk", kind="publishable", agentId=agent["id"])["key"]),
        "unscoped": bearer(create_key(api, owner, name="narrow", scopes=[ONLY_SCOPE])["key"]),
        "viewer": join_with_role(api, owner, "VIEWER").headers,
        "member": join_with_role(api, owner, "MEMBER").headers,
        "agent_scoped": bearer(
            create_key(api, owner, name="one agent", agentId=create_agent(api, owner.headers)["id"])["key"]
        ),
    }
    # the expiring key is never used before it expires (so the authorizer never cached it as valid)
    wait_until(lambda: datetime.now(UTC) > expires + timedelta(milliseconds=100), timeout=10, what="the key to expire")
    return made


def concrete(path: str) -> str:
    return re.sub(r"\{\w+\}", "x_nope", path)


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_every_route_refuses_whom_its_rule_refuses(
    api: httpx.Client, callers: dict[str, dict[str, str]], method: str, path: str
) -> None:
    rule = _route_rule(method, path)
    body = {} if method in ("POST", "PUT", "PATCH") else None
    for caller, headers in callers.items():
        status = expected(rule, caller)
        if status is None:
            continue
        response = api.request(method, concrete(path), json=body, headers=headers)
        assert response.status_code == status, (caller, response.text)
        assert {"error", "code"} <= set(response.json()), (caller, response.text)  # the contract's body


def test_the_matrix_covers_every_route() -> None:
    assert len(ROUTES) >= 80
    for method, path in ROUTES:
        _route_rule(method, path)  # a route without a rule raises here
