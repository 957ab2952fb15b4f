"""A busy agent's recent session costs are read once per half minute by a container; a young
agent's (fewer sessions than the baseline wants) every time, so its first outliers are not missed."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from grounded_core.insights import store


def test_a_full_baseline_is_reused_and_a_short_one_is_not(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[str] = []
    sizes = {"busy": 50, "young": 3}

    def listing(pks: list[str], *_: Any, **__: Any) -> tuple[list[dict[str, Any]], None]:
        agent = "busy" if "busy" in pks[0] else "young"
        reads.append(agent)
        return [{"id": f"ses_{n}", "costNanos": n} for n in range(sizes[agent])], None

    monkeypatch.setattr(store, "newest_across", listing)
    monkeypatch.setattr(store, "_recent_costs", {})
    for _ in range(3):
        assert len(store.recent_session_costs("org_1", "busy")) == 50
        assert len(store.recent_session_costs("org_1", "young")) == 3
    assert reads.count("busy") == 1
    assert reads.count("young") == 3

    later = store.time.monotonic() + store.RECENT_COSTS_SECONDS + 1
    monkeypatch.setattr(store, "time", SimpleNamespace(monotonic=lambda: later))
    store.recent_session_costs("org_1", "busy")
    assert reads.count("busy") == 2  # stale after half a minute
