"""A bounded load test against the local cloud on loopback: N concurrent clients for T seconds,
each sending trace batches (with a secret key, as an agent's backend does) and telemetry (with the
agent's publishable key, as a browser does) and reading sessions (signed in, as the dashboard does).
The clients run in a process of their own, as agents do. It then checks that every accepted trace is
stored and normalized exactly once, and reports throughput and latency percentiles.

    .venv/bin/python bench/load.py [--clients 8] [--seconds 20] [--user-token] [--same-process]
        [--pollers-paused] [--sessions N] [--moto-order]

``--user-token`` sends everything signed in (a user token costs the authorizer a Query and a
GetItem where a key costs one GetItem); ``--same-process`` runs the clients inside the cloud's
process (their work then competes for its interpreter lock), as this script did before.
``--pollers-paused`` measures the HTTP path alone: the queue pollers wait while the clients run,
then start and drain what was queued (the "caught up" figure is then the whole normalization) —
what the front door would serve were the workers elsewhere, as Lambda runs them.
``--sessions N`` gives the org N sessions (one trace each) before the load, as a local cloud in use
for a while has; ``--moto-order`` reads Queries as moto alone does (bench/listing.py).

``run_load`` is also what the CI test runs, in a reduced form.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import statistics
import sys
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "shared"), str(ROOT / "functions")]

import httpx  # noqa: E402

TRACES_PER_BATCH = 10


@dataclass(frozen=True)
class Credentials:
    """Who sends what, as in production: the agent's backend sends traces with a secret key, the
    browser sends telemetry with a publishable key, a person reads sessions signed in."""

    agent: dict[str, str]
    browser: dict[str, str]
    dashboard: dict[str, str]

    @classmethod
    def everything_as(cls, headers: dict[str, str]) -> Credentials:
        return cls(headers, headers, headers)


def agent_credentials(api: httpx.Client, dashboard: dict[str, str], agent_id: str) -> Credentials:
    """A secret key and the agent's publishable key, made through the API by the signed-in owner."""
    made = {}
    for kind in ("secret", "publishable"):
        body = {"name": f"load {kind}", "kind": kind} | ({"agentId": agent_id} if kind == "publishable" else {})
        response = api.post("/api/keys", json=body, headers=dashboard)
        response.raise_for_status()
        made[kind] = {"Authorization": f"Bearer {response.json()['key']}"}
    return Credentials(agent=made["secret"], browser=made["publishable"], dashboard=dashboard)


@dataclass
class LoadReport:
    seconds: float
    accepted_trace_ids: set[str] = field(default_factory=set)
    latencies_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    sessions: set[str] = field(default_factory=set)

    def percentile(self, kind: str, share: float) -> float:
        values = sorted(self.latencies_ms[kind])
        return values[min(len(values) - 1, int(share * len(values)))] if values else 0.0


def _client_loop(
    url: str, credentials: Credentials, agent_id: str, deadline: float, report: LoadReport, lock: threading.Lock
) -> None:
    started = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    with httpx.Client(base_url=url, timeout=60) as api:
        while time.monotonic() < deadline:
            session = f"load-{uuid.uuid4().hex[:10]}"
            traces = [
                {
                    "agentId": agent_id,
                    "sessionId": session,
                    "startedAt": started,
                    "name": "load",
                    "spans": [
                        {
                            "id": "s",
                            "kind": "llm",
                            "name": "chat",
                            "startedAt": started,
                            "model": "gpt-4o-mini",
                            "usage": {"inputTokens": 100, "outputTokens": 10},
                        }
                    ],
                }
                for _ in range(TRACES_PER_BATCH)
            ]
            events = [
                {
                    "agentId": agent_id,
                    "type": "click",
                    "name": "send",
                    "timestamp": started,
                    "anonymousId": session,
                    "sessionId": session,
                }
            ]
            for kind, method, path, body, headers in (
                ("traces", "POST", "/api/traces/batch", {"traces": traces}, credentials.agent),
                ("telemetry", "POST", "/api/telemetry", {"events": events}, credentials.browser),
                ("sessions", "GET", "/api/sessions?limit=20", None, credentials.dashboard),
            ):
                begin = time.perf_counter()
                response = api.request(method, path, json=body, headers=headers)
                elapsed = (time.perf_counter() - begin) * 1000
                with lock:
                    report.latencies_ms[kind].append(elapsed)
                    report.statuses[response.status_code] += 1
                    if kind == "traces" and response.status_code in (202, 207):
                        accepted = [r["traceId"] for r in response.json()["results"] if r["status"] == "accepted"]
                        report.accepted_trace_ids.update(accepted)
                        report.sessions.add(session)


def run_load(url: str, credentials: Credentials, agent_id: str, clients: int, seconds: float) -> LoadReport:
    report = LoadReport(seconds=seconds)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_client_loop, args=(url, credentials, agent_id, deadline, report, lock))
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return report


def run_load_elsewhere(url: str, credentials: Credentials, agent_id: str, clients: int, seconds: float) -> LoadReport:
    """:func:`run_load` in a process of its own, as an agent's requests come from outside the local
    cloud: the clients' own work does not wait for the cloud's interpreter lock, nor the cloud's for
    theirs."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(run_load, url, credentials, agent_id, clients, seconds).result()


def verify_exactly_once(url: str, headers: dict[str, str], agent_id: str, report: LoadReport) -> dict[str, int]:
    """Every accepted trace is stored and normalized, and counted once on its session."""
    stored: dict[str, Any] = {}
    sessions: dict[str, int] = {}
    with httpx.Client(base_url=url, timeout=60, headers=headers) as api:
        for path in ("/api/traces", "/api/sessions"):
            cursor = None
            while True:
                params: dict[str, str | int] = {"agentId": agent_id, "limit": 200}
                if cursor:
                    params["cursor"] = cursor
                page = api.get(path, params=params).json()
                for item in page["items"]:
                    if path == "/api/traces":
                        stored[item["id"]] = item
                    elif item["externalId"] in report.sessions:  # not the sessions the org had before
                        sessions[item["id"]] = item["traces"]
                cursor = page["nextCursor"]
                if not cursor:
                    break
    normalized = {trace_id for trace_id, item in stored.items() if item["normalization"]["state"] == "normalized"}
    return {
        "accepted": len(report.accepted_trace_ids),
        "stored": len(set(stored) & report.accepted_trace_ids),
        "normalized": len(normalized & report.accepted_trace_ids),
        "counted_on_sessions": sum(sessions.values()),
    }


def main() -> None:
    from bench.counting import bench_cloud
    from bench.listing import add_sessions, use_moto_order

    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--same-process", action="store_true", help="run the clients inside the cloud's process")
    parser.add_argument("--user-token", action="store_true", help="send traces and telemetry signed in, not with keys")
    parser.add_argument("--pollers-paused", action="store_true", help="the HTTP path alone; drain the queues after")
    parser.add_argument("--sessions", type=int, default=0, help="sessions the org already has (one trace each)")
    parser.add_argument("--moto-order", action="store_true", help="Queries read as moto alone reads them")
    args = parser.parse_args()
    if args.moto_order:
        use_moto_order()
    cloud, api, headers, agent = bench_cloud()
    if args.sessions:
        add_sessions(api, headers, agent, args.sessions)
        cloud.drain(timeout_seconds=900)
    credentials = Credentials.everything_as(headers) if args.user_token else agent_credentials(api, headers, agent)
    load = run_load if args.same_process else run_load_elsewhere
    with cloud.pollers_paused() if args.pollers_paused else contextlib.nullcontext():
        report = load(cloud.url, credentials, agent, args.clients, args.seconds)
    accepted_at = time.perf_counter()
    cloud.drain(timeout_seconds=900)
    drained = time.perf_counter() - accepted_at
    counts = verify_exactly_once(cloud.url, headers, agent, report)
    requests = sum(report.statuses.values())
    print(f"{args.clients} clients for {args.seconds:g} s: {requests} requests, statuses {dict(report.statuses)}")
    rate, traces = requests / args.seconds, counts["accepted"] / args.seconds
    print(f"  throughput: {rate:.1f} requests/s, {traces:.1f} traces/s accepted")
    for kind in ("traces", "telemetry", "sessions"):
        values = report.latencies_ms[kind]
        p50, p95, p99 = (report.percentile(kind, share) for share in (0.5, 0.95, 0.99))
        mean = statistics.fmean(values) if values else 0.0
        spread = f"p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p99 {p99:7.1f} ms  mean {mean:7.1f} ms"
        print(f"  {kind:<10} n={len(values):>5}  {spread}")
    print(f"  normalization caught up {drained:.1f} s after the load stopped")
    print(f"  exactly once: {counts}")
    cloud.stop()


if __name__ == "__main__":
    main()
