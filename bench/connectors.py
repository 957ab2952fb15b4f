"""Connector import cost and speed on the local cloud, against the fake LangSmith and FullStory.

    .venv/bin/python bench/connectors.py [--traces 500] [--events 2000]

Prints, per imported item: the provider requests the sync made, the AWS requests of the sync
worker and of the normalize worker, and the import rate (connect to last item normalized).
Every figure comes from counting real requests (boto3 against the emulator, HTTP at the fakes).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "shared"), str(ROOT / "functions")]

import httpx  # noqa: E402

from bench.counting import bench_cloud, by_service, calls, count_calls  # noqa: E402
from local.cloud import LocalCloud  # noqa: E402
from tests.fakes.fullstory import FakeFullStory  # noqa: E402
from tests.fakes.langsmith import FakeLangSmith  # noqa: E402


def wait_job(api: httpx.Client, headers: dict[str, str], job_id: str) -> dict[str, object]:
    while True:
        job = api.get(f"/api/jobs/{job_id}", headers=headers).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job  # type: ignore[no-any-return]
        time.sleep(0.1)


def run_import(
    cloud: LocalCloud,
    api: httpx.Client,
    headers: dict[str, str],
    body: dict[str, Any],
    items: int,
    fake_requests: Callable[[], int],
) -> None:
    calls.clear()
    before = fake_requests()
    started = time.perf_counter()
    created = api.post("/api/connectors", json=body, headers=headers).json()
    job = wait_job(
        api, headers, api.post(f"/api/connectors/{created['id']}/connect", headers=headers).json()["job"]["id"]
    )
    synced = time.perf_counter()
    cloud.drain(timeout_seconds=900)
    finished = time.perf_counter()
    assert job["status"] == "succeeded", job
    print(f"\n{body['provider']}: {items} items, job result {job['result']}")
    print(f"  provider HTTP requests per item: {(fake_requests() - before) / items:.3f}")
    for where in ("SyncFunction", "NormalizeFunction"):
        summary = ", ".join(f"{service} {count / items:.3f}" for service, count in sorted(by_service(where).items()))
        print(f"  AWS requests per item, {where:<18} {summary}")
    print(f"  sync (job done):       {items / (synced - started):7.0f} items/s ({synced - started:.1f} s)")
    print(f"  end to end normalized: {items / (finished - started):7.0f} items/s ({finished - started:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--traces", type=int, default=500)
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()

    cloud, api, headers, agent = bench_cloud()
    count_calls(cloud)
    hour_ago = datetime.now(UTC) - timedelta(hours=1)

    langsmith = FakeLangSmith().start()
    for n in range(args.traces):
        langsmith.add_trace("bench", hour_ago - timedelta(seconds=n), metadata={"session_id": f"conv-{n % 50}"})
    body = {
        "agentId": agent,
        "name": "bench",
        "category": "llm-tracing",
        "provider": "langsmith",
        "config": {"apiKey": "ls-fake-key-0001", "projectName": "bench", "baseUrl": langsmith.url, "initialDays": 1},
    }
    run_import(cloud, api, headers, body, args.traces, lambda: len(langsmith.requests))

    fullstory = FakeFullStory(pending_polls=0).start()
    for n in range(args.events):
        fullstory.add_event(
            hour_ago + timedelta(milliseconds=n), device=10**17 + n % 20, session=10**17 + 1, uid=f"user-{n % 20}"
        )
    body = {
        "agentId": agent,
        "name": "bench-fs",
        "category": "session-data",
        "provider": "fullstory",
        "config": {"apiKey": "fs-fake-key-0001", "baseUrl": fullstory.url, "initialDays": 1},
    }
    run_import(cloud, api, headers, body, args.events, lambda: len(fullstory.requests))
    print(f"\n  local cloud, one process, python {sys.version.split()[0]}; moto serializes emulator requests")
    cloud.stop()


if __name__ == "__main__":
    main()
