"""The local cloud's garbage collection (local/collector.py): none while it starts, young
collections less often, what survives a full collection frozen, and a proper collection — when quiet, or when the frozen
objects have grown fourfold — still frees cycles that died after they were frozen. Runs in a
fresh interpreter: the collector changes the process's ``gc`` state, which the tests' own local
cloud also uses."""

from __future__ import annotations

import gc
import weakref

from local.collector import FORCED_GROWTH, QUIET_GROWTH, YOUNG_THRESHOLD, Collector, collections_paused
from tests.support.fresh_interpreter import run_fresh


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def cycle() -> Node:
    first, second = Node(), Node()
    first.other, second.other = second, first
    return first


def walked() -> int:
    raise AssertionError("gc.get_freeze_count() walks every frozen object")


def check() -> None:
    thresholds = gc.get_threshold()
    collector = Collector(quiet=lambda: False)
    collector.start()
    try:
        assert gc.get_freeze_count() > 0  # what the process held at start is frozen
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *thresholds[1:])

        kept = [cycle() for _ in range(50)]
        gc.collect()  # a full collection (as CPython starts one): its survivors are frozen
        frozen = gc.get_freeze_count()
        assert frozen >= 100, frozen

        watched = weakref.ref(kept[0])
        del kept
        gc.collect()
        assert watched() is not None  # a frozen cycle that died is not collected by a full collection

        assert not collector.due(quiet=False)  # not grown fourfold
        collector.collect()
        assert watched() is None  # ... but by a proper collection

        baseline = gc.get_freeze_count()
        grown = [Node() for _ in range(int(QUIET_GROWTH * baseline) + 10)]
        gc.collect()
        assert collector.due(quiet=True)
        assert not collector.due(quiet=False)
        grown += [Node() for _ in range(int(FORCED_GROWTH * baseline) + 10)]
        gc.collect()
        counted = gc.get_freeze_count
        gc.get_freeze_count = walked  # type: ignore[assignment]
        try:  # the growth is counted as objects are frozen, not by walking every frozen object
            assert collector.due(quiet=False)
        finally:
            gc.get_freeze_count = counted  # type: ignore[assignment]
        del grown
    finally:
        collector.stop()
    assert gc.get_freeze_count() == 0  # stopped: nothing stays frozen, CPython's thresholds are back
    assert gc.get_threshold() == thresholds
    assert collector._after_collection not in gc.callbacks


def check_paused() -> None:
    """Off for the block, on again however it ends; left off if it was off."""
    with collections_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    try:
        with collections_paused():
            raise RuntimeError("the cloud failed to start")
    except RuntimeError:
        pass
    assert gc.isenabled()
    gc.disable()
    with collections_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()
    gc.enable()


def test_paused_while_starting_frozen_survivors_and_proper_collections() -> None:
    run_fresh("tests.unit.test_collector")


if __name__ == "__main__":
    check_paused()
    check()
