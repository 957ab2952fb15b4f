"""Ingestion cost and speed on the local cloud.

    .venv/bin/python bench/ingest.py [--batches 10] [--batch-size 100] [--sessions-per-batch 10] [--state-dir]

Prints, for one batch of traces: the AWS requests made per trace on the ingest path (the traces
function), on the normalization path (the normalize worker), and by Lambda's SQS poller; then the
end-to-end rate (first request sent to last trace normalized) for all batches. Every figure comes
from counting real boto3 calls against the emulator; nothing is estimated.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "shared"), str(ROOT / "functions")]


from bench.counting import bench_cloud, count_calls, report_calls  # noqa: E402


def traces(agent_id: str, count: int, sessions: int) -> list[dict[str, Any]]:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
    conversations = [f"bench-{uuid.uuid4().hex[:8]}" for _ in range(sessions)]
    return [
        {
            "agentId": agent_id,
            "sessionId": conversations[n % sessions],
            "name": "answer",
            "startedAt": stamp,
            "endedAt": stamp,
            "input": {"question": f"question {n}"},
            "output": f"answer {n}",
            "spans": [
                {"id": f"s{n}", "kind": "llm", "name": "chat", "startedAt": stamp, "model": "gpt-4o-mini",
                 "usage": {"inputTokens": 800, "outputTokens": 120, "cacheReadTokens": 400}},
                {"id": f"t{n}", "kind": "tool", "name": "search", "startedAt": stamp, "output": "ok"},
            ],
        }
        for n in range(count)
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--sessions-per-batch", type=int, default=10)
    parser.add_argument("--state-dir", action="store_true", help="keep the data on disk, as make dev does")
    args = parser.parse_args()

    state = Path(tempfile.mkdtemp(prefix="grounded-bench-state-")) if args.state_dir else None
    cloud, api, headers, agent = bench_cloud(state_dir=state)
    key = api.post("/api/keys", json={"name": "bench"}, headers=headers).json()["key"]
    headers = {"Authorization": f"Bearer {key}"}
    api.get("/api/agents", headers=headers)  # warm the authorizer cache and every container
    cloud.drain()
    count_calls(cloud)

    answer = api.post(
        "/api/traces/batch", json={"traces": traces(agent, args.batch_size, args.sessions_per_batch)}, headers=headers
    )
    assert answer.status_code == 202, answer.text
    cloud.drain(timeout_seconds=300)
    title = f"One batch of {args.batch_size} traces, {args.sessions_per_batch} new sessions"
    report_calls(
        title, ("TracesFunction", "NormalizeFunction", "SqsPoller", "AuthorizerFunction"), args.batch_size, "trace"
    )

    total = args.batches * args.batch_size
    bodies = [traces(agent, args.batch_size, args.sessions_per_batch) for _ in range(args.batches)]
    started = time.perf_counter()
    for body in bodies:
        assert api.post("/api/traces/batch", json={"traces": body}, headers=headers).status_code == 202
    accepted = time.perf_counter()
    cloud.drain(timeout_seconds=600)
    finished = time.perf_counter()
    print(f"\n{total} traces in {args.batches} batches of {args.batch_size}:")
    per_batch_ms = (accepted - started) / args.batches * 1000
    print(f"  ingest (202s):           {total / (accepted - started):8.0f} traces/s  ({per_batch_ms:.0f} ms per batch)")
    print(f"  end to end (normalized): {total / (finished - started):8.0f} traces/s  ({finished - started:.1f} s)")
    print(f"  local cloud, one process, python {sys.version.split()[0]}; moto serializes emulator requests")
    if state is not None:
        if cloud.persistence is not None:
            cloud.persistence.flush()
        journal = state / "journal.jsonl"
        print(f"  data kept on disk (as make dev): journal {journal.stat().st_size / total:,.0f} bytes per trace")
    cloud.stop()
    if state is not None:
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    main()
