"""Scores: what clients send, and what is kept. A score is a named judgement — a number, a yes/no
or a category — of one target: a trace (or one of its spans), a session, or an eval run's result
for one case. It is kept in its target's partition, so it lives, expires and is erased with it."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, StrictBool, model_validator

from grounded_core.model import ApiModel, StoredModel
from grounded_core.store import keys

Source = Literal["api", "sdk", "user", "judge"]
DataType = Literal["numeric", "boolean", "categorical"]
TargetKind = Literal["trace", "session", "result"]
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
#: a category's longest value (categories are counted per day, by value)
MAX_CATEGORY = 64
ScoreValue = StrictBool | float | str


def data_type_of(value: ScoreValue) -> DataType:
    if isinstance(value, bool):
        return "boolean"
    return "categorical" if isinstance(value, str) else "numeric"


class ScoreCreate(ApiModel):
    """``id``: the client's own (letters, digits, ``_.:-``), which makes the request idempotent:
    sent again it answers the same score; sent with another value or comment it replaces them."""

    id: str | None = Field(None, pattern=ID_PATTERN)
    name: str = Field(pattern=NAME_PATTERN, description="letters, digits and `_.:-`, at most 64")
    value: ScoreValue = Field(description="a number, true/false, or a category (1 to 64 characters)")
    comment: str | None = Field(None, max_length=4000)
    source: Source = "api"
    trace_id: str | None = Field(None, min_length=1, max_length=128)
    span_id: str | None = Field(None, min_length=1, max_length=128)
    session_id: str | None = Field(None, min_length=1, max_length=128)
    run_id: str | None = Field(None, min_length=1, max_length=64)
    case_id: str | None = Field(None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        targets = [self.trace_id is not None, self.session_id is not None, self.run_id is not None]
        if sum(targets) != 1:
            raise ValueError("give exactly one target: traceId (and spanId), sessionId, or runId and caseId")
        if self.span_id is not None and self.trace_id is None:
            raise ValueError("spanId needs the traceId of its trace")
        if (self.run_id is None) != (self.case_id is None):
            raise ValueError("an eval result is named by its runId and caseId together")
        if isinstance(self.value, str) and not 1 <= len(self.value) <= MAX_CATEGORY:
            raise ValueError(f"a category value has 1 to {MAX_CATEGORY} characters")
        return self

    @property
    def target_kind(self) -> TargetKind:
        return "trace" if self.trace_id else "session" if self.session_id else "result"


class Score(StoredModel):
    id: str
    org_id: str
    agent_id: str
    name: str
    value: ScoreValue
    data_type: DataType
    comment: str | None = None
    source: Source
    target: TargetKind
    trace_id: str | None = None
    span_id: str | None = None
    session_id: str | None = None
    run_id: str | None = None
    case_id: str | None = None
    created_at: str
    updated_at: str
    #: the UTC day whose rollups count it (its first creation's)
    day: str
    #: bumped by every change; a replacement is conditional on the version it read
    version: int = 0

    def target_partition(self) -> str:
        return target_partition(self.org_id, self.target, self.trace_id or self.session_id or self.run_id or "")

    def keys(self) -> dict[str, str]:
        return {
            "PK": self.target_partition(),
            "SK": keys.score(self.id),
            "GSI1PK": keys.sharded(keys.named_scores(self.org_id, self.name), self.id),
            "GSI1SK": keys.score_sort(self.created_at, self.id),
        }


def target_partition(org_id: str, kind: TargetKind, target_id: str) -> str:
    """The partition a target's scores are kept in: the trace's, the session's or the run's."""
    if kind == "trace":
        return keys.trace(org_id, target_id)
    return keys.session(org_id, target_id) if kind == "session" else keys.run(org_id, target_id)
