"""Identity entities and their keys. The wire form (camelCase) is what clients see; secrets and
hashes are stored beside it (``to_item(passwordHash=…)``) and never part of it."""

from __future__ import annotations

from pydantic import Field

from grounded_core.identity.api_keys import KeyKind
from grounded_core.identity.principal import Role
from grounded_core.model import StoredModel
from grounded_core.store import keys


class Email(StoredModel):
    """An email address taken by a user: put-if-absent makes addresses unique."""

    email: str
    user_id: str

    def keys(self) -> dict[str, str]:
        return {"PK": keys.email(self.email), "SK": keys.EMAIL_SK}


class Slug(StoredModel):
    """An org slug taken by an org: put-if-absent makes slugs unique."""

    slug: str
    org_id: str

    def keys(self) -> dict[str, str]:
        return {"PK": keys.slug(self.slug), "SK": keys.SLUG_SK}


class Org(StoredModel):
    id: str
    name: str
    slug: str
    created_at: str
    owner_count: int = Field(1, exclude=True)  # kept by transactions so the last OWNER stays
    #: days traces, payloads, sessions, turns and telemetry are kept; absent (null): forever
    retention_days: int | None = None
    #: the job re-stamping stored data after the latest retention change
    retention_job_id: str | None = None

    def keys(self) -> dict[str, str]:
        return {"PK": keys.org(self.id), "SK": keys.ORG_SK}

    def to_item(self, **extra: object) -> dict[str, object]:
        return super().to_item(ownerCount=self.owner_count, **extra)


class User(StoredModel):
    id: str
    email: str
    name: str
    created_at: str

    def keys(self) -> dict[str, str]:
        return {"PK": keys.user(self.id), "SK": keys.USER_SK}


class Membership(StoredModel):
    org_id: str
    user_id: str
    role: Role
    email: str
    name: str
    joined_at: str

    def keys(self) -> dict[str, str]:
        return {
            "PK": keys.org(self.org_id),
            "SK": keys.member(self.user_id),
            "GSI1PK": keys.user(self.user_id),
            "GSI1SK": keys.org(self.org_id),
        }


class Invite(StoredModel):
    id: str
    org_id: str
    email: str
    role: Role
    invited_by: str
    created_at: str
    expires_at: str
    token_hash: str = Field("", exclude=True)

    def keys(self) -> dict[str, str]:
        return {
            "PK": keys.invite(self.token_hash),
            "SK": keys.INVITE_SK,
            "GSI1PK": keys.org(self.org_id),
            "GSI1SK": keys.INVITE_PREFIX + self.id,
        }

    def to_item(self, **extra: object) -> dict[str, object]:
        return super().to_item(tokenHash=self.token_hash, **extra)


class ApiKey(StoredModel):
    """A key as listed: never the secret; its hash is only in the item's key."""

    id: str
    org_id: str
    name: str
    kind: KeyKind
    prefix: str
    scopes: list[str]
    agent_id: str | None = None
    created_at: str
    created_by: str | None = None
    last_used_at: str | None = None
    expires_at: str | None = None
    revoked_at: str | None = None
    key_hash: str = Field("", exclude=True)

    def keys(self) -> dict[str, str]:
        return {
            "PK": keys.api_key(self.key_hash),
            "SK": keys.API_KEY_SK,
            "GSI1PK": keys.org(self.org_id),
            "GSI1SK": keys.API_KEY_PREFIX + self.id,
        }

    def to_item(self, **extra: object) -> dict[str, object]:
        return super().to_item(keyHash=self.key_hash, **extra)
