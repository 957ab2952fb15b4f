"""Evaluating alert rules: the metric over the window, the condition, and a change of state
(``ok`` → ``firing`` fires, ``firing`` → ``ok`` resolves) written once — a conditional update on
the state it read, with the deliveries it owes in the same transaction — then the deliveries queued.
The 5-minute sweep evaluates every enabled rule; changes (a drift report, an eval run's end, an
insight) evaluate their agent's rules at once."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

from grounded_core import adapters
from grounded_core.alerts.metrics import holds, metric_value
from grounded_core.alerts.models import Alert, Delivery, Event
from grounded_core.alerts.outbox import new_deliveries, queue_deliveries
from grounded_core.clock import iso, utc_now
from grounded_core.observability import logger
from grounded_core.settings import get_settings
from grounded_core.store import keys, table
from grounded_core.store.conditions import ConditionFailed, Put, Update, absent, eq, lt

#: a delivery still pending this long after its last try was lost on its way to the queue: sent again
STALE_DELIVERY = timedelta(minutes=2)


def evaluate(alert: Alert, now: datetime | None = None) -> str:
    """One rule, now: ``fired``, ``resolved`` or ``unchanged``."""
    moment = now or utc_now()
    stamp = iso(moment)
    value = metric_value(alert.org_id, alert.agent_id, alert.condition, moment.date())
    state = "firing" if holds(alert.condition, value) else "ok"
    pk, sk = alert.key_pair()
    if state == alert.state:
        with contextlib.suppress(ConditionFailed):  # edited meanwhile: the next evaluation notes it
            table.update(pk, sk, set={"lastValue": value, "lastEvaluatedAt": stamp}, when=eq("version", alert.version))
        _resend_stale(alert, moment)
        return "unchanged"
    event: Event = "alert.fired" if state == "firing" else "alert.resolved"
    deliveries = new_deliveries(alert, event, value, stamp)
    changes: dict[str, Any] = {"state": state, "lastValue": value, "lastEvaluatedAt": stamp}
    if state == "firing":
        changes["lastFiredAt"] = stamp
    unchanged = eq("version", alert.version) & eq("state", alert.state)
    change = Update(pk, sk, set=changes, add={"version": 1}, when=unchanged, label="alert")
    try:
        table.transact([change, *(Put(d.to_item(), when=absent()) for d in deliveries)])
    except ConditionFailed:
        return "unchanged"  # changed meanwhile (another evaluation, an edit): the next one sees it
    queue_deliveries(deliveries)
    logger.info("alert changed state", extra={"alert_id": alert.id, "state": state, "value": value})
    return "fired" if state == "firing" else "resolved"


def _resend_stale(alert: Alert, now: datetime) -> None:
    """Deliveries left pending past their next try (their message was lost): queued again."""
    pk = keys.agent_partition(alert.org_id, alert.agent_id)
    cutoff = iso(now - STALE_DELIVERY)
    where = eq("status", "pending") & lt("updatedAt", cutoff)
    stale, _ = table.query(pk, keys.alert_deliveries(alert.id), newest_first=True, limit=20, where=where)
    if stale:
        found = Delivery.load_all(stale)
        for delivery in found:
            table.update(delivery.key_pair()[0], delivery.key_pair()[1], set={"updatedAt": iso(now)})
        queue_deliveries(found)


def evaluate_agent(org_id: str, agent_id: str, now: datetime | None = None) -> dict[str, str]:
    """The agent's enabled rules, each evaluated; their outcomes by id."""
    items = table.query_all(keys.agent_partition(org_id, agent_id), keys.ALERT_PREFIX, consistent=True)
    return {alert.id: evaluate(alert, now) for alert in Alert.load_all(items) if alert.enabled}


def sweep() -> int:
    """Every enabled rule's agent, queued for evaluation (one message per agent); how many."""
    agents: set[tuple[str, str]] = set()
    start = None
    while True:
        page, start = table.query(keys.ALERTS, index="GSI1", start_key=start, fields=("orgId", "agentId"))
        agents |= {(str(item["orgId"]), str(item["agentId"])) for item in page}
        if not start:
            break
    messages = [{"kind": "evaluate", "orgId": org, "agentId": agent} for org, agent in sorted(agents)]
    if messages:
        adapters.send_messages(get_settings().alerts_queue_url, messages)
    return len(messages)
