"""A worker message's items applied each on its own: one that fails never keeps the others out."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from grounded_core.observability import logger

T = TypeVar("T")
#: the label of the write that records an item as applied: it failing means "done before"
APPLIED = "applied"
#: Trace ids (or telemetry events) per normalize message: fewer SQS calls, and a redelivered
#: message redoes nothing already applied (each item is applied exactly once).
TRACES_PER_MESSAGE = 25
EVENTS_PER_MESSAGE = 25
R = TypeVar("R")


class ItemsFailed(Exception):
    """Some items of a message failed; every other item of it was applied. The message is retried
    (what was applied is a no-op the second time) and, if an item keeps failing, reaches the
    dead-letter queue — one bad item never keeps the rest of its message from being stored."""

    def __init__(self, kind: str, failed: list[str]):
        super().__init__(f"{len(failed)} {kind} of the message failed: {', '.join(failed[:10])}")
        self.failed = failed


def each_alone(
    kind: str, items: Iterable[T], work: Callable[[T], R], name: Callable[[T], str], failed: list[str]
) -> list[R]:
    """``work`` on every item, each on its own: a failure is logged, its name added to ``failed``,
    and the others go on. The results of the items that succeeded, in order."""
    done = []
    for item in items:
        try:
            done.append(work(item))
        except Exception:
            logger.exception("a message item failed", extra={"kind": kind, "item": name(item)})
            failed.append(name(item))
    return done
