"""An alert's deliveries, made and queued: one per channel (its webhook, each email address),
each a message to the alerts worker, which sends it and retries. Firing, resolving and a test
delivery (``POST /api/alerts/{id}/test``) all go through here; the rules' evaluation does not
need to be imported for a test."""

from __future__ import annotations

from typing import Any

from grounded_core import adapters
from grounded_core.alerts.models import Alert, Delivery, Event
from grounded_core.ids import new_id
from grounded_core.settings import get_settings


def new_deliveries(alert: Alert, event: Event, value: float | None, moment: str) -> list[Delivery]:
    body: dict[str, Any] = {
        "event": event,
        "alert": {"id": alert.id, "name": alert.name, "agentId": alert.agent_id,
                  "condition": alert.condition.model_dump(mode="json", by_alias=True, exclude_none=True)},
        "value": value,
        "at": moment,
    }  # fmt: skip
    made = []
    targets = ([("webhook", alert.webhook_url)] if alert.webhook_url else []) + [("email", a) for a in alert.emails]
    for channel, to in targets:
        delivery_id = new_id("dlv")
        made.append(
            Delivery(
                id=delivery_id,
                org_id=alert.org_id,
                agent_id=alert.agent_id,
                alert_id=alert.id,
                event=event,
                channel=channel,
                to=to,
                payload={**body, "deliveryId": delivery_id},
                created_at=moment,
                updated_at=moment,
            )
        )
    return made


def queue_deliveries(deliveries: list[Delivery], delay_seconds: int = 0) -> None:
    messages = [
        {"kind": "deliver", "orgId": d.org_id, "agentId": d.agent_id, "key": d.key_pair()[1]} for d in deliveries
    ]
    if not messages:
        return
    if delay_seconds:
        for message in messages:
            adapters.send_message(get_settings().alerts_queue_url, message, delay_seconds)
    else:
        adapters.send_messages(get_settings().alerts_queue_url, messages)
