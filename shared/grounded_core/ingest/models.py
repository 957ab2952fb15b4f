"""What clients send: traces with spans, and browser telemetry events. Validation here is pure;
checks that need the table (the agent exists, the snapshot is the agent's) are the service's.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from grounded_core.clock import MAX_CLOCK_SKEW, parse_iso
from grounded_core.model import ApiModel
from grounded_core.pricing.cost import Usage

CLIENT_ID = r"^[A-Za-z0-9_.:\-]{1,128}$"
MAX_SPANS = 1000
MAX_BATCH = 500
MAX_KEY_VALUES = 20


def timestamp(value: str, field: str) -> datetime:
    try:
        return parse_iso(value)
    except ValueError:
        raise ValueError(f"{field} is not an ISO-8601 timestamp") from None


class Resource(ApiModel):
    model_config = ApiModel.model_config | {"extra": "allow"}

    snapshot_id: str | None = Field(None, max_length=64)
    service: str | None = Field(None, max_length=200)
    environment: str | None = Field(None, max_length=100)


class SpanIn(ApiModel):
    id: str = Field(pattern=CLIENT_ID)
    parent_id: str | None = Field(None, pattern=CLIENT_ID)
    kind: Literal["llm", "tool", "retrieval", "chain", "custom"] = "custom"
    name: str = Field(min_length=1, max_length=200)
    started_at: str
    ended_at: str | None = None
    model: str | None = Field(None, max_length=200)
    input: Any = None
    output: Any = None
    usage: Usage | None = None
    cost_usd: float | None = Field(None, ge=0)
    status: Literal["ok", "error"] = "ok"
    error: str | None = Field(None, max_length=10_000)
    attributes: dict[str, Any] = Field(default_factory=dict)


class TraceIn(ApiModel):
    id: str | None = Field(None, pattern=CLIENT_ID)
    agent_id: str = Field(min_length=1, max_length=64)
    session_id: str | None = Field(None, min_length=1, max_length=200)
    anonymous_id: str | None = Field(None, min_length=1, max_length=200)
    user_id: str | None = Field(None, min_length=1, max_length=200)
    correlation_keys: dict[str, str] = Field(default_factory=dict)
    name: str = Field("trace", min_length=1, max_length=200)
    started_at: str
    ended_at: str | None = None
    status: Literal["ok", "error"] = "ok"
    error: str | None = Field(None, max_length=10_000)
    input: Any = None
    output: Any = None
    resource: Resource = Field(default_factory=Resource)
    metadata: dict[str, Any] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list, max_length=50)
    spans: list[SpanIn] = Field(default_factory=list, max_length=MAX_SPANS)

    @field_validator("correlation_keys")
    @classmethod
    def _bounded_keys(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > MAX_KEY_VALUES or any(len(k) > 100 or len(v) > 200 for k, v in value.items()):
            raise ValueError(f"at most {MAX_KEY_VALUES} keys of 100 characters, values of 200")
        return value

    @model_validator(mode="after")
    def _stitchable(self) -> TraceIn:
        if not (self.session_id or self.anonymous_id or (self.user_id and self.correlation_keys)):
            raise ValueError("a trace needs sessionId, or anonymousId, or userId with non-empty correlationKeys")
        return self


class MissingStitchKey(ValueError):
    pass


def check_times(started: str, ended: str | None, now: datetime, label: str = "") -> None:
    """Parsable, ``ended >= started``, and not in the future beyond clock skew."""
    start = timestamp(started, f"{label}startedAt")
    if start > now + MAX_CLOCK_SKEW:
        raise ValueError(f"{label}startedAt is in the future")
    if ended is not None:
        end = timestamp(ended, f"{label}endedAt")
        if end < start:
            raise ValueError(f"{label}endedAt is before {label}startedAt")
        if end > now + MAX_CLOCK_SKEW:
            raise ValueError(f"{label}endedAt is in the future")


def check_trace_times(trace: TraceIn, now: datetime) -> None:
    check_times(trace.started_at, trace.ended_at, now)
    for index, span in enumerate(trace.spans):
        check_times(span.started_at, span.ended_at, now, f"spans[{index}].")


class EventIn(ApiModel):
    id: str | None = Field(None, pattern=CLIENT_ID)
    agent_id: str = Field(min_length=1, max_length=64)
    type: Literal["page", "click", "input", "error", "custom", "identify"]
    name: str = Field(min_length=1, max_length=200)
    timestamp: str
    session_id: str | None = Field(None, min_length=1, max_length=200)
    anonymous_id: str = Field(min_length=1, max_length=200)
    user_id: str | None = Field(None, min_length=1, max_length=200)
    url: str | None = Field(None, max_length=4000)
    properties: dict[str, Any] = Field(default_factory=dict)

    @field_validator("properties")
    @classmethod
    def _small(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(json.dumps(value, default=str)) > 16_000:
            raise ValueError("properties are over 16 KB")
        return value


def _items_of(model: str) -> dict[str, Any]:
    """The documented shape of a batch's items (they are validated one by one, not by the batch)."""
    return {"items": {"$ref": f"#/components/schemas/{model}"}}


class TraceBatch(ApiModel):
    # items are checked one by one by the service, so one malformed item never sinks the batch
    checked_per_item = frozenset({"traces"})
    traces: list[Any] = Field(max_length=MAX_BATCH, json_schema_extra=_items_of("TraceIn"))


class EventBatch(ApiModel):
    checked_per_item = frozenset({"events"})
    events: list[Any] = Field(max_length=MAX_BATCH, json_schema_extra=_items_of("EventIn"))


# ---------------------------------------------------------------- what reads answer


class PayloadMarker(ApiModel):
    """Where a large field was: it lives in S3, and ``GET /api/traces/{id}`` puts it back."""

    payload: str = Field(alias="$payload")


class Normalization(ApiModel):
    model_config = ApiModel.model_config | {"extra": "ignore"}

    state: Literal["pending", "normalized", "unresolved"]
    session_id: str | None = None
    stitch_rule: str | None = None
    snapshot_id: str | None = None
    reason: str | None = None


class SpanView(SpanIn):
    model_config = ApiModel.model_config | {"extra": "ignore"}

    error: str | PayloadMarker | None = None  # type: ignore[assignment]  # a stored span may hold a marker here


class TraceView(ApiModel):
    """A trace as stored: what was sent (times in UTC), how its normalization went and its cost.
    In lists, fields over 4 KB show as ``{"$payload": …}`` markers; one trace read by id has them."""

    model_config = ApiModel.model_config | {"extra": "ignore"}

    id: str
    agent_id: str
    session_id: str | None = None
    anonymous_id: str | None = None
    user_id: str | None = None
    correlation_keys: dict[str, str] = Field(default_factory=dict)
    name: str
    started_at: str
    ended_at: str | None = None
    status: Literal["ok", "error"] = "ok"
    error: str | PayloadMarker | None = None
    input: Any = None
    output: Any = None
    resource: Resource = Field(default_factory=Resource)
    metadata: dict[str, Any] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    spans: list[SpanView] | PayloadMarker = Field(default_factory=list)
    received_at: str | None = None
    normalization: Normalization
    cost_usd: float | None = None
    cost_partial: bool = False


class ItemResult(ApiModel):
    """One item's outcome in a batch answer."""

    index: int
    status: Literal["accepted", "rejected"]
    trace_id: str | None = None
    event_id: str | None = None
    error: str | None = None
    code: str | None = None
    details: list[dict[str, str]] | None = None
    #: set on items refused by a rate-limit policy: their status as a request of their own
    http_status: int | None = None
    retry_after_seconds: int | None = None


class BatchAnswer(ApiModel):
    """A batch's answer, 202 (all accepted) or 207: each item's outcome, in order."""

    results: list[ItemResult]


class Accepted(ApiModel):
    """``POST /api/traces``: stored, and its normalization queued."""

    trace_id: str
    status: Literal["accepted"] = "accepted"
