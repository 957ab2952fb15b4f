"""Connector entities and what clients send. Credentials are write-only: they arrive in ``config``,
go to Secrets Manager, and come back only as a masked hint (``"••••1234"``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from grounded_core.checks import check_base_url
from grounded_core.model import ApiModel, StoredModel
from grounded_core.store import keys

Provider = Literal["langsmith", "fullstory"]
Category = Literal["llm-tracing", "session-data"]
ConnectorStatus = Literal["disconnected", "connected"]
CATEGORY_OF: dict[str, str] = {"langsmith": "llm-tracing", "fullstory": "session-data"}
PROVIDER_NAMES: dict[str, str] = {"langsmith": "LangSmith", "fullstory": "FullStory"}
SECRET_FIELDS = ("apiKey",)


class ProviderConfig(ApiModel):
    """Configuration common to every provider. ``apiKey`` is the credential."""

    api_key: SecretStr | None = Field(None, min_length=1, max_length=1000)
    base_url: str | None = Field(None, max_length=500)
    #: How far back the first sync (on connect) reaches.
    initial_days: int = Field(7, ge=0, le=400)

    @field_validator("base_url")
    @classmethod
    def _safe_base_url(cls, value: str | None) -> str | None:
        return check_base_url(value)

    def public(self) -> dict[str, Any]:
        """The configuration without its secrets."""
        return self.model_dump(mode="json", by_alias=True, exclude={"api_key"}, exclude_none=True)


class LangSmithConfig(ProviderConfig):
    project_name: str | None = Field(None, min_length=1, max_length=500)
    workspace_id: str | None = Field(None, min_length=1, max_length=100)


class FullStoryConfig(ProviderConfig):
    segment_id: str = Field("everyone", min_length=1, max_length=200)


CONFIG_MODELS: dict[str, type[ProviderConfig]] = {"langsmith": LangSmithConfig, "fullstory": FullStoryConfig}
#: Settings a provider needs before it can connect (besides the API key).
REQUIRED_TO_CONNECT: dict[str, tuple[str, ...]] = {"langsmith": ("projectName",), "fullstory": ()}


def parse_config(provider: str, raw: dict[str, Any]) -> ProviderConfig:
    return CONFIG_MODELS[provider].model_validate(raw)


class Schedule(ApiModel):
    """Incremental syncs while connected, every ``intervalMinutes``."""

    enabled: bool = True
    interval_minutes: int = Field(60, ge=5, le=10_080)


class ConnectorCreate(ApiModel):
    agent_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    category: Category
    provider: Provider
    config: dict[str, Any] = Field(default_factory=dict)
    schedule: Schedule = Field(default_factory=Schedule)

    @model_validator(mode="after")
    def _pair(self) -> ConnectorCreate:
        if CATEGORY_OF[self.provider] != self.category:
            raise ValueError(f"provider {self.provider} belongs to category {CATEGORY_OF[self.provider]}")
        return self


class ConnectorPatch(ApiModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    config: dict[str, Any] | None = None
    schedule: Schedule | None = None


class ConnectRequest(ApiModel):
    config: dict[str, Any] | None = None


class SyncRequest(ApiModel):
    from_: str | None = Field(None, alias="from")
    to: str | None = None


class Connector(StoredModel):
    id: str
    org_id: str
    agent_id: str
    name: str
    category: Category
    provider: Provider
    #: the configuration without secrets, plus the masked credential
    config: dict[str, Any]
    schedule: Schedule
    status: ConnectorStatus = "disconnected"
    #: the sync window's upper end that every later incremental sync starts from
    synced_through: str | None = None
    last_sync_at: str | None = None
    last_job_id: str | None = None
    active_job_id: str | None = None
    next_run_at: str | None = None
    created_at: str
    updated_at: str

    def keys(self) -> dict[str, str]:
        found = {"PK": keys.org(self.org_id), "SK": keys.connector(self.id)}
        if self.next_run_at and self.status == "connected" and self.schedule.enabled:
            found |= {"GSI1PK": keys.SCHEDULED, "GSI1SK": keys.scheduled_sort(self.next_run_at, self.org_id, self.id)}
        return found


class Checkpoint(StoredModel):
    """Where a connector's sync got to: the provider's cursor (``state``), what it counted so far,
    and the oldest item it held back — written after every page, so a sync resumes, never redoes."""

    org_id: str
    connector_id: str
    job_id: str
    state: dict[str, Any] = Field(default_factory=dict)
    counts: dict[str, Any] = Field(default_factory=dict)
    held_back_since: str | None = None

    def keys(self) -> dict[str, str]:
        return {"PK": keys.connector_partition(self.org_id, self.connector_id), "SK": keys.CHECKPOINT_SK}
