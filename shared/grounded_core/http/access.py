"""Who may call which route: the one declarative table, and the dependency that enforces it.

Every route of every function must have an entry here; a route without one refuses everyone
(and a unit test fails), so a new route is never open by accident.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request

from grounded_core.errors import Forbidden
from grounded_core.identity.principal import ADMIN_SCOPE, Credential, Principal, PrincipalKind

USERS_AND_SECRET_KEYS: frozenset[PrincipalKind] = frozenset({"user", "secret_key"})
ANY_PRINCIPAL: frozenset[PrincipalKind] = frozenset({"user", "secret_key", "publishable_key"})
ORG_HEADER = "x-grounded-org"


@dataclass(frozen=True)
class Access:
    public: bool = False
    scope: str | None = None
    kinds: frozenset[PrincipalKind] = field(default=USERS_AND_SECRET_KEYS)
    #: about the whole org (its members, keys, settings): never for a key limited to one agent
    org_wide: bool = False
    #: about the signed-in user's own account, which needs no org (a user of none may still use it)
    account: bool = False


PUBLIC = Access(public=True)
SIGNED_IN = Access()
#: for a signed-in user acting in an org, never for an API key
USER_ONLY = Access(kinds=frozenset({"user"}))
#: about the signed-in user's own account (needs no org): never for an API key
ACCOUNT = Access(kinds=frozenset({"user"}), account=True)
ADMIN = Access(scope=ADMIN_SCOPE, org_wide=True)
ORG_MEMBERS = Access(org_wide=True)


def needs(scope: str, *, publishable: bool = False) -> Access:
    return Access(scope=scope, kinds=ANY_PRINCIPAL if publishable else USERS_AND_SECRET_KEYS)


#: The path of the HTTP API's ``$default`` route in the function that serves it: whatever no other
#: route matches (answered with a JSON 404).
UNROUTED = "/{path:path}"
UNROUTED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

ROUTE_ACCESS: dict[str, Access] = {
    "GET /api/health": PUBLIC,
    **{f"{method} {UNROUTED}": PUBLIC for method in UNROUTED_METHODS},
    "GET /api/openapi.json": PUBLIC,
    # identity
    "POST /api/auth/signup": PUBLIC,
    "POST /api/auth/login": PUBLIC,
    "POST /api/auth/logout": PUBLIC,
    "POST /api/invites/{token}/accept": PUBLIC,
    "POST /api/auth/password-reset": PUBLIC,
    "POST /api/auth/password-reset/confirm": PUBLIC,
    "POST /api/auth/logout-all": ACCOUNT,
    "POST /api/auth/password": ACCOUNT,  # a new user has no credential; a logged-in one sends a token
    "DELETE /api/me": ACCOUNT,
    "DELETE /api/org": USER_ONLY,  # and only an OWNER (checked by the service: keys have no role)
    "GET /api/me": SIGNED_IN,
    "GET /api/org": SIGNED_IN,
    "PATCH /api/org": ADMIN,
    "GET /api/members": ORG_MEMBERS,
    "PATCH /api/members/{user_id}": ADMIN,
    "DELETE /api/members/{user_id}": ADMIN,
    "POST /api/invites": ADMIN,
    "GET /api/invites": ADMIN,
    "DELETE /api/invites/{invite_id}": ADMIN,
    "POST /api/keys": ADMIN,
    "GET /api/keys": ADMIN,
    "DELETE /api/keys/{key_id}": ADMIN,
    "POST /api/keys/{key_id}/rotate": ADMIN,
    # agents and snapshots
    "POST /api/agents": needs("agents:write"),
    "GET /api/agents": needs("agents:read"),
    "GET /api/agents/{agent_id}": needs("agents:read"),
    "PATCH /api/agents/{agent_id}": needs("agents:write"),
    "DELETE /api/agents/{agent_id}": needs("agents:write"),
    "POST /api/agents/{agent_id}/snapshots": needs("agents:write"),
    "GET /api/agents/{agent_id}/snapshots": needs("agents:read"),
    "GET /api/snapshots/{snapshot_id}": needs("agents:read"),
    "PUT /api/agents/{agent_id}/baseline": needs("agents:write"),
    # ingestion
    "POST /api/traces": needs("traces:write", publishable=True),
    "POST /api/traces/batch": needs("traces:write", publishable=True),
    "GET /api/traces/{trace_id}": needs("traces:read"),
    "GET /api/traces": needs("traces:read"),
    "POST /api/telemetry": needs("telemetry:write", publishable=True),
    "POST /api/otel/v1/traces": needs("traces:write", publishable=True),
    # sessions
    "POST /api/sessions": needs("sessions:write"),
    "GET /api/sessions": needs("sessions:read"),
    "GET /api/sessions/{session_id}": needs("sessions:read"),
    "GET /api/sessions/{session_id}/timeline": needs("sessions:read"),
    "POST /api/sessions/{session_id}/turns": needs("sessions:write"),
    "POST /api/sessions/{session_id}/end": needs("sessions:write"),
    "DELETE /api/sessions/{session_id}": needs("sessions:write"),
    # jobs (never for publishable keys)
    "GET /api/jobs": needs("jobs:read"),
    "GET /api/jobs/{job_id}": needs("jobs:read"),
    "POST /api/jobs/{job_id}/cancel": needs("jobs:write"),
    # connectors
    "POST /api/connectors": needs("connectors:write"),
    "GET /api/connectors": needs("connectors:read"),
    "GET /api/connectors/{connector_id}": needs("connectors:read"),
    "PATCH /api/connectors/{connector_id}": needs("connectors:write"),
    "DELETE /api/connectors/{connector_id}": needs("connectors:write"),
    "POST /api/connectors/{connector_id}/connect": needs("connectors:write"),
    "POST /api/connectors/{connector_id}/disconnect": needs("connectors:write"),
    "POST /api/connectors/{connector_id}/sync": needs("connectors:write"),
    # evals
    "POST /api/evals/suites": needs("evals:write"),
    "GET /api/evals/suites": needs("evals:read"),
    "GET /api/evals/suites/{suite_id}": needs("evals:read"),
    "PATCH /api/evals/suites/{suite_id}": needs("evals:write"),
    "DELETE /api/evals/suites/{suite_id}": needs("evals:write"),
    "POST /api/evals/suites/{suite_id}/cases": needs("evals:write"),
    "GET /api/evals/suites/{suite_id}/cases": needs("evals:read"),
    "POST /api/evals/suites/{suite_id}/cases/from-trace": needs("evals:write"),  # and traces:read
    "PATCH /api/evals/cases/{case_id}": needs("evals:write"),
    "DELETE /api/evals/cases/{case_id}": needs("evals:write"),
    "GET /api/evals/templates": needs("evals:read"),
    "POST /api/evals/suites/{suite_id}/import": needs("evals:write"),
    "POST /api/evals/runs": needs("evals:write"),
    "GET /api/evals/runs": needs("evals:read"),
    "GET /api/evals/runs/{run_id}": needs("evals:read"),
    "POST /api/evals/runs/{run_id}/results": needs("evals:write"),
    "GET /api/evals/runs/{run_id}/results": needs("evals:read"),
    "POST /api/evals/runs/{run_id}/cancel": needs("evals:write"),
    "GET /api/evals/runs/{run_id}/compare/{other_run_id}": needs("evals:read"),
    # drift, analytics, policies, insights
    "GET /api/drift/reports": needs("analytics:read"),
    "GET /api/drift/reports/{report_id}": needs("analytics:read"),
    "POST /api/agents/{agent_id}/drift": needs("agents:write"),
    "GET /api/analytics/overview": needs("analytics:read"),
    "GET /api/insights": needs("analytics:read"),
    "POST /api/policies": needs("agents:write"),
    "GET /api/policies": needs("agents:read"),
    "GET /api/policies/{policy_id}": needs("agents:read"),
    "PATCH /api/policies/{policy_id}": needs("agents:write"),
    "DELETE /api/policies/{policy_id}": needs("agents:write"),
    # model providers for LLM judges (org-wide settings; the key is write-only)
    "GET /api/providers": ORG_MEMBERS,
    "GET /api/providers/{name}": ORG_MEMBERS,
    "PUT /api/providers/{name}": ADMIN,
    "DELETE /api/providers/{name}": ADMIN,
    "POST /api/evaluators": needs("evals:write"),
    "GET /api/evaluators": needs("evals:read"),
    "GET /api/evaluators/{evaluator_id}": needs("evals:read"),
    "PATCH /api/evaluators/{evaluator_id}": needs("evals:write"),
    "DELETE /api/evaluators/{evaluator_id}": needs("evals:write"),
    # alerts
    "POST /api/alerts": needs("agents:write"),
    "GET /api/alerts": needs("agents:read"),
    "GET /api/alerts/{alert_id}": needs("agents:read"),
    "PATCH /api/alerts/{alert_id}": needs("agents:write"),
    "DELETE /api/alerts/{alert_id}": needs("agents:write"),
    "GET /api/alerts/{alert_id}/deliveries": needs("agents:read"),
    "POST /api/alerts/{alert_id}/test": needs("agents:write"),
    # scores and feedback (a publishable key: its end users' feedback on its agent's traces)
    "POST /api/scores": needs("scores:write", publishable=True),
    "GET /api/scores": needs("scores:read"),
    # pricing
    "GET /api/pricing": needs("analytics:read"),
    "PUT /api/pricing/{model_prefix}": ADMIN,
    "DELETE /api/pricing/{model_prefix}": ADMIN,
}


def route_key(request: Request) -> str:
    route = request.scope.get("route")
    return f"{request.method} {getattr(route, 'path', request.url.path)}"


def _authorizer_context(request: Request) -> dict[str, Any]:
    event = request.scope.get("aws.event") or {}
    return ((event.get("requestContext") or {}).get("authorizer") or {}).get("lambda") or {}


def principal_of(request: Request, org_required: bool = True) -> Principal:
    """Who is calling, in the org it acts in (from the authorizer's context and the org header);
    a credential that resolved to no one, or a user naming an org they are not in, raises 401."""
    credential = Credential.from_context(_authorizer_context(request))
    return credential.principal(request.headers.get(ORG_HEADER), org_required=org_required)


def enforce_access(request: Request, rules: dict[str, Access]) -> None:
    """Check the route's rule and leave the principal on ``request.state``."""
    access = rules.get(route_key(request))
    if access is None:
        raise Forbidden("This route has no access rule.", code="no_access_rule")
    if access.public:
        request.state.principal = None
        return
    principal = principal_of(request, org_required=not access.account)
    if principal.kind not in access.kinds:
        message = (
            "Publishable keys may only send telemetry and traces."
            if principal.kind == "publishable_key"
            else ("This route is not for this kind of credential.")
        )
        raise Forbidden(message, code="wrong_credential_kind")
    if access.scope:
        principal.require_scope(access.scope)
    if access.org_wide and principal.agent_id is not None:
        raise Forbidden("A key limited to one agent cannot see or manage the whole org.", code="agent_scope")
    request.state.principal = principal


def access_guard(rules: dict[str, Access]) -> Callable[[Request], Awaitable[None]]:
    """The app-wide dependency :func:`make_app` installs."""

    async def guard(request: Request) -> None:
        enforce_access(request, rules)

    return guard


async def caller(request: Request) -> Principal:
    """Route dependency: the principal ``enforce_access`` established."""
    principal = getattr(request.state, "principal", None)
    if principal is None:
        raise Forbidden("This route has no caller.", code="no_principal")
    return principal  # type: ignore[no-any-return]


#: Route parameter type for the caller: ``def route(principal: Caller)``.
Caller = Annotated[Principal, Depends(caller)]
