"""API keys of an org: create (the plaintext is answered once), list, revoke, rotate."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, field_validator, model_validator

from grounded_core.agents.service import find_agent
from grounded_core.clock import iso, parse_iso, utc_now
from grounded_core.errors import Conflict, Invalid, NotFound
from grounded_core.identity.api_keys import DISPLAY_PREFIX_LENGTH, KeyKind, generate_key, hash_secret
from grounded_core.identity.models import ApiKey
from grounded_core.identity.principal import ALL_SCOPES, DEFAULT_SECRET_SCOPES, PUBLISHABLE_SCOPES, Principal
from grounded_core.ids import new_id
from grounded_core.model import ApiModel
from grounded_core.pagination import Page, PageRequest
from grounded_core.store import keys, table
from grounded_core.store.conditions import ConditionFailed, Put, Update, absent, exists
from grounded_core.store.listing import query_page


class KeyRequest(ApiModel):
    name: str = Field(min_length=1, max_length=200)
    kind: KeyKind = "secret"
    scopes: list[str] | None = None
    agent_id: str | None = None
    expires_at: str | None = None

    @field_validator("scopes")
    @classmethod
    def _known_scopes(cls, value: list[str] | None) -> list[str] | None:
        unknown = sorted(set(value or []) - ALL_SCOPES)
        if unknown:
            raise ValueError(f"unknown scopes: {', '.join(unknown)}")
        return value

    @field_validator("expires_at")
    @classmethod
    def _future(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            moment = parse_iso(value)
        except ValueError:
            raise ValueError("must be an ISO-8601 timestamp") from None
        if moment <= utc_now():
            raise ValueError("must be in the future")
        return iso(moment)

    @model_validator(mode="after")
    def _publishable_rules(self) -> KeyRequest:
        if self.kind == "publishable":
            if not self.agent_id:
                raise ValueError("a publishable key must name its agentId")
            if self.scopes is not None and not set(self.scopes) <= PUBLISHABLE_SCOPES:
                raise ValueError(f"a publishable key may only have {', '.join(sorted(PUBLISHABLE_SCOPES))}")
        return self


class KeyCreated(ApiKey):
    """The one response that carries the plaintext ``key``."""

    key: str


def _scopes_for(request: KeyRequest) -> list[str]:
    if request.kind == "publishable":
        return sorted(request.scopes or PUBLISHABLE_SCOPES)
    return sorted(request.scopes if request.scopes is not None else DEFAULT_SECRET_SCOPES)


def _new_key(principal: Principal, request: KeyRequest, now: datetime | None) -> KeyCreated:
    principal.require_grant(frozenset(_scopes_for(request)), "this key")
    if request.agent_id and find_agent(principal.org_id, request.agent_id) is None:
        raise Invalid(
            "The key's agent does not exist.", details=[{"field": "agentId", "message": f"no agent {request.agent_id}"}]
        )
    secret = generate_key(request.kind)
    return KeyCreated(
        id=new_id("key"),
        org_id=principal.org_id,
        name=request.name,
        kind=request.kind,
        prefix=secret[:DISPLAY_PREFIX_LENGTH],
        scopes=_scopes_for(request),
        agent_id=request.agent_id,
        created_at=iso(now or utc_now()),
        created_by=principal.user_id or principal.key_id,
        expires_at=request.expires_at,
        key_hash=hash_secret(secret),
        key=secret,
    )


def _stored(key: KeyCreated) -> dict[str, object]:
    return ApiKey(**{name: getattr(key, name) for name in ApiKey.model_fields}).to_item()


def issue_key(principal: Principal, request: KeyRequest, now: datetime | None = None) -> KeyCreated:
    key = _new_key(principal, request, now)
    table.put(_stored(key), when=absent())
    return key


def list_keys(principal: Principal, page: PageRequest) -> Page[ApiKey]:
    return query_page(ApiKey, page, keys.org(principal.org_id), keys.API_KEY_PREFIX, index="GSI1")


def _find_key(org_id: str, key_id: str) -> ApiKey:
    items, _ = table.query(keys.org(org_id), keys.API_KEY_PREFIX + key_id, index="GSI1", limit=1)
    if not items or items[0]["id"] != key_id:
        raise NotFound(f"No key {key_id}.", code="key_not_found")
    return ApiKey.from_item(items[0])


def revoke_key(principal: Principal, key_id: str, now: datetime | None = None) -> ApiKey:
    """Idempotent: revoking a revoked key keeps its first revocation time."""
    key = _find_key(principal.org_id, key_id)
    if key.revoked_at:
        return key
    item = table.update(
        keys.api_key(key.key_hash), keys.API_KEY_SK, set_if_absent={"revokedAt": iso(now or utc_now())}, when=exists()
    )
    return ApiKey.from_item(item)


def rotate_key(principal: Principal, key_id: str, now: datetime | None = None) -> KeyCreated:
    """A new key with the same settings, and the old one revoked, in one transaction."""
    old = _find_key(principal.org_id, key_id)
    if old.revoked_at:
        raise Invalid("A revoked key cannot be rotated; create a new one.", code="key_revoked")
    request = KeyRequest(name=old.name, kind=old.kind, scopes=old.scopes, agent_id=old.agent_id)
    request.expires_at = old.expires_at  # kept as it was, even if it is near
    created = _new_key(principal, request, now)
    revoke_old = Update(
        keys.api_key(old.key_hash),
        keys.API_KEY_SK,
        set={"revokedAt": created.created_at},
        when=exists() & absent("revokedAt"),
        label="revoke",
    )
    try:
        table.transact([Put(_stored(created), absent(), label="key"), revoke_old])
    except ConditionFailed:
        raise Conflict("The key was revoked meanwhile.", code="key_revoked") from None
    return created
