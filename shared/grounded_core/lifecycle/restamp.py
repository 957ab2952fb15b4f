"""Re-stamping an org's stored content when its retention changes (a job).

Every item already written gets the expiry the new setting gives it — or loses it, for "keep
forever". The job walks the org's sessions (their turns, events and stitch keys) and its traces
(their markers and received spans) through the two org-wide listings, updates only items whose
expiry differs (one UpdateItem each, never creating an item that is gone meanwhile), reports its
progress, and hands over to its next message before its invocation runs out. It always stamps
the org's *current* setting, so a newer change's job and an older one converge; the older one
stops at its next page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grounded_core import adapters
from grounded_core.jobs.models import Job
from grounded_core.lifecycle.retention import TTL, Retention, org_item_key
from grounded_core.settings import get_settings
from grounded_core.store import keys, table
from grounded_core.store.conditions import ConditionFailed, exists

Item = dict[str, Any]
RESTAMP_JOB = "org.retention"
#: the walk starts a few seconds after the change, once writes that read the old setting have landed
START_DELAY_SECONDS = 5
#: sessions or traces re-stamped per listing page (progress is reported after each)
PAGE = 100
#: received OTLP spans and assembly states keep their own short expiry; retention only shortens it
OWN_EXPIRY = (keys.OTEL_SPAN_PREFIX, keys.OTEL_STATE_SK)


def _time_of_session_item(item: Item, session: Item) -> str | None:
    if item["SK"] == keys.SESSION_SK:
        return str(item.get("lastSeenAt") or item.get("startedAt"))
    return str(item.get("timestamp") or item.get("createdAt") or session.get("startedAt"))  # createdAt: a score


def desired_expiry(item: Item, timestamp: str | None, retention: Retention) -> int | bool | None:
    """The expiry ``item`` should carry: epoch seconds, ``None`` for none, ``False`` to leave it
    (a session's listing entry has none: it goes with its session)."""
    if item["SK"] == keys.LISTED_SK:
        return False
    own = str(item["SK"]).startswith(OWN_EXPIRY)
    if own:
        if retention.days is None:
            return False  # its own short expiry stays
        return int(retention.at_most(item, timestamp)[TTL])
    return retention.expiry(timestamp)


def _stamp(item: Item, expires: int | bool | None) -> bool:
    """Set (or remove) the item's expiry if it differs; ``True`` when it was changed."""
    current = item.get(TTL)
    if expires is False or current == expires:
        return False
    try:
        if expires is None:
            table.update(item["PK"], item["SK"], remove=[TTL], when=exists())
        else:
            table.update(item["PK"], item["SK"], set={TTL: expires}, when=exists())
    except ConditionFailed:
        return False  # gone meanwhile (erased, or expired): never brought back
    return True


def restamp_session(org_id: str, listed: Item, retention: Retention) -> int:
    """The session's own items and stitch keys; how many were changed. ``listed``: what the
    listing holds (the session's listing entry, or a session item written before those)."""
    items = table.query_all(keys.session(org_id, str(listed["id"])))
    session = next((item for item in items if item["SK"] == keys.SESSION_SK), listed)
    changed = sum(_stamp(item, desired_expiry(item, _time_of_session_item(item, session), retention)) for item in items)
    stitched = [(pk, keys.STITCH_SK) for pk in session.get("stitchKeys") or []]
    started = str(session.get("startedAt"))
    for item in table.batch_get(stitched).values():
        changed += _stamp(item, desired_expiry(item, started, retention))
    return changed


def restamp_trace(org_id: str, trace: Item, retention: Retention) -> int:
    """The trace's items (stored trace, markers, received spans); how many were changed."""
    started = str(trace.get("startedAt"))
    items = table.query_all(keys.trace(org_id, str(trace["id"])))
    return sum(_stamp(item, desired_expiry(item, started, retention)) for item in items)


#: the two walks, in order: (name, listing partition, what one listed item costs to re-stamp)
Walk = tuple[str, Callable[[str], str], Callable[[str, Item, Retention], int]]
WALKS: tuple[Walk, ...] = (
    ("sessions", keys.org_sessions, restamp_session),
    ("traces", keys.org_traces, restamp_trace),
)


def phases(org_id: str) -> list[tuple[str, Callable[[str, Item, Retention], int]]]:
    """What the job walks, in order: each shard of each listing, and what re-stamps its items."""
    return [(pk, stamp) for _, listing, stamp in WALKS for pk in keys.every_shard(listing(org_id))]


def current_setting(org_id: str, job_id: str) -> Retention | None:
    """The org's retention now, or ``None`` when this job is no longer the org's latest."""
    org = table.get(*org_item_key(org_id), consistent=True)
    if org is None or org.get("deletingAt") or org.get("retentionJobId") != job_id:
        return None
    days = org.get("retentionDays")
    return Retention(int(days) if days is not None else None)


def start_restamp(job: Job) -> None:
    message = {"kind": "restamp", "orgId": job.org_id, "jobId": job.id}
    adapters.send_message(get_settings().lifecycle_queue_url, message, delay_seconds=START_DELAY_SECONDS)
