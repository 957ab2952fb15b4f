"""Exporting spans the way users do: the real OpenTelemetry SDK and its OTLP/HTTP exporters
(protobuf and JSON), pointed at the local cloud's ``/api/otel/v1/traces``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

Encoding = Literal["protobuf", "json"]


def exporter(base_url: str, key: str, encoding: Encoding = "protobuf", **options: Any) -> SpanExporter:
    """The SDK's OTLP/HTTP span exporter for ``encoding``, with Grounded's endpoint and key."""
    endpoint = f"{base_url}/api/otel/v1/traces"
    headers = {"authorization": f"Bearer {key}", **options.pop("headers", {})}
    if encoding == "json":
        from opentelemetry.exporter.otlp.json.http.trace_exporter import OTLPSpanExporter as JsonExporter

        return JsonExporter(endpoint=endpoint, headers=headers, **options)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(endpoint=endpoint, headers=headers, **options)


@contextmanager
def recorded(attributes: dict[str, Any] | None = None) -> Iterator[tuple[TracerProvider, InMemorySpanExporter]]:
    """A tracer provider whose finished spans are kept in memory, to export in any order later."""
    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "support-bot", **(attributes or {})}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    try:
        yield provider, memory
    finally:
        provider.shutdown()


def export(target: SpanExporter, spans: Sequence[ReadableSpan]) -> None:
    assert target.export(spans) == SpanExportResult.SUCCESS


def trace_hex(span: ReadableSpan) -> str:
    assert span.context is not None
    return f"{span.context.trace_id:032x}"


def agent_run(provider: TracerProvider, session_id: str, question: str = "Where is my order?") -> None:
    """What an instrumented agent does for one question: a root span, a chat call, a tool call and
    a second chat call, with GenAI attributes (usage with cached tokens)."""
    tracer = provider.get_tracer("support-bot")
    with tracer.start_as_current_span("answer_question") as root:
        root.set_attribute("session.id", session_id)
        root.set_attribute("input.value", question)
        with tracer.start_as_current_span("chat gpt-4o-mini") as chat:
            chat.set_attributes(
                {
                    "gen_ai.operation.name": "chat",
                    "gen_ai.request.model": "gpt-4o-mini",
                    "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
                    "gen_ai.usage.input_tokens": 1200,
                    "gen_ai.usage.output_tokens": 80,
                    "gen_ai.usage.cache_read.input_tokens": 200,
                }
            )
        with tracer.start_as_current_span("execute_tool lookup_order") as tool:
            tool.set_attributes(
                {
                    "gen_ai.operation.name": "execute_tool",
                    "gen_ai.tool.name": "lookup_order",
                    "gen_ai.tool.call.arguments": '{"order": "A-17"}',
                    "gen_ai.tool.call.result": '{"status": "shipped"}',
                }
            )
        with tracer.start_as_current_span("chat gpt-4o-mini") as chat:
            chat.set_attributes(
                {
                    "gen_ai.operation.name": "chat",
                    "gen_ai.request.model": "gpt-4o-mini",
                    "gen_ai.usage.input_tokens": 1500,
                    "gen_ai.usage.output_tokens": 40,
                }
            )
        root.set_attribute("output.value", "It shipped yesterday.")


def run_spans(session_id: str, resource: dict[str, Any] | None = None) -> list[ReadableSpan]:
    """The finished spans of one :func:`agent_run`."""
    with recorded(resource) as (provider, memory):
        agent_run(provider, session_id)
    return list(memory.get_finished_spans())
