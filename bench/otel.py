"""OTLP ingestion speed and cost on the local cloud.

    .venv/bin/python bench/otel.py [--traces 500] [--batch-spans 512] [--traces-per-session 10]

Exports agent runs (4 spans each: a root, two chat calls with GenAI usage, a tool call) with the
real OpenTelemetry SDK's OTLP/HTTP protobuf exporter, in batches the size a BatchSpanProcessor
sends (512 spans by default). Prints the spans per second the OTLP route accepted, the time until
every trace was assembled and normalized (the quiet period is 1 s here, 5 s by default), and the
AWS requests made per span on the OTLP path (the otel function) and on assembly + normalization
(the normalize worker), counted from real boto3 calls against the emulator.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "shared"), str(ROOT / "functions")]

from bench.counting import bench_cloud, count_calls, report_calls  # noqa: E402

SPANS_PER_TRACE = 4
PLACES = ("OtelFunction", "NormalizeFunction", "SqsPoller", "AuthorizerFunction")


def still_pending(org_id: str, trace_ids: list[str]) -> list[str]:
    """The traces not applied yet (checked cheaply: polling must not slow the cloud it measures)."""
    from grounded_core.store import keys, table

    pending = []
    for start in range(0, len(trace_ids), 100):
        chunk = trace_ids[start : start + 100]
        found = table.batch_get([(keys.trace(org_id, t), keys.APPLIED_SK) for t in chunk])
        pending += [t for t in chunk if (keys.trace(org_id, t), keys.APPLIED_SK) not in found]
    return pending


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--traces", type=int, default=500)
    parser.add_argument("--batch-spans", type=int, default=512)
    parser.add_argument("--traces-per-session", type=int, default=10)
    args = parser.parse_args()

    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import SpanExportResult

    from tests.support.otel import agent_run, recorded, trace_hex

    cloud, api, headers, agent = bench_cloud({"OtelQuietSeconds": "1"})
    org_id = api.get("/api/org", headers=headers).json()["id"]
    key = api.post("/api/keys", json={"name": "otel", "agentId": agent}, headers=headers).json()["key"]
    with recorded() as (provider, memory):
        sessions = [f"bench-{uuid.uuid4().hex[:10]}" for _ in range(max(1, args.traces // args.traces_per_session))]
        for n in range(args.traces):
            agent_run(provider, sessions[n % len(sessions)])
        spans = list(memory.get_finished_spans())
    trace_ids = list(dict.fromkeys(trace_hex(span) for span in spans))
    exporter = OTLPSpanExporter(endpoint=f"{cloud.url}/api/otel/v1/traces", headers={"authorization": f"Bearer {key}"})
    api.get("/api/agents", headers={"Authorization": f"Bearer {key}"})  # warm the authorizer and containers
    cloud.drain()
    count_calls(cloud)

    started = time.perf_counter()
    for start in range(0, len(spans), args.batch_spans):
        assert exporter.export(spans[start : start + args.batch_spans]) == SpanExportResult.SUCCESS
    accepted = time.perf_counter()
    from tests.support.waiting import wait_until

    pending = trace_ids

    def all_applied() -> bool:
        nonlocal pending
        pending = still_pending(org_id, pending)
        return not pending

    wait_until(all_applied, timeout=900, interval=0.5, what="every exported trace to be normalized")
    finished = time.perf_counter()

    report_calls(f"{len(spans)} spans exported over OTLP", PLACES, len(spans), "span")
    print(f"\n{len(trace_ids)} traces ({args.traces_per_session} per session), {len(spans)} spans, ", end="")
    print(f"exported in batches of {args.batch_spans}:")
    print(f"  accepted (OTLP 200s):    {len(spans) / (accepted - started):8.0f} spans/s")
    print(
        f"  assembled + normalized:  {len(trace_ids) / (finished - started):8.0f} traces/s ({finished - started:.1f} s)"
    )
    print(f"  local cloud, one process, python {sys.version.split()[0]}; quiet period 1 s")
    exporter.shutdown()  # type: ignore[no-untyped-call]
    cloud.stop()


if __name__ == "__main__":
    main()
