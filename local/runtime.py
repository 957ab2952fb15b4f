"""Runs a Lambda function's real handler in this process, loaded as Lambda loads it: the function's
code folder and its layers' folders on ``sys.path`` (``/var/task`` and ``/opt/python`` in AWS), then
``module.attribute`` from the template's ``Handler``.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from local.template import FunctionSource


class FunctionFailed(Exception):
    """The handler raised: Lambda reports this as a function error (``Unhandled``)."""

    def __init__(self, function_name: str, error: BaseException):
        super().__init__(f"{function_name} failed: {type(error).__name__}: {error}")
        self.function_name = function_name
        self.error = error

    def payload(self) -> dict[str, Any]:
        return {"errorMessage": str(self.error), "errorType": type(self.error).__name__}


@dataclass(frozen=True)
class DeployedFunction:
    source: FunctionSource
    name: str  # the physical name the emulator gave it
    arn: str
    timeout_seconds: int
    memory_mb: int
    environment: dict[str, str]


class LambdaContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    def __init__(self, function: DeployedFunction):
        self.function_name = function.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = function.arn
        self.memory_limit_in_mb = function.memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function.name}"
        self.log_stream_name = f"local/{self.aws_request_id}"
        self._deadline = time.monotonic() + function.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _give_thread_an_event_loop() -> None:
    """Lambda runs handlers on the main thread, which has an event loop that ASGI adapters such as
    Mangum fetch with ``asyncio.get_event_loop()``. Here handlers run on server and poller threads,
    which have none until one is set.
    """
    try:
        asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        asyncio.set_event_loop(asyncio.new_event_loop())


class LambdaRuntime:
    """Finds a deployed function by logical id, name or ARN and invokes its handler."""

    def __init__(self, functions: list[DeployedFunction]):
        self._functions: dict[str, DeployedFunction] = {}
        for function in functions:
            for key in (function.source.logical_id, function.name, function.arn):
                self._functions[key] = function
        self._handlers: dict[str, Callable[[Any, Any], Any]] = {}
        self._load_lock = threading.Lock()
        self.invocations: dict[str, int] = {function.source.logical_id: 0 for function in functions}

    def functions(self) -> list[DeployedFunction]:
        return list({function.name: function for function in self._functions.values()}.values())

    def find(self, function: str) -> DeployedFunction | None:
        name = function
        if ":function:" in function:  # an ARN, possibly with a version or alias after the name
            name = function.rsplit(":function:", maxsplit=1)[-1].split(":", maxsplit=1)[0]
        return self._functions.get(function) or self._functions.get(name)

    def get(self, function: str) -> DeployedFunction:
        found = self.find(function)
        if found is None:
            raise KeyError(f"no function {function!r} in the template")
        return found

    def _handler(self, function: DeployedFunction) -> Callable[[Any, Any], Any]:
        with self._load_lock:
            return self._load(function)

    def _load(self, function: DeployedFunction) -> Callable[[Any, Any], Any]:
        """The function's handler, imported the first time (the caller holds the load lock)."""
        if function.name not in self._handlers:
            for folder in function.source.folders:
                if str(folder) not in sys.path:
                    sys.path.append(str(folder))
            module = importlib.import_module(function.source.module)
            self._handlers[function.name] = getattr(module, function.source.attribute)
        return self._handlers[function.name]

    def reload(self, after: Callable[[], None] = lambda: None) -> list[str]:
        """Forget every module loaded from the functions' code and layer folders and load the
        handlers again from disk (``after`` runs before any invocation gets them: the core's shared
        clients are made again there). Invocations already running finish on the code they
        started with. The modules reloaded."""
        folders = {str(folder) + os.sep for function in self.functions() for folder in function.source.folders}
        with self._load_lock:
            stale = [
                name
                for name, module in list(sys.modules.items())
                if any(str(getattr(module, "__file__", None) or "").startswith(folder) for folder in folders)
            ]
            for name in stale:
                del sys.modules[name]
            self._handlers.clear()
            importlib.invalidate_caches()
            for function in self.functions():
                self._load(function)
            after()
        return stale

    def load_all(self) -> None:
        """Import every handler now, one after the other, before anything is served: in AWS each
        container imports its handler alone; here concurrent first requests would otherwise race
        through the same first imports in one process."""
        for function in self.functions():
            self._handler(function)

    def invoke(self, function: str, event: Any) -> Any:
        """Run the handler; a raised exception becomes :class:`FunctionFailed`."""
        _give_thread_an_event_loop()
        deployed = self.get(function)
        handler = self._handler(deployed)
        with self._load_lock:
            self.invocations[deployed.source.logical_id] += 1
        context = LambdaContext(deployed)
        try:
            with logs_named_for(context):
                return handler(event, context)
        except Exception as error:
            raise FunctionFailed(deployed.name, error) from error


@contextmanager
def logs_named_for(context: LambdaContext) -> Iterator[None]:
    """Every log line of an invocation names its own function and request. In Lambda each
    container runs one function; here they share one process and one Powertools Logger, whose
    ``inject_lambda_context`` keys are process-wide — so the invocation's keys are also set in the
    logger's per-thread context, which wins over them, and put back as they were afterwards."""
    try:
        from aws_lambda_powertools.logging.formatter import _get_context
    except ImportError:  # another Powertools: log lines may carry the last function's name
        yield
        return
    keys = _get_context()
    token = keys.set(
        {
            **keys.get(),
            "function_name": context.function_name,
            "function_memory_size": context.memory_limit_in_mb,
            "function_arn": context.invoked_function_arn,
            "function_request_id": context.aws_request_id,
        }
    )
    try:
        yield
    finally:
        keys.reset(token)
