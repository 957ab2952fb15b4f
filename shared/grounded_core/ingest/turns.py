"""The conversation turns a trace stands for: the user's input, each tool call, the assistant's
answer. Pure; ids are derived from the trace so rebuilding them twice gives the same turns."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from grounded_core.clock import parse_iso
from grounded_core.model import StoredModel
from grounded_core.pricing.cost import Usage
from grounded_core.store import keys

if TYPE_CHECKING:
    from grounded_core.ingest.models import SpanIn, TraceIn

MAX_TURN_CONTENT = 16_000
#: the text a trace's turns may hold together in its session item (DynamoDB items hold 400 KB; a
#: trace with many long tool outputs keeps the rest in the trace itself)
MAX_TRACE_TURNS_BYTES = 200_000
_TEXT_KEYS = ("content", "text", "message", "question", "query", "prompt", "input", "answer", "output", "response")


class Turn(StoredModel):
    """One turn of a session's conversation, kept in the session's partition (time-sorted)."""

    id: str
    role: Literal["user", "assistant", "system", "tool"]
    content: str
    timestamp: str
    trace_id: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    model: str | None = None
    usage: Usage | None = None
    latency_ms: int | None = None
    truncated: bool = False
    cost_usd: float | None = Field(None)
    #: where it is kept; not shown (a turn is always read through its session)
    org_id: str | None = Field(None, exclude=True)
    session_id: str | None = Field(None, exclude=True)

    def keys(self) -> dict[str, str]:
        if not (self.org_id and self.session_id):
            raise ValueError("a turn is kept in its session: give it org_id and session_id")
        return {"PK": keys.session(self.org_id, self.session_id), "SK": keys.turn_sort(self.timestamp, self.id)}


def as_text(value: Any) -> str:
    """A readable rendering of an input or output: text as is, chat messages by their last
    content, dicts by their most text-like field, anything else as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(m, dict) for m in value):
        return as_text(value[-1].get("content", value[-1]))
    if isinstance(value, dict):
        if isinstance(value.get("parts"), list) and (text := _text_parts(value["parts"])):
            return text  # OpenTelemetry GenAI messages: {"role": …, "parts": [{"type": "text", "content": …}]}
        if isinstance(value.get("messages"), list) and value["messages"]:
            return as_text(value["messages"])
        for key in _TEXT_KEYS:
            if isinstance(value.get(key), str | list | dict):
                return as_text(value[key])
    return json.dumps(value, default=str, ensure_ascii=False)


def _text_parts(parts: list[Any]) -> str:
    return "\n".join(
        str(part["content"])
        for part in parts
        if isinstance(part, dict) and part.get("type") == "text" and part.get("content")
    )


def _bounded(text: str) -> tuple[str, bool]:
    return (text[:MAX_TURN_CONTENT], True) if len(text) > MAX_TURN_CONTENT else (text, False)


def _sum_usage(spans: list[SpanIn]) -> Usage | None:
    usages = [span.usage for span in spans if span.kind == "llm" and span.usage]
    if not usages:
        return None
    return Usage(
        input_tokens=sum(u.input_tokens for u in usages),
        output_tokens=sum(u.output_tokens for u in usages),
        cache_read_tokens=sum(u.cache_read_tokens for u in usages),
        cache_write_tokens=sum(u.cache_write_tokens for u in usages),
        reasoning_tokens=sum(u.reasoning_tokens for u in usages),
    )


def turns_of(trace_id: str, trace: TraceIn) -> list[Turn]:
    turns: list[Turn] = []

    def add(role: Any, value: Any, timestamp: str, **extra: Any) -> None:
        content, truncated = _bounded(as_text(value))
        turns.append(
            Turn(
                id=f"{trace_id}:{len(turns)}",
                role=role,
                content=content,
                timestamp=timestamp,
                trace_id=trace_id,
                truncated=truncated,
                **extra,
            )
        )

    if trace.input is not None:
        add("user", trace.input, trace.started_at)
    for span in trace.spans:
        if span.kind == "tool":
            add(
                "tool",
                span.output,
                span.ended_at or span.started_at,
                tool_calls=[{"name": span.name, "input": span.input}],
            )
    if trace.output is not None:
        ended = trace.ended_at or trace.started_at
        latency = int((parse_iso(ended) - parse_iso(trace.started_at)).total_seconds() * 1000)
        model = next((span.model for span in trace.spans if span.kind == "llm" and span.model), None)
        add("assistant", trace.output, ended, model=model, usage=_sum_usage(trace.spans), latency_ms=latency)
    return turns


class TraceInSession(StoredModel):
    """A trace's place in its session: its summary and its conversation turns, one item in the
    session's partition sorted by the trace's start — the timeline reads it with the session's own
    items, and the session's traces are listed from it (no index entry to write per trace)."""

    packed_fields = frozenset({"turns", "error"})

    id: str
    agent_id: str
    name: str
    status: str
    #: when the trace started (its place in the timeline)
    timestamp: str
    ended_at: str | None = None
    error: str | None = None
    span_count: int = 0
    cost_nanos: int = 0
    unpriced_calls: int = 0
    turns: list[Turn] = Field(default_factory=list)
    org_id: str | None = Field(None, exclude=True)
    session_id: str | None = Field(None, exclude=True)

    def keys(self) -> dict[str, str]:
        if not (self.org_id and self.session_id):
            raise ValueError("a trace's session item is kept in its session: give it org_id and session_id")
        return {"PK": keys.session(self.org_id, self.session_id), "SK": keys.trace_in_session(self.timestamp, self.id)}

    def turn_entries(self) -> list[dict[str, Any]]:
        """Its turns as the timeline shows them."""
        return [turn.model_dump(mode="json", by_alias=True, exclude_none=True) for turn in self.turns]


def within_budget(turns: list[Turn], budget: int = MAX_TRACE_TURNS_BYTES) -> list[Turn]:
    """The turns with their text cut (``truncated``) once together they pass ``budget`` bytes."""
    kept = []
    for turn in turns:
        text = turn.content.encode()
        if len(text) <= budget:
            kept.append(turn)
        else:
            cut = text[: max(0, budget)].decode(errors="ignore")
            kept.append(turn.patched({"content": cut, "truncated": True}))
        budget -= min(len(text), max(0, budget))
    return kept
