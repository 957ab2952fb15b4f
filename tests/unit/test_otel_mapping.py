"""OTLP spans as Grounded spans (GenAI and OpenInference conventions), OTLP/JSON's hex ids, gzip
bounds, and a trace assembled from whatever spans arrived."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

from grounded_core.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from grounded_core.otel.assemble import assemble
from grounded_core.otel.decode import decode_request, encode_response, encoding_of, inflate
from grounded_core.otel.mapping import SpanRejected, span_of, stitch_of, usage_of
from grounded_core.otel.models import ReceivedSpan
from grounded_core.otel.service import Outcome

TRACE_ID = bytes.fromhex("5b8efff798038103d269b633813fc60c")
START = 1_700_000_000_000_000_000


def span(name: str = "step", span_id: str = "eee19b7ec3c1b174", parent: str = "", **attributes: Any) -> Span:
    made = Span(
        trace_id=TRACE_ID,
        span_id=bytes.fromhex(span_id),
        parent_span_id=bytes.fromhex(parent),
        name=name,
        start_time_unix_nano=START,
        end_time_unix_nano=START + 2_000_000_000,
    )
    for key, value in attributes.items():
        attribute = made.attributes.add()
        attribute.key = key.replace("__", ".")
        if isinstance(value, bool):
            attribute.value.bool_value = value
        elif isinstance(value, int):
            attribute.value.int_value = value
        else:
            attribute.value.string_value = value
    return made


@pytest.mark.parametrize(
    ("attributes", "kind"),
    [
        ({"gen_ai.operation.name": "chat"}, "llm"),
        ({"gen_ai.operation.name": "text_completion"}, "llm"),
        ({"gen_ai.operation.name": "generate_content"}, "llm"),
        ({"openinference.span.kind": "LLM"}, "llm"),
        ({"gen_ai.operation.name": "execute_tool"}, "tool"),
        ({"openinference.span.kind": "TOOL"}, "tool"),
        ({"openinference.span.kind": "RETRIEVER"}, "retrieval"),
        ({"openinference.span.kind": "AGENT"}, "chain"),
        ({"gen_ai.operation.name": "invoke_agent"}, "chain"),
        ({"gen_ai.operation.name": "embeddings"}, "custom"),
        ({}, "custom"),
    ],
)
def test_span_kinds_follow_genai_then_openinference(attributes: dict[str, str], kind: str) -> None:
    made = span(**{key.replace(".", "__"): value for key, value in attributes.items()})
    assert span_of(made).kind == kind


def test_genai_usage_counts_cached_tokens_once_and_prefers_the_response_model() -> None:
    mapped = span_of(
        span(
            gen_ai__operation__name="chat",
            gen_ai__request__model="gpt-4o",
            gen_ai__response__model="gpt-4o-2024-08-06",
            gen_ai__usage__input_tokens=1000,
            gen_ai__usage__output_tokens=300,
            gen_ai__usage__cache_read__input_tokens=600,
            gen_ai__usage__cache_creation__input_tokens=100,
            gen_ai__usage__reasoning__output_tokens=120,
        )
    )
    assert mapped.model == "gpt-4o-2024-08-06"
    assert mapped.usage is not None
    assert mapped.usage.model_dump() == {
        "input_tokens": 300,
        "output_tokens": 300,
        "cache_read_tokens": 600,
        "cache_write_tokens": 100,
        "reasoning_tokens": 120,
    }


def test_openinference_usage_model_and_content() -> None:
    mapped = span_of(
        span(
            openinference__span__kind="LLM",
            llm__model_name="claude-3-5-sonnet-20241022",
            llm__token_count__prompt=50,
            llm__token_count__completion=10,
            llm__token_count__prompt_details__cache_read=20,
            input__value='{"question": "why?"}',
            output__value="because",
        )
    )
    assert mapped.model == "claude-3-5-sonnet-20241022"
    assert mapped.usage is not None
    assert (mapped.usage.input_tokens, mapped.usage.cache_read_tokens) == (30, 20)
    assert mapped.input == {"question": "why?"}
    assert mapped.output == "because"
    assert "input.value" not in mapped.attributes
    assert mapped.attributes["openinference.span.kind"] == "LLM"


def test_no_token_counts_is_no_usage() -> None:
    assert usage_of({"gen_ai.operation.name": "chat"}) is None


def test_content_from_genai_events_and_openllmetry_indexed_attributes() -> None:
    with_events = span(gen_ai__operation__name="chat")
    for name, attributes in (
        ("gen_ai.system.message", {"content": "Be brief."}),
        ("gen_ai.user.message", {"content": "Hi"}),
        ("gen_ai.choice", {"message": '{"role": "assistant", "content": "Hello"}'}),
    ):
        event = with_events.events.add(name=name)
        for key, value in attributes.items():
            added = event.attributes.add()
            added.key = key
            added.value.string_value = value
    mapped = span_of(with_events)
    assert mapped.input == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
    assert mapped.output == {"role": "assistant", "content": "Hello"}

    indexed = span_of(
        span(gen_ai__prompt__0__role="user", gen_ai__prompt__0__content="Hi", gen_ai__completion__0__content="Yo")
    )
    assert indexed.input == [{"role": "user", "content": "Hi"}]
    assert indexed.output == [{"content": "Yo"}]


def test_errors_come_from_the_status_or_the_exception_event() -> None:
    failed = span(name="tool")
    failed.status.CopyFrom(Status(code=Status.STATUS_CODE_ERROR))
    event = failed.events.add(name="exception")
    message = event.attributes.add()
    message.key, message.value.string_value = "exception.message", "timeout after 30s"
    mapped = span_of(failed)
    assert (mapped.status, mapped.error) == ("error", "timeout after 30s")


def test_large_content_is_cut_and_attributes_are_bounded() -> None:
    mapped = span_of(span(input__value="x" * 100_000, **{f"custom__{n}": "v" * 5000 for n in range(100)}))
    assert isinstance(mapped.input, str)
    assert mapped.input.endswith("…[truncated]")
    assert len(mapped.attributes) == 64
    assert all(len(value) <= 1000 for value in mapped.attributes.values())


@pytest.mark.parametrize(
    ("broken", "reason"),
    [
        ({"trace_id": b"\x00" * 16}, "traceId"),
        ({"span_id": b"\x01\x02"}, "spanId"),
        ({"start_time_unix_nano": 0}, "startTimeUnixNano"),
        ({"end_time_unix_nano": START - 1}, "ends before it starts"),
    ],
)
def test_spans_that_cannot_be_taken_say_why(broken: dict[str, Any], reason: str) -> None:
    made = span()
    for field, value in broken.items():
        setattr(made, field, value)
    with pytest.raises(SpanRejected, match=reason):
        span_of(made)


def test_stitch_keys_come_from_the_span_then_the_resource() -> None:
    assert stitch_of({"gen_ai.conversation.id": "c-1"}, {"session.id": "s-1", "user.id": "u-1"}) == {
        "session_id": "c-1",
        "user_id": "u-1",
        "anonymous_id": None,
    }


def test_otlp_json_hex_ids_and_enum_numbers_decode() -> None:
    body = {
        "resourceSpans": [
            {
                "scopeSpans": [
                    {
                        "spans": [
                            {
                                "traceId": TRACE_ID.hex(),
                                "spanId": "eee19b7ec3c1b174",
                                "name": "x",
                                "kind": 2,
                                "startTimeUnixNano": str(START),
                                "status": {"code": 2},
                                "unknownField": True,
                            }
                        ]
                    }
                ]
            }
        ]
    }
    request = decode_request(json.dumps(body).encode(), "json")
    decoded = request.resource_spans[0].scope_spans[0].spans[0]
    assert decoded.trace_id == TRACE_ID
    assert decoded.status.code == Status.STATUS_CODE_ERROR


def test_content_types_encodings_and_the_decompressed_size_limit() -> None:
    assert encoding_of("application/x-protobuf") == "protobuf"
    assert encoding_of("application/json; charset=utf-8") == "json"
    with pytest.raises(UnsupportedMediaType):
        encoding_of("text/plain")
    assert inflate(gzip.compress(b"abc"), "gzip", 10) == b"abc"
    with pytest.raises(PayloadTooLarge):
        inflate(gzip.compress(b"a" * 11), "gzip", 10)
    with pytest.raises(BadRequest):
        inflate(gzip.compress(b"abc")[:-5], "gzip", 10)
    with pytest.raises(UnsupportedMediaType):
        inflate(b"abc", "deflate", 10)


def test_the_answer_sets_partial_success_only_when_spans_were_rejected() -> None:
    assert encode_response(0, "", "json") == (b"{}", "application/json")
    body, _ = encode_response(2, "2 span(s) rejected: why (2)", "json")
    assert json.loads(body) == {"partialSuccess": {"rejectedSpans": 2, "errorMessage": "2 span(s) rejected: why (2)"}}
    outcome = Outcome()
    outcome.reject("no agent", 3)
    outcome.reject("in the future")
    assert outcome.rejected == 4
    assert outcome.message == "4 span(s) rejected: no agent (3); in the future (1)"


def received(made: Span, **fields: Any) -> ReceivedSpan:
    return ReceivedSpan(
        org_id="org_1",
        trace_id=TRACE_ID.hex(),
        agent_id="agt_1",
        span=span_of(made),
        start_nanos=made.start_time_unix_nano,
        received_at="2026-01-01T00:00:00.000Z",
        **fields,
    )


def test_a_trace_takes_its_root_and_falls_back_to_its_llm_spans_for_content() -> None:
    root = span("agent", span_id="0000000000000001")
    chat = span("chat", span_id="0000000000000002", parent="0000000000000001", gen_ai__operation__name="chat")
    chat.start_time_unix_nano += 1
    chat_content = received(chat)
    chat_content.span.input, chat_content.span.output = "Hi", "Hello"
    trace = assemble(TRACE_ID.hex(), [chat_content, received(root, session_id="s-9")])
    assert (trace.name, trace.session_id, trace.input, trace.output) == ("agent", "s-9", "Hi", "Hello")
    assert [s.name for s in trace.spans] == ["agent", "chat"]
    assert trace.metadata["otel"]["rootReceived"] is True


def test_a_rootless_trace_is_a_session_of_its_own_spanning_what_arrived() -> None:
    child = span("tool", span_id="0000000000000003", parent="0000000000000001")
    trace = assemble(TRACE_ID.hex(), [received(child)])
    assert trace.session_id == f"otel-{TRACE_ID.hex()}"
    assert trace.metadata["otel"]["rootReceived"] is False
    assert (trace.started_at, trace.ended_at) == (trace.spans[0].started_at, trace.spans[0].ended_at)
