"""``wrap_openai(OpenAI())`` (or ``AsyncOpenAI()``): ``chat.completions.create`` and
``responses.create`` calls become ``llm`` spans of the current trace — model, input, output, token
usage (cache reads and reasoning tokens too), latency and errors, streams included. A streamed
chat call asks for usage (``stream_options.include_usage``) so it is not recorded as free; the
streamed message and tool calls are rebuilt as the stream is read. Outside a trace the calls run
untouched (a debug log says so once). The ``openai`` package itself is not imported here."""

from __future__ import annotations

import functools
import inspect
import logging
import time
from typing import Any

from grounded.tracing import Span, current_trace

log = logging.getLogger("grounded.openai")
_said = {"outside": False}


def _get(value: Any, name: str, default: Any = None) -> Any:
    if value is None:
        return default
    if isinstance(value, dict):
        return value.get(name, default)
    return getattr(value, name, default)


def _usage(usage: Any, given: str, produced: str) -> dict[str, int] | None:
    """OpenAI usage, normalized as Grounded prices it: input excludes cached tokens; reasoning is
    inside output. ``given``/``produced`` name the API's fields (``prompt``/``completion`` for chat,
    ``input``/``output`` for responses)."""
    if usage is None:
        return None

    def number(value: Any) -> int:
        return int(value or 0)

    tokens_in, tokens_out = number(_get(usage, f"{given}_tokens")), number(_get(usage, f"{produced}_tokens"))
    cached = number(_get(_get(usage, f"{given}_tokens_details"), "cached_tokens"))
    reasoning = number(_get(_get(usage, f"{produced}_tokens_details"), "reasoning_tokens"))
    return {
        "inputTokens": max(0, tokens_in - cached),
        "outputTokens": tokens_out,
        "cacheReadTokens": cached,
        "reasoningTokens": reasoning,
    }


def chat_usage(usage: Any) -> dict[str, int] | None:
    return _usage(usage, "prompt", "completion")


def responses_usage(usage: Any) -> dict[str, int] | None:
    return _usage(usage, "input", "output")


def _message_output(message: Any) -> Any:
    content = _get(message, "content")
    calls = _get(message, "tool_calls") or []
    if not calls:
        return content
    tool_calls = [
        {
            "id": _get(c, "id"),
            "name": _get(_get(c, "function"), "name"),
            "arguments": _get(_get(c, "function"), "arguments"),
        }
        for c in calls
    ]
    return {"content": content, "toolCalls": tool_calls}


def _responses_output(response: Any) -> Any:
    text = _get(response, "output_text")
    if text:
        return text
    parts = []
    for item in _get(response, "output", []) or []:
        for piece in _get(item, "content", []) or []:
            if _get(piece, "text"):
                parts.append(_get(piece, "text"))
    return "".join(parts) or None


class _ChatAccumulator:
    """Rebuilds a streamed chat message (content and tool calls) and keeps the usage chunk."""

    def __init__(self) -> None:
        self.content: list[str] = []
        self.calls: dict[int, dict[str, Any]] = {}
        self.usage: Any = None
        self.model: str | None = None

    def add(self, chunk: Any) -> None:
        self.model = _get(chunk, "model") or self.model
        if _get(chunk, "usage") is not None:
            self.usage = _get(chunk, "usage")
        for choice in _get(chunk, "choices", []) or []:
            delta = _get(choice, "delta")
            if _get(delta, "content"):
                self.content.append(_get(delta, "content"))
            for call in _get(delta, "tool_calls", []) or []:
                entry = self.calls.setdefault(
                    int(_get(call, "index", 0) or 0), {"id": None, "name": "", "arguments": ""}
                )
                entry["id"] = _get(call, "id") or entry["id"]
                function = _get(call, "function")
                entry["name"] += _get(function, "name") or ""
                entry["arguments"] += _get(function, "arguments") or ""

    def finish(self, span: Span) -> None:
        content = "".join(self.content) or None
        span.output = (
            {"content": content, "toolCalls": [self.calls[i] for i in sorted(self.calls)]} if self.calls else content
        )
        span.usage = chat_usage(self.usage)
        span.model = self.model or span.model


class _ResponsesAccumulator:
    def __init__(self) -> None:
        self.text: list[str] = []
        self.response: Any = None

    def add(self, event: Any) -> None:
        kind = _get(event, "type")
        if kind == "response.output_text.delta":
            self.text.append(_get(event, "delta") or "")
        elif kind in ("response.completed", "response.incomplete", "response.failed"):
            self.response = _get(event, "response")

    def finish(self, span: Span) -> None:
        span.output = "".join(self.text) or _responses_output(self.response)
        span.usage = responses_usage(_get(self.response, "usage"))
        span.model = _get(self.response, "model") or span.model


class _Stream:
    """Wraps an OpenAI stream: yields what it yields, and ends the span when it is exhausted,
    closed or fails."""

    def __init__(self, stream: Any, span: Span, accumulator: Any, started: float):
        self._stream = stream
        self._span = span
        self._accumulator = accumulator
        self._started = started
        self._done = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def _finish(self, error: BaseException | None = None) -> None:
        if not self._done:
            self._done = True
            self._accumulator.finish(self._span)
            self._span.attributes["latencyMs"] = round((time.perf_counter() - self._started) * 1000, 1)
            self._span.end(error)

    def __iter__(self) -> Any:
        try:
            for item in self._stream:
                self._accumulator.add(item)
                yield item
        except BaseException as error:
            self._finish(error)
            raise
        self._finish()

    async def __aiter__(self) -> Any:
        try:
            async for item in self._stream:
                self._accumulator.add(item)
                yield item
        except BaseException as error:
            self._finish(error)
            raise
        self._finish()

    def __enter__(self) -> _Stream:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._finish(exc[1])
        if hasattr(self._stream, "close"):
            self._stream.close()

    async def __aenter__(self) -> _Stream:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self._finish(exc[1])
        if hasattr(self._stream, "close"):
            closing = self._stream.close()
            if inspect.isawaitable(closing):
                await closing


def _say_outside_once() -> None:
    if not _said["outside"]:
        _said["outside"] = True
        log.debug("grounded: an OpenAI call outside trace.run() is not recorded")


def _instrument(resource: Any, name: str, api: str) -> None:
    original = resource.create
    if getattr(original, "_grounded", False):
        return

    def prepare(kwargs: dict[str, Any]) -> tuple[Span | None, dict[str, Any]]:
        trace = current_trace()
        if trace is None:
            _say_outside_once()
            return None, kwargs
        if kwargs.get("stream") and api == "chat":
            kwargs = {**kwargs, "stream_options": {**(kwargs.get("stream_options") or {}), "include_usage": True}}
        given = kwargs.get("messages") if api == "chat" else kwargs.get("input")
        span = trace.span("llm", name, model=kwargs.get("model"), input=given)
        span.attributes["stream"] = bool(kwargs.get("stream"))
        return span, kwargs

    def record(span: Span, result: Any, started: float, streaming: bool) -> Any:
        accumulator = _ChatAccumulator() if api == "chat" else _ResponsesAccumulator()
        if streaming:
            return _Stream(result, span, accumulator, started)
        if api == "chat":
            choices = _get(result, "choices", []) or []
            span.output = _message_output(_get(choices[0], "message")) if choices else None
            span.usage = chat_usage(_get(result, "usage"))
        else:
            span.output = _responses_output(result)
            span.usage = responses_usage(_get(result, "usage"))
        span.model = _get(result, "model") or span.model
        span.attributes["latencyMs"] = round((time.perf_counter() - started) * 1000, 1)
        span.end()
        return result

    @functools.wraps(original)
    def create(*args: Any, **kwargs: Any) -> Any:
        span, kwargs = prepare(kwargs)
        if span is None:
            return original(*args, **kwargs)
        started = time.perf_counter()
        streaming = bool(kwargs.get("stream"))
        try:
            result = original(*args, **kwargs)
        except BaseException as error:
            span.end(error)
            raise
        if inspect.isawaitable(result):  # AsyncOpenAI: record once the call is awaited
            return _awaited(span, result, started, streaming)
        return record(span, result, started, streaming)

    async def _awaited(span: Span, pending: Any, started: float, streaming: bool) -> Any:
        try:
            result = await pending
        except BaseException as error:
            span.end(error)
            raise
        return record(span, result, started, streaming)

    create._grounded = True  # type: ignore[attr-defined]
    resource.create = create


def wrap_openai(client: Any) -> Any:
    """Record ``client``'s chat completions and responses as spans; returns the same client."""
    _instrument(client.chat.completions, "chat.completions.create", "chat")
    if hasattr(client, "responses"):
        _instrument(client.responses, "responses.create", "responses")
    return client
