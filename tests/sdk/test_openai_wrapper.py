"""The OpenAI wrapper with the real ``openai`` package against a fake OpenAI server: chat and
responses, plain and streamed, sync and async, inside and outside ``trace.run()``."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from openai import AsyncOpenAI, BadRequestError, OpenAI

from grounded import Grounded, Tracing, wrap_openai
from tests.fakes.openai import FakeOpenAI
from tests.sdk.conftest import SdkOrg

NORMALIZED_CHAT = {"inputTokens": 8, "outputTokens": 5, "cacheReadTokens": 4, "reasoningTokens": 2}
NORMALIZED_RESPONSES = {"inputTokens": 7, "outputTokens": 4, "cacheReadTokens": 3, "reasoningTokens": 1}


@pytest.fixture
def tracing(client: Grounded, org: SdkOrg) -> Any:
    made = Tracing(client, agent_id=org.agent_id)
    yield made
    made.shutdown()


def recorded(tracing: Tracing, run: Any) -> list[dict[str, Any]]:
    """The spans a trace recorded while ``run(trace)`` ran inside it."""
    trace = tracing.start_trace(session_id="openai-wrapper")
    with trace.run():
        run(trace)
    return [span.body() for span in trace.spans]


def test_chat_completions_plain_and_streamed(tracing: Tracing, fake_openai: FakeOpenAI) -> None:
    client = wrap_openai(OpenAI(api_key="sk-test", base_url=fake_openai.url + "/v1"))

    def calls(_: Any) -> None:
        answer = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
        assert answer.choices[0].message.content == "Hello!"
        stream = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], stream=True
        )
        assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == "Hello!"
        tools = client.chat.completions.create(model="gpt-4o-mini", stream=True,
                                               messages=[{"role": "user", "content": "weather in Paris?"}])  # fmt: skip
        for _chunk in tools:
            pass

    plain, streamed, tool_call = recorded(tracing, calls)
    assert (plain["kind"], plain["model"], plain["output"], plain["usage"]) == (
        "llm",
        "gpt-4o-mini",
        "Hello!",
        NORMALIZED_CHAT,
    )
    assert plain["input"] == [{"role": "user", "content": "hi"}]
    assert plain["attributes"]["latencyMs"] >= 0
    assert (streamed["output"], streamed["usage"], streamed["attributes"]["stream"]) == (
        "Hello!",
        NORMALIZED_CHAT,
        True,
    )
    assert tool_call["output"]["toolCalls"] == [
        {"id": "call_1", "name": "get_weather", "arguments": '{"city": "Paris"}'}
    ]
    # a streamed call asked for its usage
    streams = [json.loads(r.body) for r in fake_openai.seen("/v1/chat/completions") if json.loads(r.body).get("stream")]
    assert all(body["stream_options"] == {"include_usage": True} for body in streams)


def test_responses_plain_and_streamed(tracing: Tracing, fake_openai: FakeOpenAI) -> None:
    client = wrap_openai(OpenAI(api_key="sk-test", base_url=fake_openai.url + "/v1"))

    def calls(_: Any) -> None:
        assert client.responses.create(model="gpt-4.1-mini", input="hello").output_text == "Hi there"
        for _event in client.responses.create(model="gpt-4.1-mini", input="hello", stream=True):
            pass

    plain, streamed = recorded(tracing, calls)
    assert (plain["output"], plain["usage"], plain["input"]) == ("Hi there", NORMALIZED_RESPONSES, "hello")
    assert (streamed["output"], streamed["usage"]) == ("Hi there", NORMALIZED_RESPONSES)


def test_errors_are_recorded_and_raised(tracing: Tracing, fake_openai: FakeOpenAI) -> None:
    client = wrap_openai(OpenAI(api_key="sk-test", base_url=fake_openai.url + "/v1", max_retries=0))

    def calls(_: Any) -> None:
        with pytest.raises(BadRequestError):
            client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "fail please"}])

    (failed,) = recorded(tracing, calls)
    assert failed["status"] == "error"
    assert failed["error"].startswith("BadRequestError")


def test_the_async_client(tracing: Tracing, fake_openai: FakeOpenAI) -> None:
    client = wrap_openai(AsyncOpenAI(api_key="sk-test", base_url=fake_openai.url + "/v1"))

    async def main() -> list[dict[str, Any]]:
        trace = tracing.start_trace(session_id="openai-async")
        async with trace.run():
            await client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
            stream = await client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], stream=True
            )
            async for _chunk in stream:
                pass
            await client.responses.create(model="gpt-4.1-mini", input="hello")
        return [span.body() for span in trace.spans]

    plain, streamed, responses = asyncio.run(main())
    assert (plain["usage"], streamed["usage"], streamed["output"]) == (NORMALIZED_CHAT, NORMALIZED_CHAT, "Hello!")
    assert responses["output"] == "Hi there"


def test_outside_a_trace_nothing_is_recorded(fake_openai: FakeOpenAI, caplog: Any) -> None:
    client = wrap_openai(OpenAI(api_key="sk-test", base_url=fake_openai.url + "/v1"))
    with caplog.at_level("DEBUG", logger="grounded.openai"):
        assert client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}]).choices
        stream = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}], stream=True)
        assert list(stream)
    last = json.loads(fake_openai.seen("/v1/chat/completions")[-1].body)
    assert "stream_options" not in last  # untouched outside a trace


def test_recorded_spans_reach_grounded(client: Grounded, tracing: Tracing, fake_openai: FakeOpenAI) -> None:
    openai = wrap_openai(OpenAI(api_key="sk-test", base_url=fake_openai.url + "/v1"))
    trace = tracing.start_trace(session_id="openai-stored")
    with trace.run():
        openai.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    assert tracing.flush(timeout=10)
    stored = client.traces.get(trace.id)
    assert stored.spans[0]["usage"]["cacheReadTokens"] == 4
