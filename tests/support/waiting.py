"""Waiting on a condition with a deadline — never a bare sleep."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    probe: Callable[[], T | None], timeout: float = 15.0, interval: float = 0.05, what: str = "condition"
) -> T:
    """Call ``probe`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    last: T | None = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        pause.wait(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last saw {last!r}")
