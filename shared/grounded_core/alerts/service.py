"""The alerts API: rules per agent (an agent-scoped key sees its agent's), their delivery log, and
a test delivery."""

from __future__ import annotations

from datetime import datetime

from grounded_core import adapters
from grounded_core.agents.service import get_agent
from grounded_core.alerts.models import Alert, AlertCreate, AlertPatch, Delivery
from grounded_core.alerts.outbox import new_deliveries, queue_deliveries
from grounded_core.alerts.signing import alert_secret
from grounded_core.clock import iso, utc_now
from grounded_core.errors import NotFound
from grounded_core.identity.principal import Principal
from grounded_core.ids import new_id
from grounded_core.model import ApiModel
from grounded_core.pagination import Page, PageRequest
from grounded_core.store import keys, table
from grounded_core.store.conditions import absent, matching
from grounded_core.store.listing import newest_between, query_page
from grounded_core.store.versioned import update_versioned


class AlertCreated(Alert):
    """A new alert, with its webhook signing secret: shown this once."""

    signing_secret: str


def signing_secret(org_id: str, alert_id: str) -> str:
    return alert_secret(adapters.webhook_secret(), org_id, alert_id)


def create_alert(principal: Principal, request: AlertCreate, now: datetime | None = None) -> AlertCreated:
    get_agent(principal, request.agent_id)
    moment = iso(now or utc_now())
    alert = Alert(id=new_id("alr"), org_id=principal.org_id, created_at=moment, updated_at=moment,
                  **request.model_dump())  # fmt: skip
    table.put(alert.to_item(), when=absent())
    return AlertCreated(**alert.model_dump(), signing_secret=signing_secret(principal.org_id, alert.id))


def get_alert(principal: Principal, alert_id: str) -> Alert:
    found, _ = table.query(keys.org_alerts(principal.org_id), index="GSI2", where=matching(id=alert_id))
    if not found:
        raise NotFound(f"No alert {alert_id}.", code="alert_not_found")
    item = table.get(found[0]["PK"], found[0]["SK"], consistent=True)
    if item is None:
        raise NotFound(f"No alert {alert_id}.", code="alert_not_found")
    alert = Alert.from_item(item)
    principal.require_agent(alert.agent_id)
    return alert


def list_alerts(principal: Principal, page: PageRequest, agent_id: str | None) -> Page[Alert]:
    where = matching(agentId=principal.agent_filter(agent_id))
    return query_page(Alert, page, keys.org_alerts(principal.org_id), index="GSI2", where=where)


def update_alert(principal: Principal, alert_id: str, patch: AlertPatch, now: datetime | None = None) -> Alert:
    changes = {**patch.model_dump(exclude_unset=True), "updated_at": iso(now or utc_now())}

    def changed(alert: Alert) -> Alert:
        if patch.condition is not None:  # a new condition starts from "ok"
            return alert.patched({**changes, "state": "ok", "last_value": None})
        return alert.patched(changes)

    return update_versioned(Alert, lambda: get_alert(principal, alert_id), changed)


def delete_alert(principal: Principal, alert_id: str) -> None:
    alert = get_alert(principal, alert_id)
    pk = keys.agent_partition(principal.org_id, alert.agent_id)
    log = table.query_all(pk, keys.alert_deliveries(alert.id))
    table.batch_delete([(item["PK"], item["SK"]) for item in log])
    table.delete(pk, keys.alert(alert.id))


def list_deliveries(principal: Principal, alert_id: str, page: PageRequest) -> Page[Delivery]:
    """Newest first."""
    alert = get_alert(principal, alert_id)
    pk = keys.agent_partition(principal.org_id, alert.agent_id)
    items, cursor = newest_between(pk, None, keys.alert_deliveries(alert.id), None, None, page)
    return Page(items=Delivery.load_all(items), nextCursor=cursor)


def send_test(principal: Principal, alert_id: str) -> list[Delivery]:
    """A test delivery to each of the alert's channels, through the same worker and retries."""

    alert = get_alert(principal, alert_id)
    made = new_deliveries(alert, "alert.test", alert.last_value, iso(utc_now()))
    table.batch_put(delivery.to_item() for delivery in made)
    queue_deliveries(made)
    return made


class Deliveries(ApiModel):
    items: list[Delivery]
