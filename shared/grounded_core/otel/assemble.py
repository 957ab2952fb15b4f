"""The spans received for one OTel trace, as one Grounded trace. Pure.

The root span (the one without a parent) gives the trace its name, times, status and content;
without a root (not arrived yet, or never sent) the earliest span and the spans' time range stand
in. A root without content of its own takes its input from the first LLM span and its output from
the last one, so a turn shows what the user asked and what the agent answered.
"""

from __future__ import annotations

from typing import Any

from grounded_core.ingest.models import MAX_SPANS, Resource, SpanIn, TraceIn
from grounded_core.otel.mapping import bounded_attributes
from grounded_core.otel.models import ReceivedSpan

SOURCE = "otel"


def _root(received: list[ReceivedSpan]) -> ReceivedSpan | None:
    return next((span for span in received if span.is_root), None)


def _first(received: list[ReceivedSpan], field: str) -> Any:
    return next((getattr(span, field) for span in received if getattr(span, field)), None)


def _content(root: SpanIn | None, spans: list[SpanIn]) -> tuple[Any, Any]:
    llm = [span for span in spans if span.kind == "llm"]
    found_in = root.input if root is not None else None
    found_out = root.output if root is not None else None
    if found_in is None and llm:
        found_in = next((span.input for span in llm if span.input is not None), None)
    if found_out is None and llm:
        found_out = next((span.output for span in reversed(llm) if span.output is not None), None)
    return found_in, found_out


def _service(span: ReceivedSpan) -> str | None:
    name = span.resource.get("service.name")
    return str(name)[:200] if name else None


def assemble(trace_id: str, received: list[ReceivedSpan]) -> TraceIn:
    """``received`` in any order (at least one span); the trace they make."""
    ordered = sorted(received, key=lambda item: (item.start_nanos, item.span.started_at, item.span.id))
    root_item = _root(ordered)
    head = root_item or ordered[0]
    spans = [item.span for item in ordered]
    kept = spans[:MAX_SPANS]
    root = root_item.span if root_item else None
    ended = [span.ended_at for span in spans if span.ended_at]
    content_in, content_out = _content(root, spans)
    errored = root.status == "error" if root else any(span.status == "error" for span in spans)
    error = root.error if root else next((span.error for span in spans if span.error), None)
    stitch_order = [root_item, *ordered] if root_item else ordered
    session_id = _first(stitch_order, "session_id")
    metadata: dict[str, Any] = {
        "source": SOURCE,
        "otel": {
            "traceId": trace_id,
            "spans": len(spans),
            "rootReceived": root is not None,
            "scope": head.scope,
            "resource": bounded_attributes(head.resource),
        },
    }
    if len(spans) > len(kept):
        metadata["otel"]["spansLeftOut"] = len(spans) - len(kept)
    return TraceIn(
        id=trace_id,
        agent_id=head.agent_id,
        # no session key at all: the trace is a session of its own, so it is still stitchable
        session_id=session_id or (None if _first(stitch_order, "anonymous_id") else f"otel-{trace_id}"),
        anonymous_id=_first(stitch_order, "anonymous_id"),
        user_id=_first(stitch_order, "user_id"),
        name=head.span.name,
        started_at=(root.started_at if root else spans[0].started_at),
        ended_at=(root.ended_at if root else (max(ended) if ended else None)),
        status="error" if errored else "ok",
        error=error if errored else None,
        input=content_in,
        output=content_out,
        resource=Resource(snapshot_id=_first(stitch_order, "snapshot_id"), service=_service(head)),
        metadata=metadata,
        spans=kept,
    )
