"""Hot keys: the write units each partition key (in the table and in both indexes) takes when one
org's traces pour in at the large team's peak.

    .venv/bin/python bench/partitions.py [--traces 1000] [--per-session 10]

Replays a sample of the peak (one org, one agent, conversations of ``--per-session`` traces, sent
in batches of 100) through the real write path on the local cloud, and counts every DynamoDB write
by the keys it lands on: the item's partition key, and — the indexes project every attribute —
its GSI1 and GSI2 partition keys whenever the item is in them (any change to an indexed item is
written to the index too). Keys are grouped by their shape (ids replaced by ``…``). The busiest
shapes are then scaled to the peak: 10M traces a day at 10x the average is 1,157 traces a second.

A shape every trace writes (the org's listings, the rollup day, the snapshot's totals) takes its
write units per trace x 1,157 on one partition. A shape of one conversation (its session, turns,
stitch keys) takes them at the pace of one conversation — ``--conversation-rate`` traces a second
— on each of its partitions. DynamoDB serves at most 1,000 write units a second per partition (and
a throttled index throttles the table).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "shared"), str(ROOT / "functions")]

from bench.counting import bench_cloud  # noqa: E402
from bench.ingest import traces  # noqa: E402

PEAK_TRACES_PER_SECOND = 10_000_000 / 86_400 * 10
PARTITION_LIMIT = 1_000
ID = re.compile(r"(?<=#)(?:[a-z]{3}_[0-9a-z]{20,}|[0-9a-f]{32}|bench-[0-9a-f]{8}|[0-9]{4}-[0-9]{2}-[0-9]{2}[^#]*)")


def shape(key: str) -> str:
    return ID.sub("…", key)


class WriteUnits:
    """Write units by the keys they land on, from every DynamoDB write the stack makes."""

    def __init__(self, cloud: Any) -> None:
        from moto.dynamodb.models import dynamodb_backends

        from local.emulator import ACCOUNT_ID

        self.table = dynamodb_backends[ACCOUNT_ID][cloud.options.region].get_table(cloud.resources["Table"])
        self.units: Counter[tuple[str, str]] = Counter()  # (where, shape) -> units
        self.keys: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.lock = threading.Lock()

    def _stored(self, pk: str, sk: str) -> dict[str, Any] | None:
        from moto.dynamodb.models.dynamo_type import DynamoType

        item = self.table.get_item(DynamoType({"S": pk}), DynamoType({"S": sk}))
        return None if item is None else item.to_json()["Attributes"]

    def record(self, pk: str, sk: str, size: int) -> None:
        units = max(1, math.ceil(size / 1024))
        stored = self._stored(pk, sk) or {}
        landed = [("table", pk)]
        for index in ("GSI1", "GSI2"):
            if f"{index}PK" in stored:
                landed.append((index, stored[f"{index}PK"]["S"]))
        with self.lock:
            for where, key in landed:
                self.units[(where, shape(key))] += units
                self.keys[(where, shape(key))].add(key)

    def install(self) -> None:
        from botocore.client import BaseClient

        original, meter = BaseClient._make_api_call, self

        def make_api_call(client: Any, operation: str, params: Any) -> Any:
            answer = original(client, operation, params)
            if client.meta.service_model.service_name == "dynamodb":
                for pk, sk, size in writes(operation, params):
                    meter.record(pk, sk, size)
            return answer

        BaseClient._make_api_call = make_api_call  # type: ignore[method-assign]


def _key(value: dict[str, Any]) -> tuple[str, str]:
    pk, sk = value["PK"], value["SK"]
    return (pk["S"] if isinstance(pk, dict) else pk), (sk["S"] if isinstance(sk, dict) else sk)


def writes(operation: str, params: dict[str, Any]) -> list[tuple[str, str, int]]:
    """``(pk, sk, bytes)`` of each item a write request writes."""
    found = []
    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        found.append((*_key(params.get("Item") or params["Key"]), len(json.dumps(params, default=str))))
    elif operation == "BatchWriteItem":
        for requests in params["RequestItems"].values():
            for request in requests:
                body = request.get("PutRequest", {}).get("Item") or request.get("DeleteRequest", {}).get("Key")
                found.append((*_key(body), len(json.dumps(body, default=str))))
    elif operation == "TransactWriteItems":
        for entry in params["TransactItems"]:
            (kind, body), *_ = entry.items()
            if kind != "ConditionCheck":
                target = body.get("Item") or body["Key"]
                found.append((*_key(target), 2 * len(json.dumps(body, default=str))))  # transactions bill twice
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--traces", type=int, default=1000)
    parser.add_argument("--per-session", type=int, default=10)
    parser.add_argument("--conversation-rate", type=float, default=0.5, help="traces a second in one conversation")
    args = parser.parse_args()

    cloud, api, headers, agent = bench_cloud()
    meter = WriteUnits(cloud)
    meter.install()
    sessions = max(1, args.traces // args.per_session)
    body = traces(agent, args.traces, sessions)
    started = time.perf_counter()
    for start in range(0, len(body), 100):
        answer = api.post("/api/traces/batch", json={"traces": body[start : start + 100]}, headers=headers)
        assert answer.status_code == 202, answer.text
    cloud.drain(timeout_seconds=1200)
    took = time.perf_counter() - started

    print(f"{args.traces} traces, {sessions} conversations of {args.per_session}, one org and agent ({took:.0f} s)")
    print(f"scaled to the peak: {PEAK_TRACES_PER_SECOND:,.0f} traces/s; a conversation: {args.conversation_rate}/s\n")
    print(f"  {'where':<6} {'key shape':<58} {'keys':>6} {'WU/trace':>9} {'peak WU/s/key':>14}")
    rows = []
    for (where, key_shape), units in meter.units.items():
        count = len(meter.keys[(where, key_shape)])
        per_trace = units / args.traces  # each trace writes its own keys of the shape, or the one shared key
        rate = PEAK_TRACES_PER_SECOND if count == 1 else args.conversation_rate
        rows.append((per_trace * rate, where, key_shape, count, per_trace))
    for peak, where, key_shape, count, per_trace in sorted(rows, reverse=True)[:15]:
        flag = "  OVER" if peak > PARTITION_LIMIT else ""
        print(f"  {where:<6} {key_shape[:58]:<58} {count:>6} {per_trace:>9.3f} {peak:>14,.0f}{flag}")
    over = [row for row in rows if row[0] > PARTITION_LIMIT]
    print(f"\n{len(over)} key shape(s) over {PARTITION_LIMIT} write units/s on one partition at the peak")
    cloud.stop()


if __name__ == "__main__":
    main()
