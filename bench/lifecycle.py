"""What retention and org deletion cost, on the local cloud.

    .venv/bin/python bench/lifecycle.py [--traces 500] [--sessions 50]

Prints: the AWS requests per trace on the ingest and normalize paths with a retention set (the
expiry rides on writes already made: no request is added); the requests per item of re-stamping
stored content after a retention change, and its time; the requests per item of erasing the
org, and its time; what the TTL sweep removes and the payloads its stream consumer deletes.
Every figure comes from counting real boto3 calls against the emulator.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "shared"), str(ROOT / "functions")]

from bench.counting import bench_cloud, calls, count_calls, report_calls  # noqa: E402
from bench.ingest import traces  # noqa: E402
from tests.support.lifecycle import items_of_org  # noqa: E402
from tests.support.waiting import wait_until  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--traces", type=int, default=500)
    parser.add_argument("--sessions", type=int, default=50)
    args = parser.parse_args()

    cloud, api, headers, agent = bench_cloud()
    org = api.get("/api/org", headers=headers).json()
    job = api.patch("/api/org", json={"retentionDays": 30}, headers=headers).json()["retentionJobId"]
    wait_until(lambda: api.get(f"/api/jobs/{job}", headers=headers).json()["status"] == "succeeded", timeout=60)
    cloud.drain()
    count_calls(cloud)

    body = traces(agent, args.traces, args.sessions)
    for trace in body[: args.traces // 10]:
        trace["input"] = {"question": "x" * 20_000}  # one in ten has a payload in S3
    for start in range(0, len(body), 100):
        answer = api.post("/api/traces/batch", json={"traces": body[start : start + 100]}, headers=headers)
        assert answer.status_code == 202, answer.text
    cloud.drain(timeout_seconds=600)
    report_calls(
        f"Ingest with retention set: {args.traces} traces, {args.sessions} sessions",
        ("TracesFunction", "NormalizeFunction"),
        args.traces,
        "trace",
    )
    stored = len(items_of_org(cloud, org["id"]))

    calls.clear()
    started = time.perf_counter()
    job = api.patch("/api/org", json={"retentionDays": 7}, headers=headers).json()["retentionJobId"]
    done = wait_until(
        lambda: (found := api.get(f"/api/jobs/{job}", headers=headers).json())["status"] == "succeeded" and found,
        timeout=600,
        interval=0.2,
    )
    took = time.perf_counter() - started - 5  # the job starts 5 s after the change, by design
    changed = int(done["result"]["changed"])
    report_calls(f"Re-stamping after a change: {changed} items changed", ("LifecycleFunction",), changed, "item")
    print(f"  {done['progress']['done']} sessions and traces walked in {took:.1f} s ({changed / took:.0f} items/s)")

    calls.clear()
    removed = cloud.sweep_expired(datetime.now(UTC) + timedelta(days=8))
    print(f"\nTTL sweep 8 days on: {removed} items removed of the org's {stored}")
    report_calls("The stream consumer on what TTL removed", ("ExpiryFunction",), max(removed, 1), "removed item")

    for trace in body:
        trace["startedAt"] = trace["endedAt"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        for span in trace["spans"]:
            span["startedAt"] = trace["startedAt"]
    for start in range(0, len(body), 100):
        api.post("/api/traces/batch", json={"traces": body[start : start + 100]}, headers=headers)
    cloud.drain(timeout_seconds=600)
    before = len(items_of_org(cloud, org["id"]))
    calls.clear()
    started = time.perf_counter()
    assert api.request("DELETE", "/api/org", json={"confirm": org["slug"]}, headers=headers).status_code == 202
    wait_until(lambda: not [i for i in items_of_org(cloud, org["id"]) if "ttl" not in i], timeout=600, interval=0.5)
    took = time.perf_counter() - started - 5
    report_calls(f"Deleting the org: {before} items", ("IdentityFunction", "LifecycleFunction"), before, "item")
    print(f"  erased in {took:.1f} s ({before / took:.0f} items/s)")
    cloud.stop()


if __name__ == "__main__":
    main()
