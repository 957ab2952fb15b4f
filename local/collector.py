"""Garbage collection for the local cloud's process, which also holds the emulator's data.

CPython's full collection walks every container object of the process, with every thread stopped.
The emulator keeps each stored item as such objects (the item, its attribute dict, an object per
value), so a local cloud holding a few thousand sessions made every full collection walk ~1.2
million objects: 250 to 830 ms each, ~20 of them in a 20-second load test (``bench/load.py --sessions
3000``: a 10-trace batch's p99 ~1.1 s). On AWS nothing stops like this: the table's data is in no
function's heap.

What survives a full collection is frozen (``gc.freeze``: left out of later collections), so the
next walks only what is newer. A cycle that was in use at that moment and dies later would stay
frozen, never collected — so the frozen objects are collected properly (unfrozen, one full
collection, frozen again) when the cloud is quiet (``quiet()``: no request or queue batch for a
moment), or, under unbroken load, once they are four times as many as after the last time.

How much the frozen objects grew is counted as they are frozen (the survivors of each full
collection, which that collection has just walked anyway), not asked of ``gc.get_freeze_count()``:
that walks every frozen object, and asked once a second it took ~9 % of the interpreter under
``bench/load.py`` (a few million objects).

Nothing is collected while the cloud starts (``collections_paused``): deploying the template and
importing every function make ~570,000 objects of which a few dozen are garbage, and CPython's
collector walked them ~14 times as they were made (~2.5 s of a ~9-second start on this VM); the
collector, started last, collects once when all of it is made.

A young collection runs every 10,000 new objects instead of CPython's 700: at 700 the objects of
requests in flight (8 at a time under load) were scanned and promoted over and over, and full
collections followed every second or so — ~4 s of a 20-second load test in the collector, against
~1.7 s (``bench/load.py``: 24 to 26 requests/s became 29 to 32).
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger("grounded.local")

#: how often the collector looks whether a proper collection is due
CHECK_SECONDS = 1.0
#: frozen objects grown by this share since the last proper collection: collect when quiet
QUIET_GROWTH = 0.05
#: ... by this share (four times as many): collect even under load
FORCED_GROWTH = 3.0
#: new objects between young collections (CPython's default: 700)
YOUNG_THRESHOLD = 10_000


@contextmanager
def collections_paused() -> Iterator[None]:
    """The garbage collector off for the block (left as it was if already off)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class Collector:
    def __init__(self, quiet: Callable[[], bool]) -> None:
        self._quiet = quiet
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gc-collector", daemon=True)
        self._collected_at = 0  # frozen objects after the last proper collection
        self._frozen_since = 0  # objects frozen since then
        self._collecting = False  # a proper collection is running (it counts them all itself)
        self._thresholds = gc.get_threshold()
        self.collections = 0

    def start(self) -> Collector:
        gc.set_threshold(YOUNG_THRESHOLD, *self._thresholds[1:])
        self.collect()
        gc.callbacks.append(self._after_collection)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        if self._after_collection in gc.callbacks:
            gc.callbacks.remove(self._after_collection)
        gc.unfreeze()
        gc.set_threshold(*self._thresholds)

    def _after_collection(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "stop" and info["generation"] == 2:
            if not self._collecting:
                self._frozen_since += len(gc.get_objects(generation=2))  # the survivors, about to be frozen
            gc.freeze()

    def collect(self) -> None:
        """A full collection of everything, frozen objects too; what survives is frozen."""
        began = time.perf_counter()
        self._collecting = True
        try:
            gc.unfreeze()
            found = gc.collect()
            gc.freeze()
        finally:
            self._collecting = False
        self._collected_at = gc.get_freeze_count()  # walks them all, as the collection just did
        self._frozen_since = 0
        self.collections += 1
        log.debug(
            "full collection: %d unreachable, %d kept, %.2fs", found, self._collected_at, time.perf_counter() - began
        )

    def due(self, quiet: bool) -> bool:
        grown = self._frozen_since
        return grown > FORCED_GROWTH * self._collected_at or (quiet and grown > QUIET_GROWTH * self._collected_at)

    def _run(self) -> None:
        while not self._stop.wait(CHECK_SECONDS):
            try:
                if self.due(self._quiet()):
                    self.collect()
            except Exception:  # the cloud stopping under it: the next look tries again
                log.debug("garbage collection check failed", exc_info=True)
