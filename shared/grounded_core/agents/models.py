"""Agent and snapshot entities."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from grounded_core.model import ApiModel, StoredModel
from grounded_core.store import keys

DEFAULT_DRIFT_THRESHOLD = 0.1


class Agent(StoredModel):
    id: str
    org_id: str
    name: str
    description: str | None = None
    drift_threshold: float = DEFAULT_DRIFT_THRESHOLD
    baseline_snapshot_id: str | None = None
    created_at: str
    updated_at: str

    def keys(self) -> dict[str, str]:
        return {"PK": keys.org(self.org_id), "SK": keys.agent(self.id)}


class AgentCreate(ApiModel):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    drift_threshold: float = Field(DEFAULT_DRIFT_THRESHOLD, ge=0, le=1)


class AgentPatch(ApiModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    drift_threshold: float | None = Field(None, ge=0, le=1)


class Tool(ApiModel):
    model_config = ApiModel.model_config | {"extra": "allow"}

    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=4000)
    parameters: dict[str, Any] | None = None


class SnapshotCreate(ApiModel):
    label: str = Field(min_length=1, max_length=200)
    system_prompt: str = Field("", max_length=100_000)
    model_id: str = Field(min_length=1, max_length=200)
    tools: list[Tool] = Field(default_factory=list, max_length=200)
    parameters: dict[str, Any] = Field(default_factory=dict)


class Snapshot(StoredModel):
    id: str
    org_id: str
    agent_id: str
    label: str
    system_prompt: str
    model_id: str
    tools: list[Tool]
    parameters: dict[str, Any]
    created_at: str

    def keys(self) -> dict[str, str]:
        return {
            "PK": keys.agent_partition(self.org_id, self.agent_id),
            "SK": keys.snapshot_sort(self.created_at, self.id),
            "GSI1PK": keys.org(self.org_id),
            "GSI1SK": keys.snapshot_ref(self.id),
        }


class BaselineChange(ApiModel):
    snapshot_id: str
