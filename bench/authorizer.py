"""The authorizer's cost per request, now that nothing caches its answer (a revocation applies to
the next request): AWS calls and time per authorizer invocation, for a secret key and a user token,
measured on the local cloud.

    .venv/bin/python bench/authorizer.py [--requests 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "shared"), str(ROOT / "functions")]

from bench.counting import bench_cloud, calls, count_calls  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    cloud, api, headers, _ = bench_cloud()
    key = api.post("/api/keys", json={"name": "bench"}, headers=headers).json()["key"]
    count_calls(cloud)
    credentials = {"secret key": {"Authorization": f"Bearer {key}"}, "user token": headers}
    try:
        for label, sent in credentials.items():
            api.get("/api/agents", headers=sent)  # warm: the first use of a key stamps lastUsedAt
            calls.clear()
            before = cloud.runtime.invocations["AuthorizerFunction"]
            timings = []
            for _ in range(args.requests):
                started = time.perf_counter()
                answer = api.get("/api/agents", headers=sent)
                timings.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, answer.text
            invocations = cloud.runtime.invocations["AuthorizerFunction"] - before
            mine = {op: n for (where, service, op), n in calls.items() if where == "AuthorizerFunction"}
            per_call = {op: round(n / invocations, 3) for op, n in sorted(mine.items())}
            print(
                f"{label}: {invocations / args.requests:.2f} authorizer invocations per request; "
                f"DynamoDB per invocation {per_call or '{}'}; "
                f"whole request (GET /api/agents) p50 {statistics.median(timings):.1f} ms, "
                f"p95 {statistics.quantiles(timings, n=20)[18]:.1f} ms"
            )
        timed = []
        from grounded_core.identity.authorizer import resolve_credential

        for _ in range(args.requests):
            started = time.perf_counter()
            resolve_credential(f"Bearer {key}")
            timed.append((time.perf_counter() - started) * 1000)
        print(f"resolve_credential (secret key) alone: p50 {statistics.median(timed):.2f} ms on the emulator")
    finally:
        cloud.stop()


if __name__ == "__main__":
    main()
