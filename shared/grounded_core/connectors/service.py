"""The connectors API. Keys are built from the caller's org, so another org's connector is a 404;
an agent-scoped key sees and touches only its agent's connectors (403 for another agent's)."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from grounded_core.agents.service import get_agent
from grounded_core.clock import iso, utc_now
from grounded_core.connectors import credentials, store, syncs
from grounded_core.connectors.models import (
    REQUIRED_TO_CONNECT,
    Connector,
    ConnectorCreate,
    ConnectorPatch,
    ConnectRequest,
    ProviderConfig,
    SyncRequest,
    parse_config,
)
from grounded_core.errors import Conflict, Invalid, NotFound
from grounded_core.identity.principal import Principal
from grounded_core.ids import new_id
from grounded_core.jobs.models import Job
from grounded_core.jobs.service import cancel_job
from grounded_core.masking import MASK, mask
from grounded_core.model import ApiModel
from grounded_core.pagination import Page, PageRequest
from grounded_core.store import keys
from grounded_core.store.conditions import matching
from grounded_core.store.listing import query_page


class ConnectResult(ApiModel):
    connector: Connector
    job: Job


def _config(provider: str, raw: dict[str, Any]) -> ProviderConfig:
    """The provider's configuration, or a 422 naming each bad ``config`` field (never its value)."""
    try:
        return parse_config(provider, raw)
    except ValidationError as error:
        details = [
            {"field": ".".join(["config", *(str(part) for part in item["loc"])]), "message": item["msg"]}
            for item in error.errors(include_input=False)
        ]
        raise Invalid("The connector's config is not valid.", details=details) from None


def _shown_config(config: ProviderConfig, hint: str | None) -> dict[str, Any]:
    shown = config.public()
    if hint:
        shown["apiKey"] = hint
    return shown


def _new_secret(raw: dict[str, Any]) -> str | None:
    """The API key a request carries; a masked value sent back unchanged is no new key."""
    value = raw.get("apiKey")
    return value if isinstance(value, str) and value and not value.startswith(MASK) else None


def _apply_config(connector: Connector, secret_name: str, raw: dict[str, Any]) -> Connector:
    """Merge ``raw`` into the connector's configuration; a new API key goes to Secrets Manager."""
    merged = {key: value for key, value in connector.config.items() if key != "apiKey"}
    merged |= {key: value for key, value in raw.items() if key != "apiKey"}
    secret = _new_secret(raw)
    config = _config(connector.provider, {**merged, **({"apiKey": secret} if secret else {})})
    hint = connector.config.get("apiKey")
    if secret:
        credentials.save(secret_name, {"apiKey": secret})
        hint = mask(secret)
    return connector.patched({"config": _shown_config(config, hint)})


def create_connector(principal: Principal, request: ConnectorCreate, now: datetime | None = None) -> Connector:
    get_agent(principal, request.agent_id)
    config = _config(request.provider, request.config)
    created = iso(now or utc_now())
    connector_id = new_id("con")
    secret_name = credentials.secret_name(principal.org_id, connector_id)
    secret = config.api_key.get_secret_value() if config.api_key else None
    connector = Connector(
        id=connector_id,
        org_id=principal.org_id,
        agent_id=request.agent_id,
        name=request.name,
        category=request.category,
        provider=request.provider,
        config=_shown_config(config, mask(secret) if secret else None),
        schedule=request.schedule,
        created_at=created,
        updated_at=created,
    )
    if secret:
        credentials.save(secret_name, {"apiKey": secret})
    try:
        return store.save(store.Stored(connector, 0, secret_name), new=True)
    except Exception:
        if secret:
            credentials.delete(secret_name)
        raise


def _stored(principal: Principal, connector_id: str) -> store.Stored:
    stored = store.load(principal.org_id, connector_id)
    if stored is None:
        raise NotFound(f"No connector {connector_id}.", code="connector_not_found")
    principal.require_agent(stored.connector.agent_id)
    return stored


def get_connector(principal: Principal, connector_id: str) -> Connector:
    return _stored(principal, connector_id).connector


def list_connectors(
    principal: Principal, page: PageRequest, agent_id: str | None, provider: str | None
) -> Page[Connector]:
    where = matching(agentId=principal.agent_filter(agent_id), provider=provider)
    return query_page(Connector, page, keys.org(principal.org_id), keys.CONNECTOR_PREFIX, where=where)


def _scheduled(connector: Connector, now: datetime) -> Connector:
    """Set when the next incremental sync is due (only a connected connector has one)."""
    due = None
    if connector.status == "connected" and connector.schedule.enabled:
        due = iso(now + timedelta(minutes=connector.schedule.interval_minutes))
    return connector.patched({"next_run_at": due})


def update_connector(
    principal: Principal, connector_id: str, patch: ConnectorPatch, now: datetime | None = None
) -> Connector:
    """Name, config and schedule; the status stays as it is (no reconnect, no sync)."""
    moment = now or utc_now()
    stored = _stored(principal, connector_id)
    connector = stored.connector
    if patch.config is not None:
        connector = _apply_config(connector, stored.secret_name, patch.config)
    changes: dict[str, Any] = {"updated_at": iso(moment)}
    if "name" in patch.model_fields_set:
        changes["name"] = patch.name  # null: refused by the whole-entity check below
    if patch.schedule is not None:
        changes["schedule"] = patch.schedule
    connector = connector.patched(changes)
    if patch.schedule is not None:
        connector = _scheduled(connector, moment)
    stored.connector = connector
    return store.save(stored)


def _ready_to_connect(connector: Connector) -> None:
    missing = [name for name in ("apiKey", *REQUIRED_TO_CONNECT[connector.provider]) if not connector.config.get(name)]
    if missing:
        raise Invalid(
            f"Connecting needs {', '.join('config.' + name for name in missing)}.",
            code="connector_incomplete",
            details=[{"field": f"config.{name}", "message": "required to connect"} for name in missing],
        )


def connect(
    principal: Principal, connector_id: str, request: ConnectRequest, now: datetime | None = None
) -> ConnectResult:
    """Mark the connector connected and start its first sync at once. A sync that is already
    queued or running is the answer's job (no second one)."""
    moment = now or utc_now()
    stored = _stored(principal, connector_id)
    connector = stored.connector
    if request.config:
        connector = _apply_config(connector, stored.secret_name, request.config)
    _ready_to_connect(connector)
    connected = _scheduled(connector.patched({"status": "connected", "updated_at": iso(moment)}), moment)
    running = syncs.active_job(stored.connector)
    if running is not None:
        stored.connector = connected
        return ConnectResult(connector=store.save(stored), job=running)
    window = syncs.incremental_window(connected, moment)
    job = syncs.start_sync(stored, window, "connect", moment, connector=connected)
    return ConnectResult(connector=stored.connector, job=job)


def disconnect(principal: Principal, connector_id: str, now: datetime | None = None) -> Connector:
    """No more scheduled syncs; imported data stays, and a sync already running finishes."""
    stored = _stored(principal, connector_id)
    stored.connector = stored.connector.patched(
        {"status": "disconnected", "next_run_at": None, "updated_at": iso(now or utc_now())}
    )
    return store.save(stored)


def request_sync(principal: Principal, connector_id: str, request: SyncRequest, now: datetime | None = None) -> Job:
    """A backfill or reconciliation of ``{from, to}`` (by default, from the high-water mark to now)."""
    moment = now or utc_now()
    stored = _stored(principal, connector_id)
    _ready_to_connect(stored.connector)
    default = syncs.incremental_window(stored.connector, moment)
    window = syncs.requested_window(request.from_, request.to, default, moment)
    return syncs.start_sync(stored, window, "manual", moment)


def delete_connector(principal: Principal, connector_id: str) -> None:
    """The connector, its credentials and checkpoint; a running sync is cancelled. Imported data stays."""
    stored = _stored(principal, connector_id)
    running = syncs.active_job(stored.connector)
    if running is not None:
        with suppress(Conflict):  # it finished meanwhile
            cancel_job(principal, running.id)
    credentials.delete(stored.secret_name)
    store.delete_checkpoint(principal.org_id, connector_id)
    store.delete(principal.org_id, connector_id)
