"""What Grounded costs to run on AWS, from AWS requests counted on the local cloud and AWS list
prices (us-east-1, November 2026, arm64). Every assumption is printed with the figures.

    .venv/bin/python bench/cost.py [--traces 200]

Counted (real boto3 calls against the emulator, by the function they ran in): ingesting and
normalizing a batch of traces, a 100-case endpoint eval run, and a 30-day dashboard read; from them,
the monthly bill of a small team (10k traces a day) and a large one (10M a day). Priced:
Lambda requests and GB-seconds, HTTP API requests, DynamoDB on-demand read and write units, SQS
requests, S3 requests, Step Functions state transitions; and DynamoDB's requests again as
provisioned capacity (the template's ``TableCapacity=provisioned``), next to on-demand.
"""

from __future__ import annotations

import argparse
import contextvars
import math
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "shared"), str(ROOT / "functions")]

import httpx  # noqa: E402

from bench.counting import bench_cloud, prose  # noqa: E402
from bench.write_units import WriteMeter, item_size  # noqa: E402
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
    "a trace: one LLM span and one tool span, 400 characters of English prose in and 400 out (bench.counting.PROSE):"
    " 1.2 KB of JSON as sent, a 1.9-KB item before packing, under 1 KB packed; sent in batches of 100 (one HTTP"
    " request per batch), 10 conversations of 10 traces per batch; the monthly bills price traces so",
    "one trace a request: posted one after another, 10 conversations taking turns; the normalize worker gets"
    " batches of up to 10 messages (BatchSize 10, a 1-second window) and handles one org's messages together,"
    " as Lambda's poller fills batches under steady traffic (the large team's ~115 traces/s); a trickle (a"
    " trace every few seconds) gets a batch per message and costs more per trace",
    "the authorizer runs for every request (no cache: a revocation applies to the next request); counted",
    "DynamoDB writes as billed: 1 WRU per KB of the larger of the item before and after, 2x in a transaction,"
    " plus every index entry written or moved (bench/write_units.py); reads: 0.5 RRU per item eventually, 1 strongly",
    "Lambda durations and memory as in DURATIONS (estimates for AWS; the emulator's timings are not AWS's)",
    "an endpoint eval case: the target answers in ~300 ms inside the steps function's invocation",
    "Lambda's SQS pollers: a receive and a delete per batch of up to 10 messages (25 traces each): ~0.008"
    " SQS requests per trace, not counted above (the local pollers are not Lambda's)",
    "prices: AWS list prices us-east-1, no free tier, HTTP API first tier, SQS standard, Step Functions standard",
    "TableCapacity=provisioned: the same read and write units paid as capacity unit-hours (one serves 3,600 units),"
    " of which auto scaling's target share (TableTargetUtilization's default) or half is used; it fits"
    " traffic that changes over minutes, not seconds: a burst beyond the capacity is throttled until"
    " auto scaling catches up (README.md, 'Deploy to AWS')",
]


MONTH_DAYS = 30
#: fixed monthly prices (us-east-1 list, November 2026)
MONTHLY_PRICES = {
    "dynamodb_gb_month": 0.25,
    "pitr_gb_month": 0.20,  # point-in-time recovery, on in the template
    "secret_month": 0.40,
    "alarm_month": 0.10,
    "xray_trace_recorded": 5.00 / 1e6,
    "cloudfront_request": 0.0100 / 1e4,
}
#: Lambda SnapStart for Python (us-east-1 list, November 2026): a cached snapshot per published
#: version (3 hours at least), and a charge per GB each time an environment is restored from it
SNAPSTART_PRICES = {"cache_gb_second": 0.0000015046, "restore_gb": 0.0001397998}
#: DynamoDB provisioned capacity (us-east-1 list, standard table class, November 2026; the template's
#: TableCapacity=provisioned): an hour of one write or one read capacity unit
PROVISIONED_PRICES = {"wcu_hour": 0.00065, "rcu_hour": 0.00013}
#: a day whose capacity follows its traffic only halfway (next to auto scaling's own target)
HALF_USED = 0.50
STACK_SECRETS = 2  # the JWT and cursor secrets
ALARMS = 6  # the template's CloudWatch alarms


@dataclass(frozen=True)
class Team:
    name: str
    traces_per_day: int
    eval_runs_per_day: int
    dashboard_users: int
    retention_days: int
    connectors: int


TEAMS = (
    Team("small team", traces_per_day=10_000, eval_runs_per_day=20, dashboard_users=3, retention_days=30, connectors=2),
    Team(
        "large team",
        traces_per_day=10_000_000,
        eval_runs_per_day=200,
        dashboard_users=25,
        retention_days=30,
        connectors=10,
    ),
)
#: a dashboard "open all day": 8 hours, a page every 2 minutes, ~3 API reads a page (each priced as
#: the 30-day overview, the heaviest read) and ~2 CloudFront requests for the page itself
PAGES_PER_USER_DAY = 8 * 30
READS_PER_PAGE = 3
MONTHLY_ASSUMPTIONS = [
    "monthly bills: 30 days; traces kept 30 days (retentionDays), so storage holds 30 days of traces",
    f"the dashboard open all day: {PAGES_PER_USER_DAY} pages per user a day, {READS_PER_PAGE} API reads a page,"
    " each priced as the 30-day overview (the heaviest read)",
    "X-Ray (Tracing: Active): the default sampling rule, 1 request a second plus 5% of the rest, per function",
    "not counted: CloudWatch Logs ingestion (LogLevel WARNING by default keeps it small), data transfer out,"
    " the Lambda free tier",
]


@dataclass(frozen=True)
class TraceCost:
    """What ingesting and normalizing one trace costs: all of it, on-demand; its DynamoDB requests
    on-demand, and as provisioned capacity held at auto scaling's target utilization."""

    total: float
    dynamodb: float
    dynamodb_provisioned: float


@dataclass(frozen=True)
class Provisioned:
    """What template.yaml's ``TableCapacity=provisioned`` holds: the share of the capacity auto
    scaling keeps in use (``TableTargetUtilization``'s default), and what the least capacity its
    scalable targets allow costs a month."""

    target: float
    floor: float


def provisioned_in_template() -> Provisioned:
    from local.template import load_template

    document = load_template(ROOT / "template.yaml").document
    hours = 24 * MONTH_DAYS
    floor = sum(
        resource["Properties"]["MinCapacity"]
        * PROVISIONED_PRICES["wcu_hour" if "Write" in resource["Properties"]["ScalableDimension"] else "rcu_hour"]
        * hours
        for resource in document["Resources"].values()
        if resource["Type"] == "AWS::ApplicationAutoScaling::ScalableTarget"
    )
    return Provisioned(target=document["Parameters"]["TableTargetUtilization"]["Default"] / 100, floor=floor)


PROVISIONED = provisioned_in_template()
UTILIZATIONS = (PROVISIONED.target, HALF_USED)
#: issue 19's target for a million traces ingested and normalized, on-demand, sent in batches of BATCH
TARGET_PER_MILLION = 3.00
BATCH = 100


def provisioned_dynamodb(parts: dict[str, float], utilization: float) -> float:
    """The DynamoDB part of ``parts`` (on-demand dollars) paid as provisioned capacity of which
    ``utilization`` is used: a capacity unit-hour serves 3,600 request units."""
    writes = parts["dynamodb_wru"] / PRICES["dynamodb_wru"]
    reads = parts["dynamodb_rru"] / PRICES["dynamodb_rru"]
    hours = (writes * PROVISIONED_PRICES["wcu_hour"] + reads * PROVISIONED_PRICES["rcu_hour"]) / 3600
    return hours / utilization


@dataclass(frozen=True)
class Units:
    """What one of each thing costs, measured above."""

    trace: TraceCost
    eval_run: float
    dashboard_read: float
    stored_bytes: float


def xray_recorded(requests: float) -> float:
    reservoir = 86_400 * MONTH_DAYS  # one a second
    return min(requests, reservoir) + 0.05 * max(0.0, requests - reservoir)


def monthly_bill(team: Team, unit: Units) -> dict[str, float]:
    traces = team.traces_per_day * MONTH_DAYS
    reads = team.dashboard_users * PAGES_PER_USER_DAY * READS_PER_PAGE * MONTH_DAYS
    stored_gb = team.traces_per_day * team.retention_days * unit.stored_bytes / 1024**3
    ingest_requests, normalize_invocations = traces / BATCH, traces / 250  # batches; 10 messages of 25
    return {
        "ingest + normalize": traces * unit.trace.total,
        "eval runs (100 cases)": team.eval_runs_per_day * MONTH_DAYS * unit.eval_run,
        "dashboard reads": reads * unit.dashboard_read,
        "dashboard pages (CloudFront)": reads / READS_PER_PAGE * 2 * MONTHLY_PRICES["cloudfront_request"],
        "DynamoDB storage + PITR": stored_gb * (MONTHLY_PRICES["dynamodb_gb_month"] + MONTHLY_PRICES["pitr_gb_month"]),
        "X-Ray traces": sum(xray_recorded(n) for n in (ingest_requests, normalize_invocations, reads))
        * MONTHLY_PRICES["xray_trace_recorded"],
        "secrets (stack + connectors)": (STACK_SECRETS + team.connectors) * MONTHLY_PRICES["secret_month"],
        "alarms": ALARMS * MONTHLY_PRICES["alarm_month"],
    }


def print_monthly_bill(team: Team, unit: Units) -> None:
    bill = monthly_bill(team, unit)
    print(
        f"\nMonthly bill, {team.name} ({team.traces_per_day:,} traces/day, {team.eval_runs_per_day} eval runs/day,"
        f" {team.dashboard_users} dashboard users, {team.retention_days}-day retention): ${sum(bill.values()):,.2f}"
    )
    for line, dollars in bill.items():
        print(f"    {line:<30} ${dollars:>12,.2f}")
    traces = team.traces_per_day * MONTH_DAYS
    capacity = max(traces * unit.trace.dynamodb_provisioned, PROVISIONED.floor)
    provisioned = sum(bill.values()) - traces * unit.trace.dynamodb + capacity
    print(
        f"    with TableCapacity=provisioned: ${provisioned:,.2f} (the traces' DynamoDB requests ${capacity:,.2f}"
        f" instead of ${traces * unit.trace.dynamodb:,.2f}: the capacity {PROVISIONED.target:.0%} used, never less"
        f" than the least the template provisions, ${PROVISIONED.floor:.2f}; eval runs and dashboard reads as above)"
    )


def stored_bytes(cloud: Any, org_id: str) -> float:
    """What the org's items take in the table and its two indexes (ALL projection: an indexed item
    is stored again per index), by DynamoDB's size rules (packed fields at their stored size), with
    its 100 bytes of overhead per item and index entry."""
    from local.workarounds import table_items

    total = 0.0
    for item in table_items(cloud.options.region, cloud.resources["Table"]):
        indexed = [name for name in ("GSI1PK", "GSI2PK") if name in item]
        if not any(org_id in item[name]["S"] for name in ("PK", *indexed)):
            continue
        total += (item_size(item) + 100) * (1 + len(indexed))
    return total


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

        self.writes = WriteMeter(cloud, self.where.get)
        self.writes.install()
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

        bill: Counter[str] = Counter()
        if service == "dynamodb":  # write units: WriteMeter (item sizes and indexes)
            if operation == "BatchGetItem":
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
        self.writes.reset()
        self.calls.clear()
        self.units.clear()
        self.invocations.clear()

    def dollars(self, http_requests: int, transitions: int = 0) -> tuple[float, dict[str, float]]:
        parts = {name: count * PRICES[name] for name, count in self.units.items() if name in PRICES}
        parts["dynamodb_wru"] = self.writes.total() * PRICES["dynamodb_wru"]
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


def print_write_units(writes: WriteMeter, traces: int) -> None:
    """Write units per trace by function, where (table or index) and kind of item."""
    paths = ("TracesFunction", "NormalizeFunction")
    normalize = writes.total(("NormalizeFunction",)) / traces
    print(f"    DynamoDB write units per trace: {writes.total(paths) / traces:.2f} (normalize path {normalize:.2f})")
    for (function, where, what), count in sorted(writes.by(paths).items(), key=lambda row: -row[1]):
        print(f"      {function:<18} {where:<6} {what:<14} {count / traces:>6.2f}")


def print_write_budget(other_services: float, traces: int) -> None:
    """How many on-demand write units a trace may take for the target price, beside what every
    other service costs per trace as measured."""
    left = TARGET_PER_MILLION / 1e6 - other_services / traces
    print(
        f"    ${TARGET_PER_MILLION:.2f} per million leaves {left / PRICES['dynamodb_wru']:.2f} on-demand write units a"
        f" trace, beside the other services' ${other_services / traces * 1e6:.2f}"
    )


def print_snapstart() -> None:
    """What SnapStart would cost for the functions behind the API (not in the template: see
    docs/hardening.md, "Cold starts"), from their memory sizes in template.yaml."""
    from local.template import load_template

    template = load_template(ROOT / "template.yaml")
    serving = {route.function_id for route in template.http_routes()}
    serving |= {authorizer.function_id for authorizer in template.authorizers().values()}
    gigabytes = {name: int(template.function_property(name, "MemorySize", 128)) / 1024 for name in serving}
    caching = sum(gigabytes.values()) * 86_400 * MONTH_DAYS * SNAPSTART_PRICES["cache_gb_second"]
    restore = sum(gigabytes.values()) / len(gigabytes) * SNAPSTART_PRICES["restore_gb"]
    print(
        f"\nSnapStart, were it on for the {len(serving)} functions behind the API (it is not; docs/hardening.md):"
        f" ${caching:,.2f} a month to keep one snapshot of each cached, plus ${restore * 1000:.3f} per 1,000"
        f" cold starts restored (average {sum(gigabytes.values()) / len(gigabytes) * 1024:.0f} MB); every deploy"
        " publishes new versions, each cached for 3 hours at least"
    )


def cost_trace(agent: str, conversation: str, n: int, stamp: str) -> dict[str, Any]:
    """One trace as the assumptions below describe it (an LLM call and a tool call, 800 characters)."""
    return {
        "agentId": agent,
        "sessionId": conversation,
        "startedAt": stamp,
        "input": {"q": prose(400, n)},
        "output": prose(400, n + 1),
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


def ingest_cost(
    cloud: Any, api: httpx.Client, headers: dict[str, str], agent: str, meter: Meter, traces: int, per_request: int
) -> TraceCost:
    """Ingest and normalize ``traces`` in requests of ``per_request``, 10 conversations at a time;
    print what it cost per million, the requests it made and the write units it took per trace."""
    meter.reset()
    stamp = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    run = uuid.uuid4().hex[:6]
    requests = math.ceil(traces / per_request)
    for request in range(requests):
        first = request * per_request
        batch = [
            cost_trace(agent, f"cost-{run}-{n // BATCH}-{n % 10}", n, stamp) for n in range(first, first + per_request)
        ]
        assert api.post("/api/traces/batch", json={"traces": batch}, headers=headers).status_code == 202
    cloud.drain(timeout_seconds=600)
    sent = requests * per_request
    total, parts = meter.dollars(http_requests=requests)
    batched = per_request == BATCH
    shape = f"in batches of {BATCH}" if batched else f"{per_request} a request (an agent posting each turn)"
    print(f"Ingest + normalize {sent} traces, {shape}: ${total / sent * 1e6:,.2f} per million traces")
    for name, value in sorted(parts.items()):
        print(f"    {name:<20} ${value / sent * 1e6:>10,.2f} per million")
    calls = Counter({k: v for k, v in meter.calls.items() if k[0] in ("TracesFunction", "NormalizeFunction")})
    print(
        "    AWS requests per trace: " + ", ".join(f"{w}.{o} {c / sent:.3f}" for (w, _, o), c in sorted(calls.items()))
    )
    dynamodb = parts["dynamodb_wru"] + parts["dynamodb_rru"]
    capacity = {used: provisioned_dynamodb(parts, used) for used in UTILIZATIONS}
    print(
        "    with TableCapacity=provisioned: "
        + ", ".join(
            f"${(total - dynamodb + cost) / sent * 1e6:,.2f} per million at {used:.0%} of the capacity used"
            for used, cost in capacity.items()
        )
    )
    print_write_units(meter.writes, sent)
    if batched:  # the target's shape
        print_write_budget(total - parts["dynamodb_wru"], sent)
    return TraceCost(total / sent, dynamodb / sent, capacity[PROVISIONED.target] / sent)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--traces", type=int, default=200)
    args = parser.parse_args()
    cloud, api, headers, agent = bench_cloud()
    meter = Meter()
    meter.install(cloud)

    # 1. ingest and normalize traces, in batches; then one trace a request
    batched_traces = math.ceil(args.traces / BATCH) * BATCH
    per_trace = ingest_cost(cloud, api, headers, agent, meter, batched_traces, per_request=BATCH)
    org_id = api.get("/api/org", headers=headers).json()["id"]
    per_trace_bytes = stored_bytes(cloud, org_id) / batched_traces
    print(f"    stored per trace (table + both indexes, sessions and rollups included): {per_trace_bytes:,.0f} bytes")
    ingest_cost(cloud, api, headers, agent, meter, args.traces, per_request=1)

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
    total, _ = meter.dollars(http_requests=1, transitions=100 + 3)
    eval_run = total
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
    dashboard_read = total
    unit = Units(trace=per_trace, eval_run=eval_run, dashboard_read=dashboard_read, stored_bytes=per_trace_bytes)
    for team in TEAMS:
        print_monthly_bill(team, unit)
    print_snapstart()
    print("\nAssumptions:")
    for line in ASSUMPTIONS + MONTHLY_ASSUMPTIONS:
        print(f"  - {line}")
    cloud.stop()


if __name__ == "__main__":
    main()
