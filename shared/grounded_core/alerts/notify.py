"""Telling the alert worker that something an agent's alerts watch changed (a drift report, an
eval run's end, an insight): it evaluates that agent's rules now, not at the next sweep. Light to
import: it is on the paths of the normalize worker, the eval steps and drift checks."""

from __future__ import annotations

from grounded_core import adapters
from grounded_core.observability import logger
from grounded_core.settings import get_settings


def agent_changed(org_id: str, agent_id: str) -> None:
    """Best effort: the 5-minute sweep evaluates every rule anyway, so a failure here is logged,
    never raised into the change that caused it."""
    queue = get_settings().alerts_queue_url
    if not queue:
        return
    try:
        adapters.send_messages(queue, [{"kind": "evaluate", "orgId": org_id, "agentId": agent_id}])
    except Exception:
        logger.exception("alert evaluation not queued", extra={"org_id": org_id, "agent_id": agent_id})
