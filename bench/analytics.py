"""The analytics overview's reads do not grow with the data: a 30-day overview of an org with
--sessions sessions (default 10,000), counted on the local cloud.

    .venv/bin/python bench/analytics.py [--sessions 10000]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "shared"), str(ROOT / "functions")]

import httpx  # noqa: E402

from bench.counting import bench_cloud, calls, count_calls  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    cloud, api, headers, agent = bench_cloud()
    started = time.perf_counter()

    def create(share: range) -> None:
        with httpx.Client(base_url=cloud.url, timeout=60, headers=headers) as client:
            for n in share:
                answer = client.post("/api/sessions", json={"agentId": agent, "externalId": f"bench-{n}"})
                assert answer.status_code == 201, answer.text

    threads = [
        threading.Thread(target=create, args=(range(i, args.sessions, args.clients),)) for i in range(args.clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    made = time.perf_counter() - started
    api.get("/api/analytics/overview", headers=headers)  # warm the authorizer's cache and the function
    count_calls(cloud)
    overview = api.get("/api/analytics/overview", headers=headers).json()
    dynamodb = {
        op: n for (where, service, op), n in calls.items() if where == "AnalyticsFunction" and service == "dynamodb"
    }
    days_with_data = sum(1 for point in overview["series"]["sessionVolume"] if point["value"])
    counted = overview["totals"]["sessions"]
    print(f"{args.sessions} sessions made in {made:.1f} s; 30-day overview: sessions counted {counted}")
    print(f"  DynamoDB requests for the overview: {dynamodb} (items read: {days_with_data} daily rollups of 30 days)")
    print("  the same request for an empty org makes the same single Query (tests/integration/test_analytics.py)")
    cloud.stop()


if __name__ == "__main__":
    main()
