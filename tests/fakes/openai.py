"""A fake OpenAI API for the SDK's wrapper tests: ``POST /v1/chat/completions`` and
``POST /v1/responses``, plain JSON or server-sent events (``stream: true``), with usage that has
cached and reasoning tokens. A streamed chat sends its usage chunk only when asked
(``stream_options.include_usage``), as OpenAI does.

It is also an LLM judge: a chat asking for a JSON object whose system message starts as Grounded's
judge prompt gets a verdict — score 0.9 when the OUTPUT holds every word the RUBRIC puts in double
quotes, else 0.1 — and a rubric saying ``answer in prose`` gets words, not JSON. Every judge call
is counted (``judged``)."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from tests.fakes.server import FakeServer, Reply, Request

CHAT_USAGE = {
    "prompt_tokens": 12,
    "completion_tokens": 5,
    "total_tokens": 17,
    "prompt_tokens_details": {"cached_tokens": 4},
    "completion_tokens_details": {"reasoning_tokens": 2},
}
RESPONSES_USAGE = {
    "input_tokens": 10,
    "input_tokens_details": {"cached_tokens": 3},
    "output_tokens": 4,
    "output_tokens_details": {"reasoning_tokens": 1},
    "total_tokens": 14,
}


def _sse(events: list[tuple[str | None, Any]]) -> bytes:
    lines = []
    for name, data in events:
        if name:
            lines.append(f"event: {name}")
        lines.append(f"data: {data if isinstance(data, str) else json.dumps(data)}")
        lines.append("")
    return ("\n".join(lines) + "\n").encode()


JUDGE_PROMPT = "You grade an AI agent's answer"
JUDGE_USAGE = {"prompt_tokens": 150, "completion_tokens": 20, "total_tokens": 170}


def _section(text: str, name: str) -> str:
    found = re.search(rf"{name}:\n(.*?)(?:\n\n[A-Z ]+:\n|$)", text, re.S)
    return found.group(1) if found else ""


class FakeOpenAI(FakeServer):
    judged = 0

    def _judge(self, body: dict[str, Any]) -> Reply:
        self.judged += 1
        asked = str(body["messages"][-1]["content"])
        rubric, output = _section(asked, "RUBRIC"), _section(asked, "OUTPUT")
        wanted = re.findall(r'"([^"]+)"', rubric)
        met = all(word.casefold() in output.casefold() for word in wanted)
        content = json.dumps(
            {"score": 0.9 if met else 0.1, "reasoning": f"{'Mentions' if met else 'Does not mention'} {wanted}."}
        )
        if "answer in prose" in rubric:
            content = "I think the answer is quite good."
        choice = {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        model = body.get("model", "gpt-4o-mini")
        completion = {"id": "chatcmpl-judge", "object": "chat.completion", "created": int(time.time()),
                      "model": model, "choices": [choice], "usage": JUDGE_USAGE}  # fmt: skip
        return Reply.json(200, completion)

    def answer(self, request: Request) -> Reply:
        if request.headers.get("authorization") != "Bearer sk-test":
            return Reply.json(
                401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}
            )
        body = request.json() or {}
        messages = body.get("messages") or [{}]
        if request.path == "/v1/chat/completions" and str(messages[0].get("content", "")).startswith(JUDGE_PROMPT):
            return self._judge(body)
        if request.path == "/v1/chat/completions":
            return self._chat(body)
        if request.path == "/v1/responses":
            return self._responses(body)
        return Reply.json(404, {"error": {"message": "not found"}})

    def _chat(self, body: dict[str, Any]) -> Reply:
        model, created = body.get("model", "gpt-4o-mini"), int(time.time())
        wants_tool = "weather" in json.dumps(body.get("messages", []))
        if "fail" in json.dumps(body.get("messages", [])):
            return Reply.json(400, {"error": {"message": "The model refused.", "type": "invalid_request_error"}})
        if not body.get("stream"):
            message: dict[str, Any] = {"role": "assistant", "content": None if wants_tool else "Hello!"}
            if wants_tool:
                message["tool_calls"] = [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                    }
                ]
            choice = {"index": 0, "message": message, "finish_reason": "tool_calls" if wants_tool else "stop"}
            completion = {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": created,
                "model": model,
                "choices": [choice],
                "usage": CHAT_USAGE,
            }
            return Reply.json(200, completion)

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {
                "id": "chatcmpl-1",
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }

        events: list[tuple[str | None, Any]] = [(None, chunk({"role": "assistant", "content": ""}))]
        if wants_tool:
            events.append(
                (
                    None,
                    chunk(
                        {
                            "tool_calls": [
                                {
                                    "index": 0,
                                    "id": "call_1",
                                    "type": "function",
                                    "function": {"name": "get_weather", "arguments": '{"ci'},
                                }
                            ]
                        }
                    ),
                )
            )
            events.append((None, chunk({"tool_calls": [{"index": 0, "function": {"arguments": 'ty": "Paris"}'}}]})))
        else:
            events += [(None, chunk({"content": "Hel"})), (None, chunk({"content": "lo!"}))]
        events.append((None, chunk({}, "tool_calls" if wants_tool else "stop")))
        if (body.get("stream_options") or {}).get("include_usage"):
            events.append(
                (
                    None,
                    {
                        "id": "chatcmpl-1",
                        "object": "chat.completion.chunk",
                        "created": created,
                        "model": model,
                        "choices": [],
                        "usage": CHAT_USAGE,
                    },
                )
            )
        events.append((None, "[DONE]"))
        return Reply(200, _sse(events), {"content-type": "text/event-stream"})

    def _responses(self, body: dict[str, Any]) -> Reply:
        model = body.get("model", "gpt-4.1-mini")
        response = {
            "id": "resp_1",
            "object": "response",
            "created_at": int(time.time()),
            "model": model,
            "status": "completed",
            "output": [
                {
                    "type": "message",
                    "id": "msg_1",
                    "status": "completed",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": "Hi there", "annotations": []}],
                }
            ],
            "usage": RESPONSES_USAGE,
            "parallel_tool_calls": True,
            "tool_choice": "auto",
            "tools": [],
        }
        if not body.get("stream"):
            return Reply.json(200, response)
        events: list[tuple[str | None, Any]] = [
            (
                "response.created",
                {
                    "type": "response.created",
                    "sequence_number": 0,
                    "response": {**response, "status": "in_progress", "output": [], "usage": None},
                },
            ),
            (
                "response.output_text.delta",
                {
                    "type": "response.output_text.delta",
                    "sequence_number": 1,
                    "item_id": "msg_1",
                    "output_index": 0,
                    "content_index": 0,
                    "delta": "Hi ",
                    "logprobs": [],
                },
            ),
            (
                "response.output_text.delta",
                {
                    "type": "response.output_text.delta",
                    "sequence_number": 2,
                    "item_id": "msg_1",
                    "output_index": 0,
                    "content_index": 0,
                    "delta": "there",
                    "logprobs": [],
                },
            ),
            ("response.completed", {"type": "response.completed", "sequence_number": 3, "response": response}),
        ]
        return Reply(200, _sse(events), {"content-type": "text/event-stream"})
