"""The ingest path's own stored markers, each a model that owns its keys."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from grounded_core.ingest.models import EventIn, TraceView
from grounded_core.model import StoredModel
from grounded_core.store import keys


class Applied(StoredModel):
    """A trace's effects (session totals, rollups) were applied — written in the same transaction
    as them, put-if-absent, so they are applied exactly once."""

    org_id: str
    trace_id: str
    normalization: dict[str, Any]
    #: the revision of the trace applied, what it added to each counter, where its turns are and
    #: which day it was rolled up on: a later revision (an OTLP trace's late span) adds only the
    #: difference, to the same session, snapshot and day
    revision: int = 0
    counters: dict[str, int] = Field(default_factory=dict)
    turn_keys: list[str] = Field(default_factory=list)
    rolled_up_at: str | None = None

    def keys(self) -> dict[str, str]:
        return {"PK": keys.trace(self.org_id, self.trace_id), "SK": keys.APPLIED_SK}


class Unresolved(StoredModel):
    """A trace whose agent had no snapshot yet: normalized again when one appears."""

    org_id: str
    agent_id: str
    trace_id: str

    def keys(self) -> dict[str, str]:
        return {"PK": keys.agent_partition(self.org_id, self.agent_id), "SK": keys.unresolved(self.trace_id)}


class Event(EventIn, StoredModel):
    """A telemetry event attached to its session (time-sorted in the session's partition)."""

    id: str
    #: where it is kept; not shown (an event is read through its session's timeline)
    org_id: str | None = Field(None, exclude=True)
    in_session: str | None = Field(None, exclude=True)

    def keys(self) -> dict[str, str]:
        if not (self.org_id and self.in_session):
            raise ValueError("an event is kept in its session: give it org_id and in_session")
        return {"PK": keys.session(self.org_id, self.in_session), "SK": keys.event_sort(self.timestamp, self.id)}


class StoredTrace(TraceView, StoredModel):
    """A trace as kept: what was sent (large fields as markers, their values in S3 at
    ``payload_key``), when it arrived, and its normalization."""

    packed_fields = frozenset({"input", "output", "spans", "error", "metadata", "tags", "correlationKeys", "resource"})

    org_id: str
    payload_key: str | None = None
    #: OTLP traces: the number of spans it was assembled from (a late span makes a new revision)
    revision: int | None = None

    def keys(self) -> dict[str, str]:
        return {
            "PK": keys.trace(self.org_id, self.id),
            "SK": keys.TRACE_SK,
            "GSI2PK": keys.sharded(keys.org_traces(self.org_id), self.id),
            "GSI2SK": f"{self.started_at}#{self.id}",
        }
