"""What the OTLP path keeps: each received span, and each trace's assembly state."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from grounded_core.ingest.models import SpanIn
from grounded_core.model import ApiModel, StoredModel
from grounded_core.store import keys


class ReceivedSpan(StoredModel):
    """One OTLP span as received (mapped), kept in its trace's partition. Its key is its span id, so
    an exporter's retry writes the same item again and changes nothing."""

    org_id: str
    trace_id: str
    agent_id: str
    snapshot_id: str | None = None
    session_id: str | None = None
    user_id: str | None = None
    anonymous_id: str | None = None
    resource: dict[str, Any] = Field(default_factory=dict)
    scope: str | None = None
    span: SpanIn
    #: the span's start in nanoseconds (its ``startedAt`` keeps milliseconds): orders siblings
    start_nanos: int = 0
    received_at: str

    @property
    def is_root(self) -> bool:
        return self.span.parent_id is None

    def keys(self) -> dict[str, str]:
        return {"PK": keys.trace(self.org_id, self.trace_id), "SK": keys.otel_span(self.span.id)}


class AssemblyState(StoredModel):
    """``OTLP`` item of a trace: the agent that owns the trace id, and the latest export that sent
    spans of it (whose message assembles the trace once it has been quiet)."""

    model_config = StoredModel.model_config | {"extra": "ignore"}

    org_id: str | None = Field(None, exclude=True)
    trace_id: str | None = Field(None, exclude=True)
    agent_id: str
    last_export: str
    last_span_at: str

    def keys(self) -> dict[str, str]:
        if not (self.org_id and self.trace_id):
            raise ValueError("a trace's assembly state is kept in its partition: give it org_id and trace_id")
        return {"PK": keys.trace(self.org_id, self.trace_id), "SK": keys.OTEL_STATE_SK}


class Due(ApiModel):
    """A trace to look at once its quiet period is over, named with the export that sent the
    message: only the message of the trace's latest export assembles it."""

    id: str
    export: str
