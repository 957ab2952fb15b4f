"""Tracing: record what an agent does as traces and spans, sent in batches in the background.

    tracing = Tracing(client, agent_id="agt_…")
    with tracing.start_trace(session_id="conv-1").run() as trace:
        with trace.span("tool", "search") as span:
            span.output = search(...)

The current trace lives in a ``contextvars`` variable: nested code, ``async`` tasks and threads
started inside ``run()`` see it. Finished traces go to a bounded queue; a worker thread sends them
with ``traces.send_batch`` (which retries 429 and 5xx). A full queue drops the trace with a warning
instead of blocking the application; ``flush()`` sends what is queued (call it before an AWS
Lambda handler returns: the runtime freezes between requests), and the queue is flushed at exit.
"""

from __future__ import annotations

import atexit
import contextvars
import functools
import inspect
import logging
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from grounded.errors import TracingError

log = logging.getLogger("grounded.tracing")
F = TypeVar("F", bound=Callable[..., Any])

_current_trace: contextvars.ContextVar[Trace | None] = contextvars.ContextVar("grounded_trace", default=None)
_current_span: contextvars.ContextVar[Span | None] = contextvars.ContextVar("grounded_span", default=None)
_patched = {"threads": False}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def current_trace() -> Trace | None:
    """The trace of the code running now, if it runs inside ``trace.run()``."""
    return _current_trace.get()


def propagate_context_to_threads() -> None:
    """Threads started inside ``trace.run()`` see the trace: each thread runs in a copy of the
    context it was started from (as asyncio tasks already do)."""
    if _patched["threads"]:
        return
    start, run = threading.Thread.start, threading.Thread.run

    def patched_start(self: threading.Thread) -> None:
        self._grounded_context = contextvars.copy_context()  # type: ignore[attr-defined]
        start(self)

    def patched_run(self: threading.Thread) -> None:
        context = getattr(self, "_grounded_context", None)
        if context is None:
            run(self)
        else:
            context.run(run, self)

    threading.Thread.start = patched_start  # type: ignore[method-assign]
    threading.Thread.run = patched_run  # type: ignore[method-assign]
    _patched["threads"] = True


class Span:
    """One step of a trace (``llm``, ``tool``, ``retrieval``, ``chain``, ``custom``)."""

    def __init__(self, trace: Trace, kind: str, name: str, parent_id: str | None, **fields: Any):
        self.trace = trace
        self.id = uuid.uuid4().hex[:16]
        self.kind = kind
        self.name = name[:200]
        self.parent_id = parent_id
        self.started_at = _now()
        self.ended_at: str | None = None
        self.model: str | None = fields.get("model")
        self.input: Any = fields.get("input")
        self.output: Any = None
        self.usage: dict[str, int] | None = None
        self.cost_usd: float | None = None
        self.status = "ok"
        self.error: str | None = None
        self.attributes: dict[str, Any] = dict(fields.get("attributes") or {})
        self._token: contextvars.Token[Span | None] | None = None

    def end(self, error: BaseException | None = None) -> None:
        if self.ended_at is not None:
            return
        if error is not None:
            self.status, self.error = "error", f"{type(error).__name__}: {error}"[:10_000]
        self.ended_at = _now()

    def body(self) -> dict[str, Any]:
        body = {
            "id": self.id,
            "parentId": self.parent_id,
            "kind": self.kind,
            "name": self.name,
            "startedAt": self.started_at,
            "endedAt": self.ended_at,
            "model": self.model,
            "input": self.input,
            "output": self.output,
            "usage": self.usage,
            "costUsd": self.cost_usd,
            "status": self.status,
            "error": self.error,
            "attributes": self.attributes,
        }
        return {key: value for key, value in body.items() if value is not None}

    def __enter__(self) -> Span:
        self._token = _current_span.set(self)
        return self

    def __exit__(self, kind: Any, error: BaseException | None, tb: Any) -> None:
        self.end(error)
        if self._token is not None:
            _current_span.reset(self._token)

    async def __aenter__(self) -> Span:
        return self.__enter__()

    async def __aexit__(self, kind: Any, error: BaseException | None, tb: Any) -> None:
        self.__exit__(kind, error, tb)


class _Run:
    """``with trace.run():`` / ``async with trace.run():`` — the trace is current inside, and
    ends (and is queued) at the end; an exception marks it failed and propagates."""

    def __init__(self, trace: Trace):
        self.trace = trace
        self._token: contextvars.Token[Trace | None] | None = None

    def __enter__(self) -> Trace:
        self._token = _current_trace.set(self.trace)
        return self.trace

    def __exit__(self, kind: Any, error: BaseException | None, tb: Any) -> None:
        if self._token is not None:
            _current_trace.reset(self._token)
        self.trace.end(error=error)

    async def __aenter__(self) -> Trace:
        return self.__enter__()

    async def __aexit__(self, kind: Any, error: BaseException | None, tb: Any) -> None:
        self.__exit__(kind, error, tb)


class Trace:
    def __init__(self, tracing: Tracing, fields: dict[str, Any]):
        self._tracing = tracing
        self.id = fields.pop("id", None) or uuid.uuid4().hex
        self.fields = fields
        self.started_at = _now()
        self.ended_at: str | None = None
        self.output: Any = None
        self.status = "ok"
        self.error: str | None = None
        self.spans: list[Span] = []
        self._scores: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def run(self) -> _Run:
        return _Run(self)

    def span(self, kind: str, name: str, **fields: Any) -> Span:
        parent = _current_span.get()
        span = Span(self, kind, name, parent.id if parent is not None and parent.trace is self else None, **fields)
        with self._lock:
            self.spans.append(span)
        return span

    def score(
        self,
        name: str,
        value: bool | float | str,
        *,
        comment: str | None = None,
        span_id: str | None = None,
        source: str = "sdk",
        score_id: str | None = None,
    ) -> str:
        """Score this trace (or one of its spans): sent after the trace itself, in the background.
        The score's id (returned) is made here, so a retry never records it twice."""
        body = {
            "id": score_id or f"scr_{uuid.uuid4().hex}",
            "name": name,
            "value": value,
            "comment": comment,
            "source": source,
            "traceId": self.id,
            "spanId": span_id,
        }
        body = {key: field for key, field in body.items() if field is not None}
        with self._lock:
            if self.ended_at is None:  # the trace is not sent yet: its scores follow it
                self._scores.append(body)
                return str(body["id"])
        self._tracing._enqueue_score(body)
        return str(body["id"])

    def end(self, output: Any = None, error: BaseException | None = None) -> None:
        """Finish the trace and queue it (once), then the scores given while it ran."""
        with self._lock:
            if self.ended_at is not None:
                return
            self.ended_at = _now()
            scores, self._scores = self._scores, []
        if output is not None:
            self.output = output
        if error is not None:
            self.status, self.error = "error", f"{type(error).__name__}: {error}"[:10_000]
        for span in self.spans:
            span.end()
        self._tracing._enqueue(self.body())
        for score in scores:
            self._tracing._enqueue_score(score)

    def body(self) -> dict[str, Any]:
        body = {
            "id": self.id,
            **self.fields,
            "startedAt": self.started_at,
            "endedAt": self.ended_at,
            "output": self.output,
            "status": self.status,
            "error": self.error,
            "spans": [span.body() for span in self.spans],
        }
        return {key: value for key, value in body.items() if value is not None}


class Tracing:
    def __init__(
        self,
        client: Any,
        *,
        agent_id: str | None = None,
        batch_size: int = 50,
        flush_interval: float = 1.0,
        max_queue: int = 10_000,
        on_result: Callable[[Any], None] | None = None,
        propagate_to_threads: bool = True,
    ):
        self.client = client
        self.agent_id = agent_id or os.environ.get("GROUNDED_AGENT_ID")
        self.batch_size = max(1, min(batch_size, 500))
        self.flush_interval = flush_interval
        self.on_result = on_result
        self.dropped = 0
        #: traces and scores, in the order they were given: ``("trace" | "score", body)``
        self._queue: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue(maxsize=max_queue)
        self._pending = 0
        self._idle = threading.Condition()
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._worker = threading.Thread(target=self._work, name="grounded-tracing", daemon=True)
        self._worker.start()
        if propagate_to_threads:
            propagate_context_to_threads()
        atexit.register(self.shutdown)

    # ------------------------------------------------------------------ traces
    def start_trace(
        self,
        *,
        name: str = "trace",
        agent_id: str | None = None,
        session_id: str | None = None,
        anonymous_id: str | None = None,
        user_id: str | None = None,
        correlation_keys: dict[str, str] | None = None,
        snapshot_id: str | None = None,
        input: Any = None,
        metadata: dict[str, Any] | None = None,
        tags: list[str] | None = None,
        trace_id: str | None = None,
    ) -> Trace:
        """A new trace. Raises :class:`TracingError` before anything is sent when no agent is
        given (nor ``GROUNDED_AGENT_ID``) or no stitch key is: ``session_id``, ``anonymous_id``,
        or ``user_id`` with ``correlation_keys``."""
        agent = agent_id or self.agent_id
        if not agent:
            raise TracingError("start_trace needs agent_id (or Tracing(agent_id=...) or GROUNDED_AGENT_ID).")
        if not (session_id or anonymous_id or (user_id and correlation_keys)):
            raise TracingError("start_trace needs session_id, anonymous_id, or user_id with correlation_keys.")
        fields = {
            "id": trace_id,
            "agentId": agent,
            "name": name,
            "sessionId": session_id,
            "anonymousId": anonymous_id,
            "userId": user_id,
            "correlationKeys": correlation_keys,
            "input": input,
            "metadata": metadata,
            "tags": tags,
            "resource": {"snapshotId": snapshot_id} if snapshot_id else None,
        }
        return Trace(self, {key: value for key, value in fields.items() if value is not None})

    def start_trace_from_browser(self, context: Mapping[str, Any], **fields: Any) -> Trace:
        """A trace stitched to the browser's session: ``context`` is what the browser SDK sends
        (``{sessionId, anonymousId, userId}``)."""
        return self.start_trace(
            session_id=context.get("sessionId"),
            anonymous_id=context.get("anonymousId"),
            user_id=context.get("userId"),
            **fields,
        )

    # ------------------------------------------------------------------ sending
    def _enqueue(self, body: dict[str, Any], kind: str = "trace") -> None:
        with self._idle:
            try:
                self._queue.put_nowait((kind, body))
            except queue.Full:
                self.dropped += 1
                log.warning(
                    "grounded: the trace queue is full; %s %s dropped (%d so far)", kind, body.get("id"), self.dropped
                )
                return
            self._pending += 1
        if self._queue.qsize() >= self.batch_size:
            self._wake.set()

    def _enqueue_score(self, body: dict[str, Any]) -> None:
        self._enqueue(body, "score")

    def _work(self) -> None:
        while not self._stopped.is_set():
            self._wake.wait(self.flush_interval)
            self._wake.clear()
            self._drain()
        self._drain()

    def _drain(self) -> None:
        while True:
            batch: list[tuple[str, dict[str, Any]]] = []
            while len(batch) < self.batch_size:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if not batch:
                return
            traces = [body for kind, body in batch if kind == "trace"]
            if traces:
                self._send(traces)
            for score in (body for kind, body in batch if kind == "score"):  # after the traces they score
                self._send_score(score)
            with self._idle:
                self._pending -= len(batch)
                self._idle.notify_all()

    def _send(self, batch: list[dict[str, Any]]) -> None:
        try:
            result = self.client.traces.send_batch(batch)
        except Exception as error:  # retried by the client already: report, never crash the app
            log.warning("grounded: %d traces could not be sent: %s", len(batch), error)
            return
        if self.on_result is not None:
            self.on_result(result)
        for rejected in result.rejected:
            log.warning(
                "grounded: trace %s rejected: %s (%s)", batch[rejected.index].get("id"), rejected.error, rejected.code
            )

    def _send_score(self, body: dict[str, Any]) -> None:
        try:
            self.client.scores.create(**_score_arguments(body))
        except Exception as error:  # retried by the client already: report, never crash the app
            log.warning("grounded: score %s could not be sent: %s", body.get("id"), error)

    def flush(self, timeout: float = 10.0) -> bool:
        """Send everything queued now; ``True`` when the queue emptied within ``timeout``."""
        deadline = time.monotonic() + timeout
        self._wake.set()
        with self._idle:
            while self._pending > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(min(left, 0.1))
                self._wake.set()
        return True

    def shutdown(self, timeout: float = 10.0) -> None:
        self.flush(timeout)
        self._stopped.set()
        self._wake.set()


def _score_arguments(body: dict[str, Any]) -> dict[str, Any]:
    from pydantic.alias_generators import to_snake

    return {("score_id" if key == "id" else to_snake(key)): value for key, value in body.items()}


def observe(kind: str = "custom", name: str | None = None) -> Callable[[F], F]:
    """Record each call of the decorated function (sync or async) as a span of the current trace;
    outside a trace it just runs."""

    def decorate(function: F) -> F:
        label = name or function.__qualname__

        def inputs(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
            return {"args": [repr(a)[:1000] for a in args], "kwargs": {k: repr(v)[:1000] for k, v in kwargs.items()}}

        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                trace = current_trace()
                if trace is None:
                    return await function(*args, **kwargs)
                with trace.span(kind, label, input=inputs(args, kwargs)) as span:
                    span.output = await function(*args, **kwargs)
                    return span.output

            return run_async  # type: ignore[return-value]

        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            trace = current_trace()
            if trace is None:
                return function(*args, **kwargs)
            with trace.span(kind, label, input=inputs(args, kwargs)) as span:
                span.output = function(*args, **kwargs)
                return span.output

        return run  # type: ignore[return-value]

    return decorate


__all__ = ["Span", "Trace", "Tracing", "current_trace", "observe", "propagate_context_to_threads"]
