"""A reduced load test (the full one is ``bench/load.py``): concurrent clients sending traces and
telemetry and reading sessions; every accepted trace is stored and normalized exactly once."""

from __future__ import annotations

from typing import Any

import httpx

from bench.load import TRACES_PER_BATCH, agent_credentials, run_load, verify_exactly_once
from tests.support.identity import Account, create_agent, create_snapshot


def test_under_concurrent_load_every_accepted_trace_is_normalized_exactly_once(
    api: httpx.Client, cloud: Any, owner: Account
) -> None:
    agent = create_agent(api, owner.headers, name="load")
    create_snapshot(api, owner.headers, agent["id"])
    credentials = agent_credentials(api, owner.headers, agent["id"])
    report = run_load(cloud.url, credentials, agent["id"], clients=4, seconds=3)
    cloud.drain(timeout_seconds=180)
    counts = verify_exactly_once(cloud.url, owner.headers, agent["id"], report)
    assert counts["accepted"] >= TRACES_PER_BATCH * 4
    assert set(report.statuses) <= {200, 202}
    assert counts == {
        "accepted": counts["accepted"],
        "stored": counts["accepted"],
        "normalized": counts["accepted"],
        "counted_on_sessions": counts["accepted"],
    }
