"""Sign-up, log-in and "who am I"."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, field_validator

from grounded_core.checks import normalize_email
from grounded_core.clock import iso, utc_now
from grounded_core.errors import Conflict, Forbidden, Unauthorized
from grounded_core.identity.models import Email, Membership, Org, Slug, User
from grounded_core.identity.passwords import MAX_PASSWORD_BYTES, MIN_PASSWORD_LENGTH, hash_password, password_matches
from grounded_core.identity.principal import Principal, Role
from grounded_core.identity.tokens import issue_token
from grounded_core.ids import new_id
from grounded_core.model import ApiModel
from grounded_core.store import keys, table
from grounded_core.store.conditions import ConditionFailed, Put, Write, absent, exists

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$")
BAD_CREDENTIALS = "The email or password is wrong."


def check_password(value: str) -> str:
    if len(value) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(value.encode()) > MAX_PASSWORD_BYTES:
        raise ValueError(f"must be at most {MAX_PASSWORD_BYTES} bytes")
    return value


def check_slug(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError(
            "must be 3-40 lower-case letters, digits or dashes, starting and ending with a letter or digit"
        )
    return value


def slug_from_name(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].strip("-")
    return slug if len(slug) >= 3 else f"org-{secrets.token_hex(3)}"


class SignUp(ApiModel):
    email: str
    password: str
    name: str = Field(min_length=1, max_length=200)
    org_name: str = Field(min_length=1, max_length=200)
    org_slug: str | None = None

    _email = field_validator("email")(normalize_email)
    _password = field_validator("password")(check_password)

    @field_validator("org_slug")
    @classmethod
    def _slug(cls, value: str | None) -> str | None:
        return None if value is None else check_slug(value)


class LogIn(ApiModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)


class OrgRole(ApiModel):
    org_id: str
    role: Role
    joined_at: str


class Session(ApiModel):
    """What sign-up, log-in and accepting an invite answer: a token and who it is for."""

    token: str
    user: User
    org: Org | None = None
    orgs: list[OrgRole] | None = None


def membership_writes(org: Org, user: User, role: Role, joined_at: str) -> Put:
    """The membership, if the user is not a member yet (label ``member``)."""
    member = Membership(
        org_id=org.id, user_id=user.id, role=role, email=user.email, name=user.name, joined_at=joined_at
    )
    return Put(member.to_item(), absent(), label="member")


def new_user_writes(user: User, password: str) -> list[Write]:
    """The user item and its unique email (label ``email``: it failing means the email is taken)."""
    return [
        Put(Email(email=user.email, user_id=user.id).to_item(), absent(), label="email"),
        Put(user.to_item(passwordHash=hash_password(password)), absent(), label="user"),
    ]


EMAIL_TAKEN = "An account with that email already exists; log in instead."


SLUG_ATTEMPTS = 5


def slug_candidates(request: SignUp) -> Iterator[str]:
    """The slugs to try in turn: a chosen slug only as given; a derived one, then with random suffixes."""
    if request.org_slug is not None:
        yield request.org_slug
        return
    base = slug_from_name(request.org_name)
    yield base
    for _ in range(SLUG_ATTEMPTS - 1):
        yield f"{base[:33]}-{secrets.token_hex(3)}"  # a derived slug is ours to adjust


def sign_up(request: SignUp, now: datetime | None = None) -> Session:
    """A user, an org with a unique slug and an OWNER membership, all in one transaction."""
    created = iso(now or utc_now())
    user = User(id=new_id("usr"), email=request.email, name=request.name, created_at=created)
    for slug in slug_candidates(request):
        org = Org(id=new_id("org"), name=request.org_name, slug=slug, created_at=created, owner_count=1)
        operations = [
            *new_user_writes(user, request.password),
            Put(Slug(slug=org.slug, org_id=org.id).to_item(), absent(), label="slug"),
            Put(org.to_item()),
            membership_writes(org, user, Role.OWNER, created),
        ]
        try:
            table.transact(operations)
        except ConditionFailed as failed:
            if failed.label == "slug":
                continue
            raise Conflict(EMAIL_TAKEN, code="email_taken") from None
        return Session(token=issue_token(user.id), user=user, org=org)
    raise Conflict(f"The org slug '{org.slug}' is taken.", code="slug_taken")


def user_by_email(email: str) -> dict[str, Any] | None:
    """The stored user with that email (with its password hash and token version)."""
    pointer = table.get(keys.email(email), keys.EMAIL_SK)
    if pointer is None:
        return None
    return table.get(keys.user(pointer["userId"]), keys.USER_SK, consistent=True)


def token_version(user_item: dict[str, Any]) -> int:
    """The user's current token version: tokens of an older one are signed out."""
    return int(user_item.get("tokenVersion") or 0)


def token_for(user_item: dict[str, Any]) -> str:
    return issue_token(str(user_item["id"]), token_version(user_item))


def memberships_of(user_id: str) -> list[Membership]:
    return Membership.load_all(table.query_all(keys.user(user_id), keys.ORG_PREFIX, index="GSI1"))


def log_in(request: LogIn) -> Session:
    """A token for the right email and password; the same 401 for an unknown email."""
    found = user_by_email(request.email.strip().lower())
    if not password_matches(request.password, found["passwordHash"] if found else None) or found is None:
        raise Unauthorized(BAD_CREDENTIALS, code="bad_credentials")
    user = User.from_item(found)
    orgs = [OrgRole(org_id=m.org_id, role=m.role, joined_at=m.joined_at) for m in memberships_of(user.id)]
    return Session(token=token_for(found), user=user, orgs=orgs)


SIGNED_OUT = "This token was signed out (a password change or reset, or sign-out everywhere); log in again."


class PasswordChange(ApiModel):
    current_password: str = Field(max_length=1024)
    new_password: str

    _new = field_validator("new_password")(check_password)


def change_password(user_id: str, change: PasswordChange) -> Session:
    """A new password for the signed-in user: every token issued before is signed out, and the
    answer carries a fresh one."""
    item = stored_user(user_id)
    if not password_matches(change.current_password, item["passwordHash"]):
        raise Forbidden("The current password is not right.", code="wrong_password")
    return Session(token=token_for(set_password(user_id, change.new_password)), user=User.from_item(item))


def set_password(user_id: str, password: str) -> dict[str, Any]:
    """Store a new password hash and raise the token version; the user item as it is now."""
    try:
        return table.update(
            keys.user(user_id),
            keys.USER_SK,
            set={"passwordHash": hash_password(password)},
            add={"tokenVersion": 1},
            when=exists(),
            label="user",
        )
    except ConditionFailed:
        raise Unauthorized("The account no longer exists.", code="unknown_user") from None


def sign_out_everywhere(user_id: str) -> None:
    """Every token of the user issued until now stops working (the dashboard's cookie included)."""
    try:
        table.update(keys.user(user_id), keys.USER_SK, add={"tokenVersion": 1}, when=exists(), label="user")
    except ConditionFailed:
        raise Unauthorized("The account behind this token no longer exists.", code="unknown_user") from None


def get_user(user_id: str) -> User:
    return User.from_item(stored_user(user_id))


def stored_user(user_id: str) -> dict[str, Any]:
    """The user's item as stored (with its token version), read consistently."""
    item = table.get(keys.user(user_id), keys.USER_SK, consistent=True)
    if item is None:
        raise Unauthorized("The account behind this token no longer exists.", code="unknown_user")
    return item


def get_org(org_id: str) -> Org:
    item = table.get(keys.org(org_id), keys.ORG_SK)
    if item is None:
        raise Unauthorized("The org behind this credential no longer exists.", code="unknown_org")
    return Org.from_item(item)


class CallerKey(ApiModel):
    id: str | None = None
    agent_id: str | None = None
    scopes: list[str]


class Me(ApiModel):
    """``GET /api/me``: a user with their role here and their memberships, or a key."""

    kind: Literal["user", "secret_key", "publishable_key"]
    org: Org
    user: User | None = None
    role: Role | None = None
    memberships: list[OrgRole] | None = None
    key: CallerKey | None = None


def describe_caller(principal: Principal) -> Me:
    """``GET /api/me``: the user and their memberships, or the key and its org."""
    org = get_org(principal.org_id)
    if principal.kind == "user" and principal.user_id:
        memberships = [
            OrgRole(org_id=m.org_id, role=m.role, joined_at=m.joined_at) for m in memberships_of(principal.user_id)
        ]
        return Me(kind="user", user=get_user(principal.user_id), org=org, role=principal.role, memberships=memberships)
    key = CallerKey(id=principal.key_id, agent_id=principal.agent_id, scopes=sorted(principal.scopes))
    return Me(kind=principal.kind, key=key, org=org)
