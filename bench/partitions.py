"""Hot keys: the write units each partition key (in the table and in both indexes) takes when one
org's traces pour in at the large team's peak.

    .venv/bin/python bench/partitions.py [--traces 1000] [--per-session 10]

Replays a sample of the peak (one org, one agent, conversations of ``--per-session`` traces, sent
in batches of 100) through the real write path on the local cloud, and counts every DynamoDB write
by the keys it lands on, billed as DynamoDB bills it (:mod:`bench.write_units`: the item's size in
the table, and each index entry that changes on the index's partition key). Keys are grouped by
their shape (ids and shard numbers replaced by ``…``). The busiest shapes are then scaled to the
peak: 10M traces a day at 10x the average is 1,157 traces a second.

A shape every trace writes (the org's listings, the rollup day, the snapshot's totals) takes its
write units per trace x 1,157, spread over its keys (a sharded listing's shards share it: its
busiest shard is shown). A shape of one conversation (its session, its traces' items, stitch keys)
takes them at the pace of one conversation — ``--conversation-rate`` traces a second — on each of
its partitions. DynamoDB serves at most 1,000 write units a second per partition (and
a throttled index throttles the table).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "shared"), str(ROOT / "functions")]

from bench.counting import bench_cloud  # noqa: E402
from bench.ingest import traces  # noqa: E402
from bench.write_units import WriteMeter  # noqa: E402

PEAK_TRACES_PER_SECOND = 10_000_000 / 86_400 * 10
PARTITION_LIMIT = 1_000
ID = re.compile(
    r"(?<=#)(?:[a-z]{3}_[0-9a-z]{20,}|[0-9a-f]{32}|bench-[0-9a-f]{8}|[0-9]{4}-[0-9]{2}-[0-9]{2}[^#]*|[0-9]+$)"
)
#: a shape with more keys than this is one per conversation (or trace); fewer: shared by every trace
SHARED_KEYS = 16


def shape(key: str) -> str:
    return ID.sub("…", key)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--traces", type=int, default=1000)
    parser.add_argument("--per-session", type=int, default=10)
    parser.add_argument("--conversation-rate", type=float, default=0.5, help="traces a second in one conversation")
    args = parser.parse_args()

    cloud, api, headers, agent = bench_cloud()
    meter = WriteMeter(cloud)
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
    units: Counter[tuple[str, str]] = Counter()
    busiest: Counter[tuple[str, str]] = Counter()  # the most units one key of the shape took
    keys: dict[tuple[str, str], set[str]] = defaultdict(set)
    on_key: Counter[tuple[str, str]] = Counter()
    for (_, where, _, pk), count in meter.units.items():
        units[(where, shape(pk))] += count
        keys[(where, shape(pk))].add(pk)
        on_key[(where, pk)] += count
    for (where, pk), count in on_key.items():
        busiest[(where, shape(pk))] = max(busiest[(where, shape(pk))], count)
    rows = []
    for (where, key_shape), count in units.items():
        per_trace = count / args.traces
        if len(keys[(where, key_shape)]) > SHARED_KEYS:  # its own keys, at a conversation's pace
            peak = per_trace * args.conversation_rate
        else:  # shared by every trace: its busiest key's part of the peak
            peak = busiest[(where, key_shape)] / args.traces * PEAK_TRACES_PER_SECOND
        rows.append((peak, where, key_shape, len(keys[(where, key_shape)]), per_trace))
    for peak, where, key_shape, count, per_trace in sorted(rows, reverse=True)[:15]:
        flag = "  OVER" if peak > PARTITION_LIMIT else ""
        print(f"  {where:<6} {key_shape[:58]:<58} {count:>6} {per_trace:>9.3f} {peak:>14,.0f}{flag}")
    over = [row for row in rows if row[0] > PARTITION_LIMIT]
    print(f"\n{len(over)} key shape(s) over {PARTITION_LIMIT} write units/s on one partition at the peak")
    cloud.stop()


if __name__ == "__main__":
    main()
