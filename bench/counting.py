"""What the benches share: a local cloud with an org and an agent, and counting real boto3 calls
by the function they ran in."""

from __future__ import annotations

import contextvars
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from local.cloud import CloudOptions, LocalCloud

ROOT = Path(__file__).resolve().parents[1]

#: Ordinary English of the kind agents read and write (a support conversation): what a trace's
#: prompt and answer hold, so that sizes (and how well they compress) are realistic, never a run
#: of one repeated letter.
PROSE = (
    "Thanks for reaching out about your order. I looked it up and it left our warehouse in Leipzig on "
    "Tuesday morning; the carrier scanned it in Frankfurt last night, so it should reach you by Friday. "
    "If it has not arrived by Monday, reply here and I will open a trace with the carrier and send a "
    "replacement at no cost. Could you tell me whether the billing address on the account is still "
    "correct? The card on file was declined twice this month, which is why the subscription shows as "
    "paused. You can update the card under Settings, then Billing, and the plan resumes at once without "
    "losing any history. I am sorry the export failed: large workspaces time out when a report covers "
    "more than ninety days. Splitting it into quarters works, or you can schedule the export overnight "
    "and we will email a link when it is ready. The refund for the duplicate charge was issued today and "
    "usually takes three to five business days to appear, depending on your bank. Regarding the error "
    "you saw after the update, it comes from an expired session token; signing out and back in clears "
    "it, and the next release fixes the underlying cause. Is there anything else I can help with today?"
)


def prose(length: int, n: int) -> str:
    """``length`` characters of :data:`PROSE`, starting at a place that differs with ``n``."""
    words = PROSE.split()
    start = (n * 37) % len(words)
    text = " ".join(words[start:] + words[:start])
    return text[:length]


calls: Counter[tuple[str, str, str]] = Counter()
_lock = threading.Lock()
_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("function", default=None)


def count_calls(cloud: LocalCloud) -> None:
    """Count every boto3 call by the function it ran in (or the poller, or the bench itself)."""
    from botocore.client import BaseClient

    original_call = BaseClient._make_api_call
    original_invoke = cloud.runtime.invoke

    def make_api_call(self: Any, operation: str, params: Any) -> Any:
        where = _current.get() or ("SqsPoller" if threading.current_thread().name.startswith("sqs-poller") else "bench")
        with _lock:
            calls[(where, self.meta.service_model.service_name, operation)] += 1
        return original_call(self, operation, params)

    def invoke(function: str, event: Any) -> Any:
        token = _current.set(cloud.runtime.get(function).source.logical_id)
        try:
            return original_invoke(function, event)
        finally:
            _current.reset(token)

    BaseClient._make_api_call = make_api_call  # type: ignore[method-assign]
    cloud.runtime.invoke = invoke  # type: ignore[method-assign]


def by_service(where: str) -> Counter[str]:
    totals: Counter[str] = Counter()
    for (place, service, _), count in calls.items():
        if place == where:
            totals[service] += count
    return totals


def report_calls(title: str, places: tuple[str, ...], per: int, unit: str) -> None:
    """Every counted call made in ``places``, per ``unit`` (``per`` of them), and each place's total."""
    print(f"\n{title} (requests per {unit})")
    print(f"  {'where':<20} {'service':<10} {'operation':<28} {'per ' + unit:>10}")
    for (where, service, operation), count in sorted(calls.items()):
        if where in places:
            print(f"  {where:<20} {service:<10} {operation:<28} {count / per:>10.3f}")
    print("  (SqsPoller: the local poller's own receives include idle polls; Lambda's pollers long-poll)")
    for where in places:
        if where not in {"SqsPoller", "AuthorizerFunction"}:
            summary = ", ".join(f"{service} {count / per:.3f}" for service, count in sorted(by_service(where).items()))
            print(f"  total {where:<18} {summary}")


def bench_cloud(
    parameters: dict[str, str] | None = None, state_dir: Path | None = None
) -> tuple[LocalCloud, httpx.Client, dict[str, str], str]:
    """A local cloud with a signed-up org and an agent that has a snapshot: ``(cloud, api, headers, agent)``;
    its data kept in ``state_dir`` (as ``make dev`` keeps it) when given."""
    settings = {"LogLevel": "ERROR", "PasswordHashRounds": "4", **(parameters or {})}
    options = CloudOptions(port=0, tick_schedules=False, parameters=settings, state_dir=state_dir)
    cloud = LocalCloud(ROOT / "template.yaml", options).start()
    api = httpx.Client(base_url=cloud.url, timeout=120)
    signup = api.post(
        "/api/auth/signup",
        json={"email": "bench@example.com", "password": "benchmark", "name": "B", "orgName": "Bench"},
    )
    headers = {"Authorization": f"Bearer {signup.json()['token']}"}
    agent = api.post("/api/agents", json={"name": "bench"}, headers=headers).json()["id"]
    api.post(f"/api/agents/{agent}/snapshots", json={"label": "v1", "modelId": "gpt-4o-mini"}, headers=headers)
    return cloud, api, headers, str(agent)
