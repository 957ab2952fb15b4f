"""Jobs: long work that runs in the background, with a status a client can follow."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from grounded_core.model import ApiModel, StoredModel
from grounded_core.store import keys

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
ACTIVE: tuple[JobStatus, ...] = ("queued", "running")
TERMINAL: tuple[JobStatus, ...] = ("succeeded", "failed", "cancelled")


class Progress(ApiModel):
    done: int = 0
    total: int | None = None


class Job(StoredModel):
    id: str
    org_id: str
    type: str
    status: JobStatus = "queued"
    progress: Progress = Field(default_factory=Progress)
    result: dict[str, Any] | None = None
    error: str | None = None
    #: what the job was asked to do (for a connector sync: the window and what started it)
    params: dict[str, Any] | None = None
    agent_id: str | None = None
    connector_id: str | None = None
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None

    def keys(self) -> dict[str, str]:
        return {
            "PK": keys.job(self.org_id, self.id),
            "SK": keys.JOB_SK,
            "GSI1PK": keys.org(self.org_id),
            "GSI1SK": keys.JOB_PREFIX + self.id,
        }
