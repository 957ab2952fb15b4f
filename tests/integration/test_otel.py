"""OTLP ingestion through the real OpenTelemetry SDK and its OTLP/HTTP exporters: a trace becomes a
Grounded trace in a session with turns, tokens and cost; spans that arrive split, out of order or
twice end exactly like one clean export; bad exports get the OTLP answer that says why."""

from __future__ import annotations

import gzip
import json
import uuid
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from tests.support.concurrency import at_once
from tests.support.identity import Account, bearer, create_agent, create_key, create_snapshot
from tests.support.ingest import event
from tests.support.otel import Encoding, export, exporter, recorded, run_spans, trace_hex
from tests.support.waiting import wait_until

PATH = "/api/otel/v1/traces"
#: what a clean export of :func:`agent_run` adds to its session (prices from the built-in table)
COUNTED = ("traces", "turns", "errors", "tokens", "costUsd", "costPartial")


@pytest.fixture(scope="module")
def scoped_key(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> str:
    return str(create_key(api, owner, kind="secret", agentId=agent["id"], name="otel")["key"])


def session_of(api: httpx.Client, owner: Account, agent_id: str, external_id: str) -> dict[str, Any] | None:
    sessions = api.get("/api/sessions", params={"agentId": agent_id, "limit": 100}, headers=owner.headers).json()
    return next((s for s in sessions["items"] if s.get("externalId") == external_id), None)


def wait_session(
    api: httpx.Client, owner: Account, agent_id: str, external_id: str, traces: int = 1, **expected: Any
) -> dict[str, Any]:
    def settled() -> dict[str, Any] | None:
        found = session_of(api, owner, agent_id, external_id)
        if found is None or found["traces"] != traces or not found.get("lastSeenAt"):
            return None  # not counted yet, or not touched yet (lastSeenAt moves just after the counters)
        return found if all(found.get(k) == v for k, v in expected.items()) else None

    return wait_until(settled, timeout=60, what=f"session {external_id}")


def wait_trace(api: httpx.Client, owner: Account, trace_id: str, spans: int) -> dict[str, Any]:
    def settled() -> dict[str, Any] | None:
        answer = api.get(f"/api/traces/{trace_id}", headers=owner.headers)
        body = answer.json() if answer.status_code == 200 else {}
        done = body.get("normalization", {}).get("state") == "normalized" and len(body.get("spans", [])) == spans
        return body if done else None

    return wait_until(settled, timeout=60, what=f"trace {trace_id} with {spans} spans")


def settle(cloud: Any) -> None:
    """Until no delayed message waits in the normalize queue and every batch is handled."""
    sqs, queue = cloud.client("sqs"), cloud.resources["NormalizeQueue"]

    def no_delayed() -> bool:
        attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessagesDelayed"])
        return attributes["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "0"

    wait_until(no_delayed, timeout=30, what="the delayed assembly messages")
    cloud.drain()


def counted(session: dict[str, Any]) -> dict[str, Any]:
    return {name: session[name] for name in COUNTED}


@pytest.mark.parametrize("encoding", ["protobuf", "json"])
def test_an_exported_agent_run_becomes_a_trace_in_a_session_with_turns_tokens_and_cost(
    api: httpx.Client, cloud: Any, owner: Account, agent: dict[str, Any], scoped_key: str, encoding: Encoding
) -> None:
    session_id = f"otel-{encoding}-{uuid.uuid4().hex[:8]}"
    spans = run_spans(session_id)
    export(exporter(cloud.url, scoped_key, encoding), spans)

    trace = wait_trace(api, owner, trace_hex(spans[0]), spans=4)
    assert trace["name"] == "answer_question"
    assert trace["input"] == "Where is my order?"
    assert trace["output"] == "It shipped yesterday."
    assert trace["agentId"] == agent["id"]
    assert trace["metadata"]["source"] == "otel"
    assert trace["metadata"]["otel"]["resource"]["service.name"] == "support-bot"
    by_name = {span["name"]: span for span in trace["spans"]}
    assert [span["kind"] for span in trace["spans"]] == ["custom", "llm", "tool", "llm"]
    assert by_name["execute_tool lookup_order"]["input"] == {"order": "A-17"}
    first_chat = next(span for span in trace["spans"] if span["kind"] == "llm")
    assert first_chat["model"] == "gpt-4o-mini-2024-07-18"
    assert first_chat["usage"] == {
        "inputTokens": 1000,
        "outputTokens": 80,
        "cacheReadTokens": 200,
        "cacheWriteTokens": 0,
        "reasoningTokens": 0,
    }
    assert trace["costUsd"] > 0
    assert trace["costPartial"] is False

    session = wait_session(api, owner, agent["id"], session_id)
    assert session["tokens"]["input"] == 2500
    assert session["tokens"]["cacheRead"] == 200
    assert session["costUsd"] == trace["costUsd"]
    timeline = api.get(f"/api/sessions/{session['id']}/timeline", headers=owner.headers).json()["items"]
    turns = [item["data"] for item in timeline if item["kind"] == "turn"]
    assert [turn["role"] for turn in turns] == ["user", "tool", "assistant"]


def test_gzip_bodies_are_accepted_and_the_answer_is_in_the_request_encoding(
    api: httpx.Client, cloud: Any, owner: Account, agent: dict[str, Any], scoped_key: str
) -> None:
    session_id = f"otel-gzip-{uuid.uuid4().hex[:8]}"
    spans = run_spans(session_id)
    from opentelemetry.exporter.otlp.proto.http import Compression

    export(exporter(cloud.url, scoped_key, "protobuf", compression=Compression.Gzip), spans)
    wait_session(api, owner, agent["id"], session_id)

    empty = api.post(PATH, content=b"", headers={**bearer(scoped_key), "content-type": "application/x-protobuf"})
    assert empty.status_code == 200
    assert empty.headers["content-type"] == "application/x-protobuf"
    assert not ExportTraceServiceResponse.FromString(empty.content).HasField("partial_success")
    as_json = api.post(PATH, json={"resourceSpans": []}, headers=bearer(scoped_key))
    assert as_json.status_code == 200
    assert as_json.json() == {}


def test_the_openai_instrumentation_s_spans_merge_with_browser_telemetry_of_the_same_session(
    api: httpx.Client, cloud: Any, owner: Account, agent: dict[str, Any], scoped_key: str, monkeypatch: Any
) -> None:
    import openai
    from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    from tests.fakes.openai import FakeOpenAI

    monkeypatch.setenv("OTEL_SEMCONV_STABILITY_OPT_IN", "gen_ai_latest_experimental")
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "span_only")
    visit = f"visit-{uuid.uuid4().hex[:8]}"
    browser = event(agent["id"], f"anon-{visit}", sessionId=visit, type="page", name="/help")
    assert api.post("/api/telemetry", json={"events": [browser]}, headers=owner.headers).status_code == 202

    fake = FakeOpenAI().start()
    instrumentor = OpenAIInstrumentor()
    try:
        with recorded() as (provider, _):
            processor = BatchSpanProcessor(exporter(cloud.url, scoped_key, "protobuf"))
            provider.add_span_processor(processor)
            instrumentor.instrument(tracer_provider=provider)
            client = openai.OpenAI(api_key="sk-test", base_url=f"{fake.url}/v1", max_retries=0)
            with provider.get_tracer("app").start_as_current_span("help_chat") as root:
                root.set_attribute("session.id", visit)
                client.chat.completions.create(
                    model="gpt-4o-mini", messages=[{"role": "user", "content": "How do I return shoes?"}]
                )
            processor.force_flush()
    finally:
        instrumentor.uninstrument()
        fake.stop()

    session = wait_session(api, owner, agent["id"], visit, events=1)
    traces = api.get("/api/traces", params={"sessionId": session["id"]}, headers=owner.headers).json()["items"]
    trace = api.get(f"/api/traces/{traces[0]['id']}", headers=owner.headers).json()
    chat = next(span for span in trace["spans"] if span["kind"] == "llm")
    assert chat["model"].startswith("gpt-4o-mini"), chat
    assert chat["usage"]["outputTokens"] == 5, chat
    assert session["tokens"]["input"] == 12  # this instrumentation reports no cached tokens for chat
    assert session["costUsd"] > 0
    timeline = api.get(f"/api/sessions/{session['id']}/timeline", headers=owner.headers).json()["items"]
    turns = [(item["data"]["role"], item["data"]["content"]) for item in timeline if item["kind"] == "turn"]
    assert turns == [("user", "How do I return shoes?"), ("assistant", "Hello!")]
    assert "How do I return shoes?" in json.dumps(chat["input"])


def _clean_and_messy(
    api: httpx.Client, cloud: Any, owner: Account, agent_id: str, key: str, deliver: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same agent run exported once cleanly and once by ``deliver(exporter, spans)``; both
    sessions once settled."""
    clean_session, messy_session = (f"otel-{name}-{uuid.uuid4().hex[:8]}" for name in ("clean", "messy"))
    clean, messy = run_spans(clean_session), run_spans(messy_session)
    export(exporter(cloud.url, key), clean)
    deliver(exporter(cloud.url, key), list(messy))
    expected = wait_session(api, owner, agent_id, clean_session)
    trace = wait_trace(api, owner, trace_hex(messy[0]), spans=4)
    got = wait_session(api, owner, agent_id, messy_session, turns=expected["turns"], costUsd=expected["costUsd"])
    clean_trace = wait_trace(api, owner, trace_hex(clean[0]), spans=4)
    assert [_span_shape(span) for span in trace["spans"]] == [_span_shape(span) for span in clean_trace["spans"]]
    return expected, {**got, "trace": trace}


def _span_shape(span: dict[str, Any]) -> tuple[Any, ...]:
    """What a span says, but its ids and times."""
    return span["name"], span["kind"], span["model"], span["usage"], span["input"], span["output"], span["status"]


def _root_last(spans: list[Any]) -> tuple[list[Any], Any]:
    root = next(span for span in spans if span.parent is None)
    return [span for span in spans if span is not root], root


def test_children_exported_long_before_their_root_end_like_one_clean_export(
    api: httpx.Client, cloud: Any, owner: Account, agent: dict[str, Any], scoped_key: str
) -> None:
    alone: list[str] = []

    def children_first(target: Any, spans: list[Any]) -> None:
        children, root = _root_last(spans)
        export(target, children)
        # past the rootless bound: the trace is normalized from its children alone first, in a
        # session of its own (the session id is on the root)
        first = wait_trace(api, owner, trace_hex(root), spans=3)
        alone.append(first["normalization"]["sessionId"])
        assert first["sessionId"] == f"otel-{trace_hex(root)}"
        export(target, [root])

    expected, got = _clean_and_messy(api, cloud, owner, agent["id"], scoped_key, children_first)
    assert counted(got) == counted(expected)
    assert got["trace"]["normalization"]["sessionId"] == got["id"]
    # the session the children made alone was emptied by the move, and erased
    assert api.get(f"/api/sessions/{alone[0]}", headers=owner.headers).status_code == 404
    assert got["trace"]["name"] == "answer_question"
    assert got["trace"]["input"] == "Where is my order?"


def test_a_trace_split_across_three_exports_in_reverse_ends_like_one_clean_export(
    api: httpx.Client, cloud: Any, owner: Account, agent: dict[str, Any], scoped_key: str
) -> None:
    def in_three(target: Any, spans: list[Any]) -> None:
        for part in (spans[3:], spans[1:3], spans[:1]):
            export(target, part)

    expected, got = _clean_and_messy(api, cloud, owner, agent["id"], scoped_key, in_three)
    assert counted(got) == counted(expected)


def test_an_exporter_retry_of_the_same_batch_changes_nothing(
    api: httpx.Client, cloud: Any, owner: Account, agent: dict[str, Any], scoped_key: str
) -> None:
    def twice(target: Any, spans: list[Any]) -> None:
        export(target, spans)
        export(target, spans)

    expected, got = _clean_and_messy(api, cloud, owner, agent["id"], scoped_key, twice)
    assert counted(got) == counted(expected)
    # and a retry long after the trace was assembled changes nothing either
    session_id = got["externalId"]
    again = run_spans(f"{session_id}-again")
    target = exporter(cloud.url, scoped_key)
    export(target, again)
    first = wait_session(api, owner, agent["id"], f"{session_id}-again")
    export(target, again)
    settle(cloud)  # the retry's delayed assembly message has come and been handled
    assert session_of(api, owner, agent["id"], f"{session_id}-again") == first


def test_the_agent_comes_from_the_key_then_the_header_then_the_resource(
    api: httpx.Client, cloud: Any, owner: Account, agent: dict[str, Any]
) -> None:
    other = create_agent(api, owner.headers, name="otel-other")
    create_snapshot(api, owner.headers, other["id"])
    org_key = str(create_key(api, owner, kind="secret", name="otel-org")["key"])
    by_header, by_resource = (f"otel-{how}-{uuid.uuid4().hex[:8]}" for how in ("header", "resource"))
    spans = run_spans(by_header)
    export(exporter(cloud.url, org_key, headers={"x-grounded-agent-id": other["id"]}), spans)
    spans = run_spans(by_resource, {"grounded.agent.id": agent["id"]})
    export(exporter(cloud.url, org_key), spans)
    wait_session(api, owner, other["id"], by_header)
    wait_session(api, owner, agent["id"], by_resource)


def _raw_export(spans: list[Any], **resource: Any) -> bytes:
    """The protobuf body an exporter would send for ``spans``."""
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

    request: ExportTraceServiceRequest = encode_spans(spans)
    for resource_spans in request.resource_spans:
        for key, value in resource.items():
            attribute = resource_spans.resource.attributes.add()
            attribute.key = key
            attribute.value.string_value = value
    return request.SerializeToString()


def _answer(response: httpx.Response) -> ExportTraceServiceResponse:
    assert response.status_code == 200, response.text
    return ExportTraceServiceResponse.FromString(response.content)


def test_spans_without_an_agent_or_of_an_unknown_agent_are_rejected_with_the_reason(
    api: httpx.Client, owner: Account
) -> None:
    org_key = str(create_key(api, owner, kind="secret", name="otel-no-agent")["key"])
    spans = run_spans("otel-nobody")
    headers = {**bearer(org_key), "content-type": "application/x-protobuf"}

    nobody = _answer(api.post(PATH, content=_raw_export(spans), headers=headers))
    assert nobody.partial_success.rejected_spans == 4
    assert "no agent" in nobody.partial_success.error_message
    assert "x-grounded-agent-id" in nobody.partial_success.error_message

    unknown = api.post(PATH, content=_raw_export(spans, **{"grounded.agent.id": "agt_nope"}), headers=headers)
    assert _answer(unknown).partial_success.rejected_spans == 4
    assert "no agent agt_nope" in _answer(unknown).partial_success.error_message

    as_json = api.post(
        PATH, json={"resourceSpans": [{"scopeSpans": [{"spans": [_json_span()]}]}]}, headers=bearer(org_key)
    )
    assert as_json.status_code == 200
    assert as_json.json()["partialSuccess"]["rejectedSpans"] == 1


def _json_span(**fields: Any) -> dict[str, Any]:
    return {
        "traceId": uuid.uuid4().hex,
        "spanId": uuid.uuid4().hex[:16],
        "name": "step",
        "startTimeUnixNano": "1700000000000000000",
        "endTimeUnixNano": "1700000001000000000",
        **fields,
    }


def test_bad_spans_are_rejected_one_by_one_and_the_good_ones_kept(
    api: httpx.Client, owner: Account, agent: dict[str, Any], scoped_key: str
) -> None:
    good = _json_span(attributes=[{"key": "session.id", "value": {"stringValue": "otel-json-mixed"}}])
    future = _json_span(startTimeUnixNano="4102444800000000000", endTimeUnixNano="4102444801000000000")
    backwards = _json_span(startTimeUnixNano="1700000001000000000", endTimeUnixNano="1700000000000000000")
    zero = _json_span(traceId="0" * 32)
    body = {"resourceSpans": [{"scopeSpans": [{"spans": [good, future, backwards, zero]}]}]}
    answer = api.post(PATH, json=body, headers=bearer(scoped_key))
    assert answer.status_code == 200, answer.text
    partial = answer.json()["partialSuccess"]
    assert partial["rejectedSpans"] == 3
    for reason in ("in the future", "ends before it starts", "non-zero traceId"):
        assert reason in partial["errorMessage"]
    wait_trace(api, owner, good["traceId"], spans=1)


@pytest.mark.parametrize(
    ("content", "headers", "status", "code"),
    [
        (b"\x0a\xff\xff", {"content-type": "application/x-protobuf"}, 400, "malformed_body"),
        (b"{not json", {"content-type": "application/json"}, 400, "malformed_json"),
        (b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "xyz"}]}]}]}', {}, 400, "malformed_body"),
        (b'{"resourceSpans": 3}', {}, 400, "malformed_body"),
        (b"not gzip", {"content-type": "application/x-protobuf", "content-encoding": "gzip"}, 400, "malformed_body"),
        (b"{}", {"content-encoding": "br"}, 415, "unsupported_media_type"),
        (b"{}", {"content-type": "text/plain"}, 415, "unsupported_media_type"),
    ],
)
def test_undecodable_bodies_get_a_clear_400_and_other_media_types_415(
    api: httpx.Client, scoped_key: str, content: bytes, headers: dict[str, str], status: int, code: str
) -> None:
    sent = {**bearer(scoped_key), "content-type": "application/json", **headers}
    response = api.post(PATH, content=content, headers=sent)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code


def test_a_gzip_bomb_is_refused_at_the_body_limit(api: httpx.Client, scoped_key: str) -> None:
    bomb = gzip.compress(b"0" * (6 * 1024 * 1024))
    headers = {**bearer(scoped_key), "content-type": "application/x-protobuf", "content-encoding": "gzip"}
    response = api.post(PATH, content=bomb, headers=headers)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_publishable_keys_may_export_for_their_own_agent_only(
    api: httpx.Client, cloud: Any, owner: Account, agent: dict[str, Any]
) -> None:
    publishable = str(create_key(api, owner, kind="publishable", agentId=agent["id"], name="otel-pk")["key"])
    session_id = f"otel-pk-{uuid.uuid4().hex[:8]}"
    spans = run_spans(session_id, {"grounded.agent.id": "agt_someone_else"})
    export(exporter(cloud.url, publishable), spans)
    wait_session(api, owner, agent["id"], session_id)  # the key's agent wins over the resource's
    assert api.post(PATH, content=b"", headers={"content-type": "application/x-protobuf"}).status_code == 401


def test_another_agent_may_not_add_spans_to_a_trace(
    api: httpx.Client, cloud: Any, owner: Account, agent: dict[str, Any], scoped_key: str
) -> None:
    other = create_agent(api, owner.headers, name="otel-intruder")
    intruder = str(create_key(api, owner, kind="secret", agentId=other["id"], name="otel-intruder")["key"])
    spans = run_spans(f"otel-owned-{uuid.uuid4().hex[:8]}")
    export(exporter(cloud.url, scoped_key), spans)
    headers = {**bearer(intruder), "content-type": "application/x-protobuf"}
    answer = _answer(api.post(PATH, content=_raw_export(spans), headers=headers))
    assert answer.partial_success.rejected_spans == 4
    assert "another agent's" in answer.partial_success.error_message
    assert wait_trace(api, owner, trace_hex(spans[0]), spans=4)["agentId"] == agent["id"]


def test_another_org_never_sees_an_exported_trace(
    api: httpx.Client, cloud: Any, owner: Account, agent: dict[str, Any], scoped_key: str
) -> None:
    from tests.support.identity import sign_up

    spans = run_spans(f"otel-private-{uuid.uuid4().hex[:8]}")
    export(exporter(cloud.url, scoped_key), spans)
    wait_trace(api, owner, trace_hex(spans[0]), spans=4)
    stranger = sign_up(api)
    assert api.get(f"/api/traces/{trace_hex(spans[0])}", headers=stranger.headers).status_code == 404


def test_racing_assemblies_of_a_late_root_count_it_exactly_once(
    api: httpx.Client, cloud: Any, owner: Account, agent: dict[str, Any], scoped_key: str
) -> None:
    """Six workers assemble the same trace at once, right after its late root arrived (and race
    the queue's own message): the session ends exactly as after one clean export."""
    from datetime import UTC, datetime, timedelta

    from grounded_core.otel.worker import assemble_due
    from grounded_core.store import keys, table

    def late_root_raced(target: Any, spans: list[Any]) -> None:
        children, root = _root_last(spans)
        export(target, children)
        wait_trace(api, owner, trace_hex(root), spans=3)
        export(target, [root])
        state = table.get(keys.trace(owner.org["id"], trace_hex(root)), keys.OTEL_STATE_SK, consistent=True)
        due = [{"id": trace_hex(root), "export": state["lastExport"]}]
        later = datetime.now(UTC) + timedelta(minutes=1)  # as if the quiet period were over
        errors = at_once(lambda: assemble_due(owner.org["id"], due, now=later), 6)
        assert not errors, errors

    expected, got = _clean_and_messy(api, cloud, owner, agent["id"], scoped_key, late_root_raced)
    assert counted(got) == counted(expected)
    cloud.drain()
    assert counted(wait_session(api, owner, agent["id"], got["externalId"], turns=expected["turns"])) == counted(
        expected
    )


def test_deleting_the_session_erases_the_received_spans_too(
    api: httpx.Client, cloud: Any, owner: Account, agent: dict[str, Any], scoped_key: str
) -> None:
    from grounded_core.store import keys, table

    session_id = f"otel-erase-{uuid.uuid4().hex[:8]}"
    spans = run_spans(session_id)
    export(exporter(cloud.url, scoped_key), spans)
    session = wait_session(api, owner, agent["id"], session_id)
    assert table.query_all(keys.trace(owner.org["id"], trace_hex(spans[0])), keys.OTEL_SPAN_PREFIX)

    assert api.delete(f"/api/sessions/{session['id']}", headers=owner.headers).status_code == 204
    assert api.get(f"/api/traces/{trace_hex(spans[0])}", headers=owner.headers).status_code == 404
    assert table.query_all(keys.trace(owner.org["id"], trace_hex(spans[0]))) == []


def test_the_readme_s_environment_variables_are_all_an_exporter_needs(
    api: httpx.Client, cloud: Any, owner: Account, agent: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    org_key = str(create_key(api, owner, kind="secret", name="otel-env")["key"])
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", f"{cloud.url}/api/otel/v1/traces")
    monkeypatch.setenv(
        "OTEL_EXPORTER_OTLP_TRACES_HEADERS", f"authorization=Bearer%20{org_key},x-grounded-agent-id={agent['id']}"
    )
    session_id = f"otel-env-{uuid.uuid4().hex[:8]}"
    spans = run_spans(session_id)
    export(OTLPSpanExporter(), spans)
    wait_session(api, owner, agent["id"], session_id)


def test_the_snapshot_comes_from_the_resource_and_must_be_the_agent_s(
    api: httpx.Client, cloud: Any, owner: Account
) -> None:
    versioned = create_agent(api, owner.headers, name="otel-versioned")
    snapshot = create_snapshot(api, owner.headers, versioned["id"], label="v1-still-running")
    create_snapshot(api, owner.headers, versioned["id"], label="v2")  # the newest: what time would pick
    scoped_key = str(create_key(api, owner, kind="secret", agentId=versioned["id"], name="otel-snap")["key"])
    foreign = create_snapshot(api, owner.headers, create_agent(api, owner.headers, name="otel-other")["id"])
    spans = run_spans(f"otel-snap-{uuid.uuid4().hex[:8]}", {"grounded.snapshot.id": snapshot["id"]})
    export(exporter(cloud.url, scoped_key), spans)
    assert wait_trace(api, owner, trace_hex(spans[0]), spans=4)["normalization"]["snapshotId"] == snapshot["id"]

    refused = run_spans(f"otel-snap-{uuid.uuid4().hex[:8]}", {"grounded.snapshot.id": foreign["id"]})
    headers = {**bearer(scoped_key), "content-type": "application/x-protobuf"}
    answer = _answer(api.post(PATH, content=_raw_export(refused), headers=headers))
    assert answer.partial_success.rejected_spans == 4
    assert f"snapshot {foreign['id']} is not one of agent" in answer.partial_success.error_message


def test_spans_of_a_trace_id_a_native_trace_took_are_rejected_and_count_nothing(
    api: httpx.Client, cloud: Any, owner: Account, agent: dict[str, Any], scoped_key: str
) -> None:
    from tests.support.ingest import post_traces, trace, wait_normalized

    spans = run_spans(f"otel-native-{uuid.uuid4().hex[:8]}")
    native = trace(agent["id"], id=trace_hex(spans[0]))
    assert post_traces(api, owner.headers, [native]).status_code == 202
    before = wait_normalized(api, owner.headers, trace_hex(spans[0]))
    session = api.get(f"/api/sessions/{before['normalization']['sessionId']}", headers=owner.headers).json()

    headers = {**bearer(scoped_key), "content-type": "application/x-protobuf"}
    answer = _answer(api.post(PATH, content=_raw_export(spans), headers=headers))
    assert answer.partial_success.rejected_spans == 4
    assert "taken by a trace sent to /api/traces" in answer.partial_success.error_message
    settle(cloud)  # nothing was scheduled, so nothing changes
    assert api.get(f"/api/traces/{trace_hex(spans[0])}", headers=owner.headers).json()["spans"] == before["spans"]
    assert api.get(f"/api/sessions/{session['id']}", headers=owner.headers).json()["traces"] == session["traces"]
