"""What a search costs: the DynamoDB reads (read request units, as DynamoDB bills them: 0.5 per
4 KB of items a query returns, eventually consistent; 0.5 per item of a BatchGetItem) and the time
of one search request, over --traces traces (default 2,000) on the local cloud — a rare text, a
common one, a metadata filter and a score filter — and what a search over a window of a million
traces would cost at that rate. Also the monthly floor of an OpenSearch Serverless collection, the
alternative.

    .venv/bin/python bench/search.py [--traces 2000]
"""

from __future__ import annotations

import argparse
import math
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "shared"), str(ROOT / "functions")]

from bench import counting  # noqa: E402
from bench.counting import bench_cloud  # noqa: E402
from bench.write_units import item_size  # noqa: E402

RRU_PRICE = 0.125 / 1e6
#: OpenSearch Serverless: the smallest collection without redundancy runs 0.5 OCU for indexing and
#: 0.5 for search at $0.24 per OCU-hour (us-east-1), and bills storage at $0.024 per GB-month
OCU_HOUR = 0.24
read_units: dict[str, float] = {}
_lock = threading.Lock()


def meter_reads(cloud: Any) -> None:
    """Read units of the traces function's queries and batch reads, from the items they return."""
    counting.count_calls(cloud)
    from boto3.dynamodb.types import TypeSerializer
    from botocore.client import BaseClient

    serializer = TypeSerializer()
    original = BaseClient._make_api_call

    def size(item: dict[str, Any]) -> int:
        first = next(iter(item.values()), None)
        typed = isinstance(first, dict) and len(first) == 1 and next(iter(first)) in {"S", "N", "M", "L", "BOOL"}
        return item_size(item if typed else {k: serializer.serialize(v) for k, v in item.items()})

    def make_api_call(self: Any, operation: str, params: Any) -> Any:
        answer = original(self, operation, params)
        if self.meta.service_model.service_name != "dynamodb" or counting._current.get() != "TracesFunction":
            return answer
        if operation == "Query":
            units = math.ceil(sum(size(i) for i in answer.get("Items", [])) / 4096) * 0.5 or 0.5
        elif operation == "BatchGetItem":
            units = sum(
                math.ceil(size(i) / 4096) * 0.5 for items in answer.get("Responses", {}).values() for i in items
            )
        else:
            return answer
        with _lock:
            read_units[operation] = read_units.get(operation, 0.0) + units
            read_units["requests"] = read_units.get("requests", 0.0) + 1
        return answer

    BaseClient._make_api_call = make_api_call  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--traces", type=int, default=2_000)
    args = parser.parse_args()
    cloud, api, headers, agent = bench_cloud()
    start = datetime.now(UTC) - timedelta(hours=1)
    for batch in range(0, args.traces, 100):
        body = [
            {
                "agentId": agent, "sessionId": f"conv-{(batch + n) // 4}", "name": "answer",
                "startedAt": (start + timedelta(seconds=batch + n)).isoformat(),
                "input": {"question": f"Where is order {batch + n}?"}, "output": "It ships tomorrow.",
                "metadata": {"plan": "pro" if (batch + n) % 10 == 0 else "free"},
                "spans": [{"id": "l", "kind": "llm", "name": "chat", "startedAt": start.isoformat(),
                           "model": "gpt-4o-mini", "usage": {"inputTokens": 800, "outputTokens": 100}}],
            }
            for n in range(min(100, args.traces - batch))
        ]  # fmt: skip
        assert api.post("/api/traces/batch", json={"traces": body}, headers=headers).status_code == 202
    cloud.drain(timeout_seconds=900)
    api.get("/api/traces", params={"limit": 1}, headers=headers)  # a warm function
    meter_reads(cloud)
    searches = {
        "rare text (1 match)": {"q": f"order {args.traces - 7}?"},
        "common text (all match)": {"q": "ships"},
        "metadata (1 in 10 match)": {"metadata.plan": "pro"},
        "no match (reads 1,000)": {"q": "no such text"},
    }
    print(
        f"Search over {args.traces} traces of the last 7 days, 20 a page (a request reads at most 1,000 listed items)"
    )
    for name, params in searches.items():
        read_units.clear()
        began = time.perf_counter()
        answer = api.get("/api/traces", params={"limit": 20, **params}, headers=headers).json()
        seconds = time.perf_counter() - began
        units = read_units.get("Query", 0.0) + read_units.get("BatchGetItem", 0.0)
        more = " (more)" if answer["nextCursor"] else ""
        print(f"  {name:<26} {len(answer['items']):>3} found{more:<7} {seconds * 1000:>6.0f} ms  "
              f"{read_units.get('requests', 0):>4.0f} reads  {units:>7.1f} RRU  "
              f"${units * RRU_PRICE * 1e6:>6.2f} per million searches")  # fmt: skip
        if name.startswith("no match"):
            per_trace = units / 1000
    print(
        f"  reading a window: {per_trace:.3f} RRU per trace, ${per_trace * 1e6 * RRU_PRICE:.2f} per million traces read"
    )
    ocu_month = OCU_HOUR * 1.0 * 24 * 30
    print(f"OpenSearch Serverless floor: 1 OCU (0.5 indexing + 0.5 search) = ${ocu_month:,.0f} a month before storage")
    cloud.stop()


if __name__ == "__main__":
    main()
