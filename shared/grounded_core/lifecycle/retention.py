"""An org's retention: how long its traces, payloads, sessions, turns and telemetry are kept.

Items carry their expiry (``ttl``, epoch seconds, DynamoDB's TTL attribute) from the moment they
are written, so DynamoDB deletes them by itself: no Scan, no sweeper. An item expires ``days``
after its own time (a trace's start, a turn's or an event's timestamp, a session's latest
activity), never later than ``days`` after it was written (a timestamp in the future does not
keep an item for longer). ``None`` keeps it forever. Rollups keep no content and stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from grounded_core.clock import parse_iso, utc_now
from grounded_core.store import keys, table

MIN_DAYS = 1
MAX_DAYS = 3650
TTL = "ttl"


def check_days(value: int | None) -> int | None:
    if value is not None and not MIN_DAYS <= value <= MAX_DAYS:
        raise ValueError(f"must be null (keep forever) or {MIN_DAYS} to {MAX_DAYS} days")
    return value


@dataclass(frozen=True)
class Retention:
    """An org's retention, as the writers of its content need it."""

    days: int | None = None

    def expiry(self, timestamp: str | datetime | None, now: datetime | None = None) -> int | None:
        """When an item of that time expires (epoch seconds), or ``None`` to keep it."""
        if self.days is None:
            return None
        moment = now or utc_now()
        when = moment if timestamp is None else (parse_iso(timestamp) if isinstance(timestamp, str) else timestamp)
        return int((min(when, moment) + timedelta(days=self.days)).timestamp())

    def stamp(self, item: dict[str, Any], timestamp: str | datetime | None) -> dict[str, Any]:
        """``item`` with its expiry (unchanged when kept forever)."""
        expires = self.expiry(timestamp)
        return item if expires is None else {**item, TTL: expires}

    def at_most(self, item: dict[str, Any], timestamp: str | datetime | None) -> dict[str, Any]:
        """``item`` whose own expiry (if any) is shortened to the retention's."""
        expires = self.expiry(timestamp)
        if expires is None:
            return item
        return {**item, TTL: min(expires, int(item[TTL]))} if TTL in item else {**item, TTL: expires}


KEEP_FOREVER = Retention(None)


@dataclass(frozen=True)
class OrgState:
    """What a worker needs to know about an org before it writes its content."""

    retention: Retention
    #: the org is being deleted (or is gone): its content must not be written any more
    closed: bool


def org_item_key(org_id: str) -> tuple[str, str]:
    return keys.org(org_id), keys.ORG_SK


#: the org item's fields :func:`state_of` reads (for a projected read)
ORG_STATE_FIELDS = ("retentionDays", "deletingAt")


def state_of(org_item: dict[str, Any] | None) -> OrgState:
    """The org's state from its item (``None``: the org is gone)."""
    if org_item is None:
        return OrgState(KEEP_FOREVER, closed=True)
    days = org_item.get("retentionDays")
    return OrgState(Retention(int(days) if days is not None else None), closed=bool(org_item.get("deletingAt")))


def org_state(org_id: str) -> OrgState:
    """One GetItem of the org item."""
    return state_of(table.get(*org_item_key(org_id)))
