"""Running the same work from several threads at once, as racing workers or deliveries would."""

from __future__ import annotations

import threading
from collections.abc import Callable


def at_once(work: Callable[[], object], times: int) -> list[BaseException]:
    """``work`` in ``times`` threads started together; what each that failed raised (a worker that
    fails would be retried: the test decides whether that may happen)."""
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            work()
        except BaseException as error:  # a thread's failure must reach the test, not vanish
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
