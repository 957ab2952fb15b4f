"""What Grounded costs to run on AWS, from AWS requests counted on the local cloud and AWS list
prices (us-east-1, November 2026, arm64). Every assumption is printed with the figures.

    .venv/bin/python bench/cost.py [--traces 200]

Counted (real boto3 calls against the emulator, by the function they ran in): ingesting and
normalizing a batch of traces, a 100-case endpoint eval run, and a 30-day dashboard read. Priced:
Lambda requests and GB-seconds, HTTP API requests, DynamoDB on-demand read and write units, SQS
requests, S3 requests, Step Functions state transitions.
"""

from __future__ import annotations

import argparse
import contextvars
import json
import math
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "shared"), str(ROOT / "functions")]

from bench.counting import bench_cloud  # noqa: E402
from tests.fakes.agent import FakeAgent  # noqa: E402

PRICES = {
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second_arm": 0.0000133334,
    "http_api_request": 1.00 / 1e6,
    "dynamodb_wru": 0.625 / 1e6,
    "dynamodb_rru": 0.125 / 1e6,
    "sqs_request": 0.40 / 1e6,
    "s3_put": 0.005 / 1e3,
    "s3_get": 0.0004 / 1e3,
    "sfn_transition": 0.025 / 1e3,
}
#: Average billed duration (ms) and memory (MB) per invocation: estimates for AWS, not local timings.
DURATIONS = {
    "TracesFunction": (120, 1024),
    "NormalizeFunction": (600, 1024),
    "EvalStepsFunction": (300, 512),
    "EvalsFunction": (60, 512),
    "AnalyticsFunction": (40, 256),
    "AuthorizerFunction": (15, 256),
}
ASSUMPTIONS = [
    "a trace: one LLM span and one tool span, ~1.5 KB stored; sent in batches of 100 (one HTTP request per batch)",
    "the authorizer's 60 s cache: one authorizer invocation per key per minute (not per request); left out",
    "DynamoDB items up to 1 KB (1 WRU to write, 0.5 RRU to read eventually / 1 strongly); transactions cost 2x",
    "Lambda durations and memory as in DURATIONS (estimates for AWS; the emulator's timings are not AWS's)",
    "an endpoint eval case: the target answers in ~300 ms inside the steps function's invocation",
    "Lambda's SQS pollers: a receive and a delete per batch of up to 10 messages (25 traces each): ~0.008"
    " SQS requests per trace, not counted above (the local pollers are not Lambda's)",
    "prices: AWS list prices us-east-1, no free tier, HTTP API first tier, SQS standard, Step Functions standard",
]


class Meter:
    """Counts invocations and, per AWS call, the units it bills."""

    def __init__(self) -> None:
        self.calls: Counter[tuple[str, str, str]] = Counter()
        self.units: Counter[str] = Counter()
        self.invocations: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.where: contextvars.ContextVar[str | None] = contextvars.ContextVar("function", default=None)

    def install(self, cloud: Any) -> None:
        from botocore.client import BaseClient

        original_call, original_invoke, meter = BaseClient._make_api_call, cloud.runtime.invoke, self

        def make_api_call(client: Any, operation: str, params: Any) -> Any:
            service = client.meta.service_model.service_name
            where = meter.where.get()
            if where is not None:  # the functions' calls (not the local pollers' or this script's)
                with meter.lock:
                    meter.calls[(where, service, operation)] += 1
                    meter.units.update(meter.bill(service, operation, params))
            return original_call(client, operation, params)

        def invoke(function: str, event: Any) -> Any:
            name = cloud.runtime.get(function).source.logical_id
            token = meter.where.set(name)
            with meter.lock:
                meter.invocations[name] += 1
            try:
                return original_invoke(function, event)
            finally:
                meter.where.reset(token)

        BaseClient._make_api_call = make_api_call  # type: ignore[method-assign]
        cloud.runtime.invoke = invoke

    @staticmethod
    def bill(service: str, operation: str, params: dict[str, Any]) -> Counter[str]:
        """Billed units of one call (read units in halves, counted as floats)."""

        def kb(item: Any) -> int:
            return max(1, math.ceil(len(json.dumps(item, default=str)) / 1024))

        bill: Counter[str] = Counter()
        if service == "dynamodb":
            if operation == "TransactWriteItems":
                bill["dynamodb_wru"] += sum(2 * kb(next(iter(op.values()))) for op in params["TransactItems"])
            elif operation == "BatchWriteItem":
                bill["dynamodb_wru"] += sum(kb(r) for rs in params["RequestItems"].values() for r in rs)
            elif operation in ("PutItem", "UpdateItem", "DeleteItem"):
                bill["dynamodb_wru"] += kb(params.get("Item") or params.get("Key"))
            elif operation == "BatchGetItem":
                keys = sum(len(spec["Keys"]) for spec in params["RequestItems"].values())
                bill["dynamodb_rru"] += 2 * keys
            elif operation == "GetItem":
                bill["dynamodb_rru"] += 2 if params.get("ConsistentRead") else 1  # in half units
            elif operation == "Query":
                bill["dynamodb_rru"] += 1  # up to 4 KB, eventually consistent: half a unit
        elif service == "sqs" and operation.startswith(("Send", "Receive", "Delete", "ChangeMessage")):
            bill["sqs_request"] += 1
        elif service == "s3":
            bill["s3_put" if operation.startswith("Put") else "s3_get"] += 1
        return bill

    def reset(self) -> None:
        self.calls.clear()
        self.units.clear()
        self.invocations.clear()

    def dollars(self, http_requests: int, transitions: int = 0) -> tuple[float, dict[str, float]]:
        parts = {name: count * PRICES[name] for name, count in self.units.items() if name in PRICES}
        parts["dynamodb_rru"] = self.units["dynamodb_rru"] / 2 * PRICES["dynamodb_rru"]  # counted in half units
        parts["http_api_request"] = http_requests * PRICES["http_api_request"]
        invocations = {n: c for n, c in self.invocations.items() if n in DURATIONS}
        parts["lambda_request"] = sum(invocations.values()) * PRICES["lambda_request"]
        parts["lambda_gb_second"] = sum(
            count * DURATIONS[name][0] / 1000 * DURATIONS[name][1] / 1024 * PRICES["lambda_gb_second_arm"]
            for name, count in invocations.items()
        )
        parts["sfn_transition"] = transitions * PRICES["sfn_transition"]
        return sum(parts.values()), parts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--traces", type=int, default=200)
    args = parser.parse_args()
    cloud, api, headers, agent = bench_cloud()
    meter = Meter()
    meter.install(cloud)
    stamp = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()

    # 1. ingest and normalize traces, in batches of 100
    meter.reset()
    batches = math.ceil(args.traces / 100)
    for batch in range(batches):
        traces = [
            {
                "agentId": agent,
                "sessionId": f"cost-{batch}-{n % 10}",
                "startedAt": stamp,
                "input": {"q": "x" * 400},
                "output": "y" * 400,
                "spans": [
                    {
                        "id": "l",
                        "kind": "llm",
                        "name": "chat",
                        "startedAt": stamp,
                        "model": "gpt-4o-mini",
                        "usage": {"inputTokens": 800, "outputTokens": 100},
                    },
                    {"id": "t", "kind": "tool", "name": "search", "startedAt": stamp},
                ],
            }
            for n in range(100)
        ]
        assert api.post("/api/traces/batch", json={"traces": traces}, headers=headers).status_code == 202
    cloud.drain(timeout_seconds=600)
    total, parts = meter.dollars(http_requests=batches)
    per_million = total / (batches * 100) * 1e6
    print(f"Ingest + normalize {batches * 100} traces: ${per_million:,.2f} per million traces")
    for name, value in sorted(parts.items()):
        print(f"    {name:<20} ${value / (batches * 100) * 1e6:>10,.2f} per million")
    calls = Counter({k: v for k, v in meter.calls.items() if k[0] in ("TracesFunction", "NormalizeFunction")})
    print(
        "    AWS requests per trace: "
        + ", ".join(f"{w}.{o} {c / (batches * 100):.3f}" for (w, _, o), c in sorted(calls.items()))
    )

    # 2. a 100-case endpoint eval run
    fake = FakeAgent({f"q{n}": f"a{n}" for n in range(100)}).start()
    suite = api.post("/api/evals/suites", json={"agentId": agent, "name": "cost"}, headers=headers).json()
    cases = [{"input": f"q{n}", "assertions": [{"type": "equals", "value": f"a{n}"}]} for n in range(100)]
    api.post(f"/api/evals/suites/{suite['id']}/cases", json={"cases": cases}, headers=headers)
    meter.reset()
    run = api.post(
        "/api/evals/runs",
        json={"suiteId": suite["id"], "mode": "endpoint", "target": {"url": fake.url + "/right"}},
        headers=headers,
    ).json()
    while api.get(f"/api/evals/runs/{run['id']}", headers=headers).json()["status"] == "RUNNING":
        time.sleep(0.2)
    polls = meter.invocations["EvalsFunction"] - 1
    meter.invocations["EvalsFunction"] = 1  # the create; the polling above is this script's, not the run's
    total, parts = meter.dollars(http_requests=1, transitions=100 + 3)
    print(
        f"\nA 100-case endpoint eval run: ${total:.4f} (state transitions 103, steps invocations "
        f"{meter.invocations['EvalStepsFunction']}; {polls} status polls by this script left out)"
    )
    fake.stop()

    # 3. a 30-day dashboard
    meter.reset()
    api.get("/api/analytics/overview", headers=headers)
    total, _ = meter.dollars(http_requests=1)
    print(
        f"\nA 30-day dashboard read: ${total * 1e6:,.2f} per million reads "
        f"(DynamoDB {dict(meter.units)}, invocations {dict(meter.invocations)})"
    )
    print("\nAssumptions:")
    for line in ASSUMPTIONS:
        print(f"  - {line}")
    cloud.stop()


if __name__ == "__main__":
    main()
