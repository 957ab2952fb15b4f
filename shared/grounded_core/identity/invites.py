"""Invites: a random token valid 7 days, of which only the SHA-256 is stored. Accepting it as a
new user (name + password) or as a logged-in user adds the membership and consumes the invite in
one transaction, so a token works once."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from pydantic import Field, field_validator

from grounded_core.checks import normalize_email
from grounded_core.clock import iso, parse_iso, utc_now
from grounded_core.errors import Conflict, Forbidden, Gone, Invalid, NotFound
from grounded_core.identity.accounts import (
    EMAIL_TAKEN,
    Session,
    check_password,
    get_org,
    membership_writes,
    new_user_writes,
    stored_user,
    token_version,
)
from grounded_core.identity.api_keys import hash_secret
from grounded_core.identity.models import Invite, User
from grounded_core.identity.principal import Principal, Role
from grounded_core.identity.tokens import issue_token
from grounded_core.ids import new_id
from grounded_core.model import ApiModel
from grounded_core.settings import get_settings
from grounded_core.store import keys, table
from grounded_core.store.conditions import ConditionFailed, Delete, Update, Write, exists

INVITE_LIFETIME = timedelta(days=7)
#: Expired invites stay readable (so accepting one says 410, not 404) for this long, then TTL removes them.
EXPIRED_INVITE_KEPT = timedelta(days=30)


class InviteRequest(ApiModel):
    email: str
    role: Role = Role.MEMBER

    _email = field_validator("email")(normalize_email)


class InviteCreated(ApiModel):
    id: str
    token: str
    url: str
    email: str
    role: Role
    expires_at: str


class Acceptance(ApiModel):
    """Body of an acceptance by someone without an account; empty for a logged-in user."""

    name: str | None = Field(None, min_length=1, max_length=200)
    password: str | None = None

    @field_validator("password")
    @classmethod
    def _password(cls, value: str | None) -> str | None:
        return None if value is None else check_password(value)


def create_invite(principal: Principal, request: InviteRequest, now: datetime | None = None) -> InviteCreated:
    principal.require_grant_role(request.role)
    created = now or utc_now()
    token = "inv_" + secrets.token_urlsafe(32)
    invite = Invite(
        id=new_id("inv"),
        org_id=principal.org_id,
        email=request.email,
        role=request.role,
        invited_by=principal.user_id or principal.key_id or "",
        created_at=iso(created),
        expires_at=iso(created + INVITE_LIFETIME),
        token_hash=hash_secret(token),
    )
    ttl = int((created + INVITE_LIFETIME + EXPIRED_INVITE_KEPT).timestamp())
    table.put(invite.to_item(ttl=ttl))
    url = f"{get_settings().public_url.rstrip('/')}/invite/{token}"  # the dashboard's page for it
    return InviteCreated(
        id=invite.id, token=token, url=url, email=invite.email, role=invite.role, expires_at=invite.expires_at
    )


def pending_invites(principal: Principal, now: datetime | None = None) -> list[Invite]:
    moment = now or utc_now()
    items = table.query_all(keys.org(principal.org_id), keys.INVITE_PREFIX, index="GSI1")
    return [invite for invite in map(Invite.from_item, items) if parse_iso(invite.expires_at) > moment]


def revoke_invite(principal: Principal, invite_id: str) -> None:
    items, _ = table.query(keys.org(principal.org_id), keys.INVITE_PREFIX + invite_id, index="GSI1", limit=1)
    if not items or items[0]["id"] != invite_id:
        raise NotFound(f"No invite {invite_id}.")
    table.delete(items[0]["PK"], items[0]["SK"])


def accept_invite(token: str, user_id: str | None, acceptance: Acceptance, now: datetime | None = None) -> Session:
    """Join the invite's org as the logged-in user (``user_id``) or as a new user."""
    item = table.get(keys.invite(hash_secret(token)), keys.INVITE_SK, consistent=True)
    if item is None:
        raise NotFound("No such invite: it was used, revoked, or never existed.", code="invite_not_found")
    invite = Invite.from_item(item)
    if parse_iso(invite.expires_at) <= (now or utc_now()):
        raise Gone("This invite has expired; ask for a new one.", code="invite_expired")
    org = get_org(invite.org_id)
    joined = iso(now or utc_now())
    writes: list[Write]
    version = 0
    if user_id:
        stored = stored_user(user_id)
        user, version = User.from_item(stored), token_version(stored)
        if user.email.lower() != invite.email:
            raise Forbidden(
                "This invite was made for another email address: log in with that address to accept it.",
                code="invite_email_mismatch",
            )
        writes = []
    else:
        if not acceptance.name or not acceptance.password:
            details = [{"field": f, "message": "required to create your account"} for f in ("name", "password")]
            raise Invalid("Give a name and a password to create your account, or log in first.", details=details)
        user = User(id=new_id("usr"), email=invite.email, name=acceptance.name, created_at=joined)
        writes = new_user_writes(user, acceptance.password)
    consume = Delete(invite.keys()["PK"], keys.INVITE_SK, exists(), label="invite")
    operations: list[Write] = [*writes, consume, membership_writes(org, user, invite.role, joined)]
    if invite.role == Role.OWNER:
        operations.append(Update(keys.org(org.id), keys.ORG_SK, add={"ownerCount": 1}))
    try:
        table.transact(operations)
    except ConditionFailed as failed:
        message = {
            "email": EMAIL_TAKEN,
            "invite": "This invite was just used.",
            "member": f"You are already a member of {org.name}.",
        }.get(failed.label, "This invite could not be accepted; try again.")
        raise Conflict(message, code="invite_conflict") from None
    return Session(token=issue_token(user.id, version), user=user, org=org)
