"""Delivering an alert: a signed POST to its webhook, or an email through SES. One worker claims a
delivery before it tries (a duplicated message never sends twice at once); a failed try is logged
on the delivery and tried again after a pause that doubles (the queue's delay), up to
:data:`MAX_ATTEMPTS`; then the delivery is ``failed``. A receiver de-duplicates on
``Grounded-Delivery`` (a delivery may arrive twice if its worker dies after sending)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from typing import Any

from grounded_core import adapters
from grounded_core.alerts.models import Attempt, Delivery
from grounded_core.alerts.outbox import queue_deliveries
from grounded_core.alerts.service import signing_secret
from grounded_core.alerts.signing import HEADER, signature
from grounded_core.clock import iso, utc_now
from grounded_core.settings import get_settings
from grounded_core.store import table
from grounded_core.store.conditions import ConditionFailed, absent, eq, lt

MAX_ATTEMPTS = 5
TIMEOUT_SECONDS = 10
#: how long a worker holds a delivery it is trying
CLAIM = timedelta(seconds=60)


class Failed(Exception):
    def __init__(self, status: int | None, error: str):
        super().__init__(error)
        self.status, self.error = status, error


def _post(delivery: Delivery) -> int:
    body = json.dumps(delivery.payload, separators=(",", ":"), default=str).encode()
    headers = {
        "content-type": "application/json",
        "user-agent": "grounded-alerts",
        "grounded-delivery": delivery.id,
        "grounded-event": delivery.event,
        HEADER: signature(signing_secret(delivery.org_id, delivery.alert_id), int(time.time()), body),
    }
    request = urllib.request.Request(delivery.to, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # the URL was checked http(s)
            return int(answer.status)
    except urllib.error.HTTPError as error:
        raise Failed(error.code, f"the webhook answered HTTP {error.code}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise Failed(None, f"no answer from the webhook ({type(reason).__name__})") from None


def _mail(delivery: Delivery) -> None:
    payload: dict[str, Any] = delivery.payload
    alert = payload.get("alert") or {}
    what = {"alert.fired": "fired", "alert.resolved": "resolved", "alert.test": "test"}[delivery.event]
    subject = f"[Grounded] {alert.get('name')}: {what}"
    text = (
        f"Alert {alert.get('name')} {what} at {payload.get('at')}.\n"
        f"Condition: {json.dumps(alert.get('condition'))}\nValue: {payload.get('value')}\n"
        f"Agent: {alert.get('agentId')}\n"
    )
    try:
        adapters.send_email(delivery.to, subject, text)
    except Exception as error:
        raise Failed(None, f"the email was not sent ({type(error).__name__})") from None


def deliver(pk: str, sk: str, now: datetime | None = None) -> str:
    """One attempt at a pending delivery: ``delivered``, ``retrying``, ``failed`` or ``skipped``."""
    moment = now or utc_now()
    item = table.get(pk, sk, consistent=True)
    if item is None or item.get("status") != "pending":
        return "skipped"
    try:
        claimed = absent("claimedUntil") | lt("claimedUntil", iso(moment))
        table.update(pk, sk, set={"claimedUntil": iso(moment + CLAIM)}, when=claimed & eq("status", "pending"))
    except ConditionFailed:
        return "skipped"  # another worker has it
    delivery = Delivery.from_item(item)
    try:
        status = _post(delivery) if delivery.channel == "webhook" else None
        if delivery.channel == "email":
            _mail(delivery)
        attempt, outcome = Attempt(at=iso(moment), status=status), "delivered"
    except Failed as failure:
        attempt, outcome = Attempt(at=iso(moment), status=failure.status, error=failure.error), "retrying"
    attempts = [*delivery.attempts, attempt]
    if outcome == "retrying" and len(attempts) >= MAX_ATTEMPTS:
        outcome = "failed"
    wait = get_settings().alert_retry_seconds * 2 ** (len(attempts) - 1)
    changes: dict[str, Any] = {
        "attempts": [a.model_dump(by_alias=True, exclude_none=True) for a in attempts],
        "status": {"delivered": "delivered", "failed": "failed", "retrying": "pending"}[outcome],
        "updatedAt": iso(moment),
        "nextAttemptAt": iso(moment + timedelta(seconds=wait)) if outcome == "retrying" else None,
    }
    table.update(pk, sk, set={k: v for k, v in changes.items() if v is not None}, remove=("claimedUntil",))
    if outcome == "retrying":
        queue_deliveries([delivery], delay_seconds=min(900, wait))
    return outcome
