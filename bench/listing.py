"""What a list page costs on the local cloud as an org's data grows: the sessions list (first page
and third) and the traces list, timed one request after another at each size (median of
--repeats), with the number of sessions growing to each of --sizes (one trace each, normalized).
On AWS a page costs the same at any size; on the emulator a Query used to sort the whole index
partition it read, so every page got slower with every session.

    .venv/bin/python bench/listing.py [--sizes 100,1000,3000] [--repeats 15] [--moto-order]

``--moto-order`` turns off the kept partition order (``workarounds.queries_read_in_kept_order``):
the figures as moto alone reads.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "shared"), str(ROOT / "functions")]

import httpx  # noqa: E402

BATCH = 100


def add_sessions(api: httpx.Client, headers: dict[str, str], agent: str, count: int) -> None:
    """``count`` new sessions of one trace each, sent in batches."""
    started = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    for first in range(0, count, BATCH):
        traces = [
            {"agentId": agent, "sessionId": f"list-{uuid.uuid4().hex[:12]}", "startedAt": started, "name": "listed"}
            for _ in range(min(BATCH, count - first))
        ]
        api.post("/api/traces/batch", json={"traces": traces}, headers=headers).raise_for_status()


def use_moto_order() -> None:
    """Queries read as moto alone reads them (before the local cloud starts)."""
    from local import workarounds

    workarounds.queries_read_in_kept_order = lambda: None  # type: ignore[assignment]


def page_ms(api: httpx.Client, headers: dict[str, str], path: str, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        begin = time.perf_counter()
        api.get(path, headers=headers).raise_for_status()
        times.append((time.perf_counter() - begin) * 1000)
    return statistics.median(times)


def third_page(api: httpx.Client, headers: dict[str, str]) -> str:
    path = "/api/sessions?limit=20"
    for _ in range(2):
        cursor = api.get(path, headers=headers).json()["nextCursor"]
        if not cursor:
            break
        path = f"/api/sessions?limit=20&cursor={cursor}"
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,1000,3000")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--moto-order", action="store_true", help="without the kept partition order")
    args = parser.parse_args()
    if args.moto_order:
        use_moto_order()
    from bench.counting import bench_cloud

    cloud, api, headers, agent = bench_cloud()
    how = "moto's own order" if args.moto_order else "kept partition order"
    print(f"list pages on the local cloud ({how}), median of {args.repeats}, ms:")
    print(f"  {'sessions':>8}  {'sessions p1':>11}  {'sessions p3':>11}  {'traces p1':>9}")
    have = 0
    for size in (int(size) for size in args.sizes.split(",")):
        add_sessions(api, headers, agent, size - have)
        have = size
        cloud.drain(timeout_seconds=900)
        figures = [
            page_ms(api, headers, path, args.repeats)
            for path in ("/api/sessions?limit=20", third_page(api, headers), "/api/traces?limit=20")
        ]
        print(f"  {size:>8}  {figures[0]:>11.1f}  {figures[1]:>11.1f}  {figures[2]:>9.1f}")
    cloud.stop()


if __name__ == "__main__":
    main()
