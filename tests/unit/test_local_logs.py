"""Locally, each invocation's log lines name its own function (issue 13, item 12), though every
function shares one process and one Powertools Logger whose Lambda-context keys are process-wide."""

from __future__ import annotations

import io
import json
import logging
import threading
from typing import Any

from local.runtime import LambdaContext, logs_named_for


class FakeFunction:
    def __init__(self, name: str):
        self.name = name
        self.arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        self.memory_mb = 128
        self.timeout_seconds = 3


def test_concurrent_invocations_each_log_their_own_function_name() -> None:
    from grounded_core.observability import logger

    stream = io.StringIO()
    capture = logging.StreamHandler(stream)
    capture.setFormatter(logger.registered_formatter)
    logger._logger.addHandler(capture)
    both_set = threading.Barrier(2)

    def invocation(name: str) -> None:
        context = LambdaContext(FakeFunction(name))  # type: ignore[arg-type]
        with logs_named_for(context):
            logger.append_keys(function_name=name)  # what inject_lambda_context does, process-wide
            both_set.wait(timeout=5)  # both have set the shared key: the last one won there
            logger.info("hello", extra={"caller": name})

    try:
        threads = [threading.Thread(target=invocation, args=(name,)) for name in ("FunctionA", "FunctionB")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
    finally:
        logger._logger.removeHandler(capture)
        logger.remove_keys(["function_name"])
    logged: list[dict[str, Any]] = [json.loads(line) for line in stream.getvalue().splitlines()]
    lines = [line for line in logged if line["message"] == "hello"]  # not a running cloud's own work
    assert sorted((line["caller"], line["function_name"]) for line in lines) == [
        ("FunctionA", "FunctionA"),
        ("FunctionB", "FunctionB"),
    ]
