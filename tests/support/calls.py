"""Counting the AWS calls that a piece of core code makes (in the test process, on the emulator)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def dynamodb_calls(this_thread_only: bool = False) -> Iterator[list[str]]:
    """Yields a list that fills with the DynamoDB operation names called inside the block — by
    any thread but the local queue pollers' (a request the front door serves), or only by this
    one (core code called directly, while the local cloud's workers go on in the background)."""
    import threading

    from grounded_core import aws

    calls: list[str] = []
    me = threading.get_ident()

    def count(**kwargs: Any) -> None:
        if threading.current_thread().name.startswith("sqs-poller"):
            return  # a queue worker finishing earlier work in the background is not the block's
        if not this_thread_only or threading.get_ident() == me:
            calls.append(kwargs["event_name"].rsplit(".", 1)[-1])

    events = aws.client("dynamodb").meta.events
    events.register("before-call.dynamodb", count)
    try:
        yield calls
    finally:
        events.unregister("before-call.dynamodb", count)
