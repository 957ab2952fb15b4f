"""OTLP spans as Grounded spans. Pure: protobuf messages in, pydantic models out.

The table of what maps to what is in docs/opentelemetry.md; this module is its implementation.
GenAI semantic conventions (``gen_ai.*``, including the older prompt/completion attributes and
events) and OpenInference (``openinference.span.kind``, ``llm.*``, ``input.value``) are read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from grounded_core.clock import iso
from grounded_core.ingest.models import SpanIn
from grounded_core.pricing.cost import Usage

if TYPE_CHECKING:
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
    from opentelemetry.proto.trace.v1.trace_pb2 import Span

#: one input or output is cut beyond this many characters of JSON (a span item stays far below
#: DynamoDB's 400 KB; the assembled trace moves large fields to S3 like any trace)
MAX_CONTENT_CHARS = 64_000
#: span and resource attributes are kept as metadata within these bounds
MAX_ATTRIBUTES = 64
MAX_ATTRIBUTE_CHARS = 1_000
MAX_NAME = 200
STATUS_ERROR = 2  # Status.STATUS_CODE_ERROR

LLM_OPERATIONS = {"chat", "text_completion", "generate_content"}
KINDS_BY_OPENINFERENCE = {"LLM": "llm", "TOOL": "tool", "RETRIEVER": "retrieval", "CHAIN": "chain", "AGENT": "chain"}
KINDS_BY_OPERATION = {"execute_tool": "tool", "invoke_agent": "chain", "create_agent": "chain"}
SESSION_KEYS = ("session.id", "gen_ai.conversation.id")
USER_KEYS = ("user.id", "enduser.id")
ANONYMOUS_KEYS = ("grounded.anonymous_id",)
AGENT_KEY = "grounded.agent.id"
SNAPSHOT_KEY = "grounded.snapshot.id"
#: attributes read into a span's own fields: not repeated in its metadata
CONTENT_KEYS = (
    "input.value",
    "output.value",
    "gen_ai.input.messages",
    "gen_ai.output.messages",
    "gen_ai.system_instructions",
    "gen_ai.prompt",
    "gen_ai.completion",
    "gen_ai.tool.call.arguments",
    "gen_ai.tool.call.result",
    "llm.input_messages",
    "llm.output_messages",
)
INPUT_EVENTS = {"gen_ai.system.message", "gen_ai.user.message", "gen_ai.assistant.message", "gen_ai.tool.message"}


class SpanRejected(ValueError):
    """A span that cannot be taken, with the reason the exporter is told."""


def value_of(value: AnyValue) -> Any:
    """An OTLP ``AnyValue`` as plain JSON-able Python."""
    which = value.WhichOneof("value")
    if which is None:
        return None
    if which == "array_value":
        return [value_of(item) for item in value.array_value.values]
    if which == "kvlist_value":
        return attributes_of(value.kvlist_value.values)
    if which == "bytes_value":
        return value.bytes_value.hex()
    return getattr(value, which)


def attributes_of(pairs: Iterable[KeyValue]) -> dict[str, Any]:
    return {pair.key: value_of(pair.value) for pair in pairs}


def iso_from_nanos(nanos: int) -> str:
    seconds, rest = divmod(nanos, 1_000_000_000)
    return iso(datetime.fromtimestamp(seconds, tz=UTC) + timedelta(microseconds=rest // 1000))


def first(sources: Iterable[Mapping[str, Any]], names: Iterable[str]) -> Any:
    """The first non-empty value of any of ``names``, looking in each source in turn."""
    for source in sources:
        for name in names:
            if source.get(name) not in (None, ""):
                return source[name]
    return None


def text(value: Any, limit: int = MAX_NAME) -> str | None:
    return None if value in (None, "") else str(value)[:limit]


def bounded(value: Any) -> Any:
    """``value``, or its JSON cut to :data:`MAX_CONTENT_CHARS` (marked) when larger."""
    if value is None:
        return None
    rendered = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    if len(rendered) <= MAX_CONTENT_CHARS:
        return value
    return rendered[:MAX_CONTENT_CHARS] + "…[truncated]"


def bounded_attributes(attributes: Mapping[str, Any], skip: Iterable[str] = ()) -> dict[str, Any]:
    """At most :data:`MAX_ATTRIBUTES` attributes, long values cut, in name order."""
    skipped = set(skip)
    kept: dict[str, Any] = {}
    for name in sorted(attributes):
        if name in skipped or len(kept) == MAX_ATTRIBUTES:
            continue
        value = attributes[name]
        if isinstance(value, str):
            value = value[:MAX_ATTRIBUTE_CHARS]
        elif not isinstance(value, bool | int | float) and value is not None:
            rendered = json.dumps(value, default=str)
            value = value if len(rendered) <= MAX_ATTRIBUTE_CHARS else rendered[:MAX_ATTRIBUTE_CHARS]
        kept[name[:100]] = value
    return kept


def parsed(value: Any) -> Any:
    """JSON carried in a string attribute (``input.value``, ``gen_ai.input.messages``), parsed."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def span_kind(attributes: Mapping[str, Any]) -> str:
    operation = str(attributes.get("gen_ai.operation.name") or "")
    openinference = str(attributes.get("openinference.span.kind") or "").upper()
    if operation in LLM_OPERATIONS:
        return "llm"
    if operation in KINDS_BY_OPERATION:
        return KINDS_BY_OPERATION[operation]
    return KINDS_BY_OPENINFERENCE.get(openinference, "custom")


def model_of(attributes: Mapping[str, Any]) -> str | None:
    return text(first([attributes], ("gen_ai.response.model", "gen_ai.request.model", "llm.model_name")))


def _count(attributes: Mapping[str, Any], *names: str) -> int:
    value = first([attributes], names)
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0


def usage_of(attributes: Mapping[str, Any]) -> Usage | None:
    """GenAI or OpenInference token counts, normalized like native usage (the prompt count
    includes cached tokens; Grounded's ``inputTokens`` does not, so they are priced once)."""
    return Usage.from_inclusive(
        prompt=_count(attributes, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt"),
        completion=_count(
            attributes, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion"
        ),
        cache_read=_count(
            attributes,
            "gen_ai.usage.cache_read.input_tokens",
            "gen_ai.usage.cache_read_input_tokens",
            "llm.token_count.prompt_details.cache_read",
        ),
        cache_write=_count(
            attributes,
            "gen_ai.usage.cache_creation.input_tokens",
            "gen_ai.usage.cache_creation_input_tokens",
            "llm.token_count.prompt_details.cache_write",
        ),
        reasoning=_count(
            attributes,
            "gen_ai.usage.reasoning.output_tokens",
            "gen_ai.usage.reasoning_tokens",
            "llm.token_count.completion_details.reasoning",
        ),
    )


def _indexed(attributes: Mapping[str, Any], prefix: str) -> list[dict[str, Any]]:
    """OpenLLMetry's ``gen_ai.prompt.0.role`` / ``gen_ai.prompt.0.content`` as a message list."""
    messages: dict[int, dict[str, Any]] = {}
    for name, value in attributes.items():
        if not name.startswith(prefix):
            continue
        index, _, field = name[len(prefix) :].partition(".")
        if index.isdigit() and field in ("role", "content"):
            messages.setdefault(int(index), {})[field] = value
    return [messages[index] for index in sorted(messages)]


def _event_messages(events: list[tuple[str, dict[str, Any]]]) -> tuple[Any, Any]:
    """Input and output from GenAI span events (``gen_ai.user.message`` … ``gen_ai.choice``, or
    ``gen_ai.content.prompt`` / ``gen_ai.content.completion``)."""
    inputs: list[Any] = []
    outputs: list[Any] = []
    for name, attributes in events:
        if name in INPUT_EVENTS:
            role = name.removeprefix("gen_ai.").removesuffix(".message")
            inputs.append({"role": attributes.get("role", role), "content": parsed(attributes.get("content"))})
        elif name == "gen_ai.choice":
            message = parsed(attributes.get("message"))
            outputs.append(message if message is not None else attributes)
        elif name == "gen_ai.content.prompt" and attributes.get("gen_ai.prompt") is not None:
            inputs.append(parsed(attributes["gen_ai.prompt"]))
        elif name == "gen_ai.content.completion" and attributes.get("gen_ai.completion") is not None:
            outputs.append(parsed(attributes["gen_ai.completion"]))
    single_in = inputs[0] if len(inputs) == 1 and not isinstance(inputs[0], dict) else inputs
    single_out = outputs[0] if len(outputs) == 1 else outputs
    return (single_in or None), (single_out or None)


def content_of(attributes: Mapping[str, Any], events: list[tuple[str, dict[str, Any]]]) -> tuple[Any, Any]:
    """A span's input and output, from the first convention that has them."""
    found_in = first(
        [attributes],
        ("input.value", "gen_ai.input.messages", "gen_ai.tool.call.arguments", "gen_ai.prompt", "llm.input_messages"),
    )
    found_out = first(
        [attributes],
        (
            "output.value",
            "gen_ai.output.messages",
            "gen_ai.tool.call.result",
            "gen_ai.completion",
            "llm.output_messages",
        ),
    )
    if found_in is None and (indexed := _indexed(attributes, "gen_ai.prompt.")):
        found_in = indexed
    if found_out is None and (indexed := _indexed(attributes, "gen_ai.completion.")):
        found_out = indexed
    if found_in is None or found_out is None:
        from_events = _event_messages(events)
        found_in = from_events[0] if found_in is None else found_in
        found_out = from_events[1] if found_out is None else found_out
    return bounded(parsed(found_in)), bounded(parsed(found_out))


def error_of(span: Span, events: list[tuple[str, dict[str, Any]]]) -> str | None:
    if span.status.code != STATUS_ERROR:
        return None
    exception = next((attributes for name, attributes in events if name == "exception"), {})
    message = span.status.message or exception.get("exception.message") or exception.get("exception.type")
    return str(message or "error")[:10_000]


def span_of(span: Span) -> SpanIn:
    """One OTLP span as a Grounded span; :class:`SpanRejected` says why one cannot be."""
    if len(span.trace_id) != 16 or not any(span.trace_id):
        raise SpanRejected("a span needs a 16-byte, non-zero traceId")
    if len(span.span_id) != 8 or not any(span.span_id):
        raise SpanRejected("a span needs an 8-byte, non-zero spanId")
    if not span.start_time_unix_nano:
        raise SpanRejected("a span needs startTimeUnixNano")
    attributes = attributes_of(span.attributes)
    events = [(event.name, attributes_of(event.attributes)) for event in span.events]
    error = error_of(span, events)
    if span.end_time_unix_nano and span.end_time_unix_nano < span.start_time_unix_nano:
        raise SpanRejected("a span ends before it starts")
    started = iso_from_nanos(span.start_time_unix_nano)
    ended = iso_from_nanos(span.end_time_unix_nano) if span.end_time_unix_nano else None
    content_in, content_out = content_of(attributes, events)
    return SpanIn(
        id=span.span_id.hex(),
        parent_id=span.parent_span_id.hex() if any(span.parent_span_id) else None,
        kind=span_kind(attributes),  # type: ignore[arg-type]
        name=(span.name or "span")[:MAX_NAME],
        started_at=started,
        ended_at=ended,
        model=model_of(attributes),
        input=content_in,
        output=content_out,
        usage=usage_of(attributes),
        status="error" if error is not None else "ok",
        error=error,
        attributes=bounded_attributes(attributes, skip=CONTENT_KEYS),
    )


def stitch_of(*sources: Mapping[str, Any]) -> dict[str, str | None]:
    """``sessionId``, ``userId`` and ``anonymousId`` from span attributes, then the resource's."""
    return {
        "session_id": text(first(sources, SESSION_KEYS)),
        "user_id": text(first(sources, USER_KEYS)),
        "anonymous_id": text(first(sources, ANONYMOUS_KEYS)),
    }
