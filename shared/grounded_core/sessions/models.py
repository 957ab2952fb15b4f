"""The session entity, its counters, and how it is shown."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from grounded_core.clock import parse_iso
from grounded_core.model import ApiModel, StoredModel
from grounded_core.pricing.cost import Usage, usd
from grounded_core.store import keys

COUNTERS = (
    "turns",
    "traces",
    "events",
    "errors",
    "errorEvents",
    "inputTokens",
    "outputTokens",
    "cacheReadTokens",
    "cacheWriteTokens",
    "costNanos",
    "unpricedCalls",
)


class Stitch(StoredModel):
    """A stitch key pointing at its session: put-if-absent gives exactly one session per key."""

    key: str  # the key's partition (keys.stitch: org, agent, kind and value)
    session_id: str

    def keys(self) -> dict[str, str]:
        return {"PK": self.key, "SK": keys.STITCH_SK}


class SessionListing(StoredModel):
    """A session's entry in its agent's and its org's session listings (newest first by start),
    an item of its own in the session's partition, written once, with the session. What a listing
    filters on is here: ``userId``, and ``errored``, set by the write that first counts an error
    (a trace's or a browser event's) — the session's counters themselves may go back to none (a
    trace moved to another session), so a listing reads them from the session to be sure. It has
    no expiry of its own: it goes when its session does (erased with its partition; when TTL
    removes the session item, the expiry function deletes it)."""

    id: str
    org_id: str
    agent_id: str
    started_at: str
    user_id: str | None = None
    errored: bool = False

    def keys(self) -> dict[str, str]:
        return {
            "PK": keys.session(self.org_id, self.id),
            "SK": keys.LISTED_SK,
            "GSI1PK": keys.sharded(keys.agent_sessions(self.org_id, self.agent_id), self.id),
            "GSI1SK": f"S#{self.started_at}#{self.id}",
            "GSI2PK": keys.sharded(keys.org_sessions(self.org_id), self.id),
            "GSI2SK": f"{self.started_at}#{self.id}",
        }


class Session(StoredModel):
    id: str
    org_id: str
    agent_id: str
    snapshot_id: str | None = None
    external_id: str | None = None
    user_id: str | None = None
    anonymous_id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    started_at: str
    ended_at: str | None = None
    last_seen_at: str | None = None
    turns: int = 0
    traces: int = 0
    events: int = 0
    errors: int = 0
    error_events: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost_nanos: int = 0
    unpriced_calls: int = 0
    stitch_keys: list[str] = Field(default_factory=list, exclude=True)

    def to_item(self, **extra: object) -> dict[str, object]:
        # a string set, so registering a key again (ADD) changes nothing
        return super().to_item(**({"stitchKeys": set(self.stitch_keys)} if self.stitch_keys else {}), **extra)

    def keys(self) -> dict[str, str]:
        """Not in any index: its counters change with every trace, and an indexed item's update
        writes its index entries too. It is listed by its :class:`SessionListing`."""
        return {"PK": keys.session(self.org_id, self.id), "SK": keys.SESSION_SK}

    def listing(self) -> SessionListing:
        return SessionListing(
            id=self.id, org_id=self.org_id, agent_id=self.agent_id, started_at=self.started_at, user_id=self.user_id
        )

    def view(self) -> SessionView:
        tokens = TokenTotals(
            input=self.input_tokens,
            output=self.output_tokens,
            cache_read=self.cache_read_tokens,
            cache_write=self.cache_write_tokens,
            total=self.input_tokens + self.output_tokens + self.cache_read_tokens + self.cache_write_tokens,
        )
        end = self.ended_at or self.last_seen_at
        duration = int((parse_iso(end) - parse_iso(self.started_at)).total_seconds() * 1000) if end else 0
        priced_nothing = self.cost_nanos == 0 and self.unpriced_calls > 0
        return SessionView(
            id=self.id,
            agent_id=self.agent_id,
            snapshot_id=self.snapshot_id,
            external_id=self.external_id,
            user_id=self.user_id,
            anonymous_id=self.anonymous_id,
            metadata=self.metadata,
            started_at=self.started_at,
            ended_at=self.ended_at,
            last_seen_at=self.last_seen_at,
            turns=self.turns,
            traces=self.traces,
            events=self.events,
            errors=self.errors,
            has_errors=self.errors > 0 or self.error_events > 0,
            tokens=tokens,
            cost_usd=None if priced_nothing else usd(self.cost_nanos),
            cost_partial=self.unpriced_calls > 0,
            duration_ms=max(0, duration),
        )


class TokenTotals(ApiModel):
    input: int
    output: int
    cache_read: int
    cache_write: int
    total: int


class SessionView(ApiModel):
    id: str
    agent_id: str
    snapshot_id: str | None
    external_id: str | None
    user_id: str | None
    anonymous_id: str | None
    metadata: dict[str, Any]
    started_at: str
    ended_at: str | None
    last_seen_at: str | None
    turns: int
    traces: int
    events: int
    errors: int
    has_errors: bool
    tokens: TokenTotals
    cost_usd: float | None = Field(description="null when no call could be priced; see costPartial")
    cost_partial: bool = Field(description="true when some calls used a model without a price")
    duration_ms: int


class SessionCreate(ApiModel):
    agent_id: str = Field(min_length=1, max_length=64)
    snapshot_id: str | None = Field(None, max_length=64)
    external_id: str | None = Field(None, min_length=1, max_length=200)
    user_id: str | None = Field(None, min_length=1, max_length=200)
    anonymous_id: str | None = Field(None, min_length=1, max_length=200)
    metadata: dict[str, Any] = Field(default_factory=dict)


class TurnCreate(ApiModel):
    role: Literal["user", "assistant", "system", "tool"]
    content: str = Field(max_length=200_000)
    tool_calls: list[dict[str, Any]] | None = Field(None, max_length=100)
    model: str | None = Field(None, max_length=200)
    usage: Usage | None = None
    latency_ms: int | None = Field(None, ge=0)
    timestamp: str | None = None


class TimelineEntry(ApiModel):
    kind: Literal["turn", "trace", "event"]
    timestamp: str
    data: dict[str, Any]
