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
        return [{"SK": "SESSION", "id": f"ses_{n}", "costNanos": n} for n in range(sizes[agent])], None

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


def test_the_recent_costs_are_read_only_when_a_session_could_be_an_outlier(monkeypatch: pytest.MonkeyPatch) -> None:
    """A session under the outlier floor can never be flagged: no Query for the baseline then."""
    from grounded_core.insights import detect, rules
    from grounded_core.lifecycle.retention import KEEP_FOREVER

    costs = {"ses_cheap": rules.COST_OUTLIER_FLOOR_NANOS - 1}
    reads: list[str] = []
    flagged: list[str] = []

    def sessions(wanted: list[tuple[str, str]], **_: Any) -> dict[tuple[str, str], dict[str, Any]]:
        return {key: {"id": key[0].split("#")[-1], "costNanos": costs[key[0].split("#")[-1]]} for key in wanted}

    def baseline(org_id: str, agent_id: str) -> list[dict[str, Any]]:
        reads.append(agent_id)
        return [{"id": f"ses_{n}", "costNanos": 1_000_000} for n in range(10)]

    monkeypatch.setattr(detect.table, "batch_get", sessions)
    monkeypatch.setattr(detect, "recent_session_costs", baseline)
    monkeypatch.setattr(detect, "flag", lambda *args: flagged.append(args[2]))
    detect._check_costs("org_1", "agt_1", {"ses_cheap"}, KEEP_FOREVER)
    assert (reads, flagged) == ([], [])

    costs["ses_costly"] = 100 * rules.COST_OUTLIER_FLOOR_NANOS
    detect._check_costs("org_1", "agt_1", {"ses_cheap", "ses_costly"}, KEEP_FOREVER)
    assert (reads, flagged) == (["agt_1"], ["ses_costly"])
