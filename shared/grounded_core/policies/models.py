"""Policy entities and what clients send."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from grounded_core.model import ApiModel, StoredModel
from grounded_core.store import keys

Per = Literal["agent", "user", "session", "key"]


class PolicyCreate(ApiModel):
    agent_id: str = Field(min_length=1, max_length=64)
    type: Literal["rate_limit"] = "rate_limit"
    limit: int = Field(ge=1, le=10_000_000)
    window_seconds: int = Field(ge=1, le=86_400)
    per: Per = "agent"
    enabled: bool = True


class PolicyPatch(ApiModel):
    limit: int | None = Field(None, ge=1, le=10_000_000)
    window_seconds: int | None = Field(None, ge=1, le=86_400)
    per: Per | None = None
    enabled: bool | None = None


class Policy(StoredModel):
    id: str
    org_id: str
    agent_id: str
    type: Literal["rate_limit"] = "rate_limit"
    limit: int
    window_seconds: int
    per: Per
    enabled: bool = True
    created_at: str
    updated_at: str
    #: bumped by every change; a write is conditional on the version it read
    version: int = 0

    def keys(self) -> dict[str, str]:
        return {
            "PK": keys.agent_partition(self.org_id, self.agent_id),
            "SK": keys.policy(self.id),
            "GSI1PK": keys.org(self.org_id),
            "GSI1SK": keys.policy(self.id),
        }
