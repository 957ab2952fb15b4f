"""Principals, roles and scopes: what a caller is, and what it may do.

The authorizer resolves a credential into a :class:`Principal`'s wire form (the context API
Gateway hands the function); the HTTP layer turns it back into a Principal and checks it against
the route's :class:`Access` rule.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from grounded_core.errors import Forbidden, Unauthorized


class Role(StrEnum):
    OWNER = "OWNER"
    ADMIN = "ADMIN"
    MEMBER = "MEMBER"
    VIEWER = "VIEWER"

    @property
    def rank(self) -> int:
        return {"VIEWER": 0, "MEMBER": 1, "ADMIN": 2, "OWNER": 3}[self.value]

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


READ_SCOPES = frozenset(
    {
        "agents:read",
        "traces:read",
        "sessions:read",
        "connectors:read",
        "jobs:read",
        "evals:read",
        "analytics:read",
        "scores:read",
    }
)
WRITE_SCOPES = frozenset(
    {
        "agents:write",
        "traces:write",
        "sessions:write",
        "telemetry:write",
        "connectors:write",
        "jobs:write",
        "evals:write",
        "scores:write",
    }
)
ADMIN_SCOPE = "admin"
ALL_SCOPES = READ_SCOPES | WRITE_SCOPES | {ADMIN_SCOPE}
#: A publishable key lives in a browser: it may write its agent's telemetry and traces, and its end
#: users' feedback on those traces — nothing else.
PUBLISHABLE_SCOPES = frozenset({"telemetry:write", "traces:write", "scores:write"})
#: A secret key created without scopes gets everything but administration.
DEFAULT_SECRET_SCOPES = READ_SCOPES | WRITE_SCOPES

ROLE_SCOPES = {
    Role.VIEWER: READ_SCOPES,
    Role.MEMBER: READ_SCOPES | WRITE_SCOPES,
    Role.ADMIN: ALL_SCOPES,
    Role.OWNER: ALL_SCOPES,
}

PrincipalKind = Literal["user", "secret_key", "publishable_key"]


class Principal(BaseModel):
    """The caller of one request, acting in one org."""

    model_config = ConfigDict(frozen=True)

    kind: PrincipalKind
    org_id: str
    scopes: frozenset[str]
    user_id: str | None = None
    role: Role | None = None
    key_id: str | None = None
    agent_id: str | None = None  # set for agent-scoped keys

    @property
    def is_key(self) -> bool:
        return self.kind != "user"

    def require_scope(self, scope: str) -> None:
        if scope not in self.scopes:
            raise Forbidden(f"This needs the '{scope}' scope.", code="missing_scope")

    def require_role(self, role: Role) -> None:
        """For owner-only actions; keys act with their scopes, never as an OWNER."""
        if self.role is None or not self.role.at_least(role):
            raise Forbidden(f"Only an {role.value} can do this.", code="role_too_low")

    def require_agent(self, agent_id: str) -> None:
        """An agent-scoped key may only touch its own agent."""
        if self.agent_id is not None and self.agent_id != agent_id:
            raise Forbidden("This key is limited to another agent.", code="agent_scope")

    def agent_filter(self, agent_id: str | None) -> str | None:
        """The agent a list or a report is about: the one asked for (an agent-scoped key asking
        for another agent is a 403, on every route alike), else the key's own agent, else all."""
        if agent_id is not None:
            self.require_agent(agent_id)
        return agent_id or self.agent_id

    def require_grant(self, scopes: frozenset[str], what: str) -> None:
        """Nobody grants more than it holds: through a key, an invite or a role change."""
        beyond = sorted(scopes - self.scopes)
        if beyond:
            raise Forbidden(
                f"You cannot grant {what}: it holds {', '.join(beyond)}, which you do not.", code="grant_exceeds_caller"
            )

    def require_grant_role(self, role: Role) -> None:
        """A role given to someone (invite, role change): never above the caller's own role, and
        never more scopes than the caller holds (a key acts with its scopes)."""
        if role == Role.OWNER or (self.role is not None and not self.role.at_least(role)):
            self.require_role(role)
        self.require_grant(ROLE_SCOPES[role], f"the {role.value} role")


class Credential(BaseModel):
    """What the authorizer passes to functions (API Gateway allows only flat string values)."""

    authenticated: bool
    reason: str = ""
    reason_code: str = ""
    kind: PrincipalKind | None = None
    org_id: str = ""
    user_id: str = ""
    key_id: str = ""
    agent_id: str = ""
    scopes: str = ""  # space separated, for keys
    memberships: str = ""  # JSON {orgId: role}, for users; the acting org is chosen per request

    def context(self) -> dict[str, Any]:
        return {key: value for key, value in self.model_dump().items() if value not in ("", None)}

    @classmethod
    def from_context(cls, context: dict[str, Any]) -> Credential:
        values = {key: context.get(key) for key in cls.model_fields if context.get(key) is not None}
        values["authenticated"] = str(context.get("authenticated", "")).lower() == "true"
        return cls.model_validate(values)

    def principal(self, acting_org: str | None, org_required: bool = True) -> Principal:
        """The principal for one request; users pick their org with ``X-Grounded-Org``. A route
        about the user's own account (``org_required=False``) serves a user of no org too."""
        if not self.authenticated or self.kind is None:
            message = self.reason or "A valid API key or token is required."
            raise Unauthorized(message, code=self.reason_code or "unauthenticated")
        if self.kind == "user":
            roles: dict[str, str] = json.loads(self.memberships or "{}")
            if not org_required and (not roles or (acting_org and acting_org not in roles)):
                return Principal(kind="user", org_id="", user_id=self.user_id, scopes=frozenset())
            if not roles:
                raise Unauthorized("You are not (or no longer) a member of any org.", code="no_org")
            org_id = acting_org or next(iter(roles))
            if org_id not in roles:
                # 401, not 404: a member removed from an org is signed out of it at once; the same
                # answer for an org that does not exist, so it reveals nothing about other orgs
                raise Unauthorized(f"You are not (or no longer) a member of org {org_id}.", code="not_a_member")
            role = Role(roles[org_id])
            return Principal(kind="user", org_id=org_id, user_id=self.user_id, role=role, scopes=ROLE_SCOPES[role])
        return Principal(
            kind=self.kind,
            org_id=self.org_id,
            key_id=self.key_id or None,
            agent_id=self.agent_id or None,
            scopes=frozenset(self.scopes.split()),
        )
