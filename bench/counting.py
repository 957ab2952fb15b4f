"""Counting real boto3 calls on the local cloud, by the function they ran in. Shared by the benches."""

from __future__ import annotations

import contextvars
import threading
from collections import Counter
from typing import Any

from local.cloud import LocalCloud

calls: Counter[tuple[str, str, str]] = Counter()
_lock = threading.Lock()
_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("function", default=None)


def count_calls(cloud: LocalCloud) -> None:
    """Count every boto3 call by the function it ran in (or the poller, or the bench itself)."""
    from botocore.client import BaseClient

    original_call = BaseClient._make_api_call
    original_invoke = cloud.runtime.invoke

    def make_api_call(self: Any, operation: str, params: Any) -> Any:
        where = _current.get() or ("SqsPoller" if threading.current_thread().name.startswith("sqs-poller") else "bench")
        with _lock:
            calls[(where, self.meta.service_model.service_name, operation)] += 1
        return original_call(self, operation, params)

    def invoke(function: str, event: Any) -> Any:
        token = _current.set(cloud.runtime.get(function).source.logical_id)
        try:
            return original_invoke(function, event)
        finally:
            _current.reset(token)

    BaseClient._make_api_call = make_api_call  # type: ignore[method-assign]
    cloud.runtime.invoke = invoke  # type: ignore[method-assign]


def by_service(where: str) -> Counter[str]:
    totals: Counter[str] = Counter()
    for (place, service, _), count in calls.items():
        if place == where:
            totals[service] += count
    return totals
