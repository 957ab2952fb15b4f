"""Enforcing rate-limit policies: each item (a trace, an event, a session, a turn) counts one
against every enabled policy of its agent, in a fixed window per subject (the agent, the user, the
session or the API key). Counters are atomic ``ADD``s conditioned on staying within the limit, so
concurrent requests never let more through than the limit; windows expire with TTL."""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from grounded_core.clock import utc_now
from grounded_core.errors import RateLimited
from grounded_core.identity.principal import Principal
from grounded_core.policies.models import Policy
from grounded_core.store import keys, table
from grounded_core.store.conditions import ConditionFailed, absent, at_most

CACHE_SECONDS = 30.0
UNKNOWN = "-"  # the subject of items that carry no user (or session): they share one window
_cache: dict[tuple[str, str], tuple[float, list[Policy]]] = {}


@dataclass(frozen=True)
class Item:
    agent_id: str
    user_id: str | None = None
    session_id: str | None = None


def policies_for(org_id: str, agent_id: str) -> list[Policy]:
    """The agent's enabled policies (cached in the container for 30 s)."""
    cached = _cache.get((org_id, agent_id))
    if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    found = [
        Policy.from_item(item) for item in table.query_all(keys.agent_partition(org_id, agent_id), keys.POLICY_PREFIX)
    ]
    enabled = [policy for policy in found if policy.enabled]
    _cache[(org_id, agent_id)] = (time.monotonic(), enabled)
    return enabled


def _subject(policy: Policy, item: Item, principal: Principal) -> str:
    if policy.per == "user":
        return item.user_id or UNKNOWN
    if policy.per == "session":
        return item.session_id or UNKNOWN
    if policy.per == "key":
        return principal.key_id or f"user:{principal.user_id}"
    return "agent"


def _consume(org_id: str, policy: Policy, subject: str, wanted: int, now: datetime) -> int:
    """Take up to ``wanted`` from the subject's current window; how many were granted."""
    start = math.floor(now.timestamp() / policy.window_seconds) * policy.window_seconds
    pk, sk = keys.rate_window(org_id, policy.id, subject), keys.window_sort(start)
    expires = start + policy.window_seconds + 60
    asked = min(wanted, policy.limit)  # more than the limit never fits, even in a new window
    for _ in range(5):
        try:
            table.update(
                pk,
                sk,
                add={"count": asked},
                set={"ttl": expires},
                when=absent("count") | at_most("count", policy.limit - asked),
            )
            return asked
        except ConditionFailed:
            current = int((table.get(pk, sk, consistent=True) or {}).get("count", 0))
            asked = min(wanted, policy.limit - current)
            if asked <= 0:
                return 0
    return 0


def retry_after(policy: Policy, now: datetime) -> int:
    elapsed = now.timestamp() % policy.window_seconds
    return max(1, math.ceil(policy.window_seconds - elapsed))


def admit(principal: Principal, items: list[Item], now: datetime | None = None) -> list[int | None]:
    """For each item: ``None`` when admitted, else the seconds until its window opens again."""
    moment = now or utc_now()
    verdicts: list[int | None] = [None] * len(items)
    for agent_id in {item.agent_id for item in items}:
        for policy in policies_for(principal.org_id, agent_id):
            groups: dict[str, list[int]] = defaultdict(list)
            for index, item in enumerate(items):
                if item.agent_id == agent_id and verdicts[index] is None:
                    groups[_subject(policy, item, principal)].append(index)
            for subject, indexes in groups.items():
                granted = _consume(principal.org_id, policy, subject, len(indexes), moment)
                for index in indexes[granted:]:
                    verdicts[index] = retry_after(policy, moment)
    return verdicts


def admit_one(principal: Principal, item: Item, now: datetime | None = None) -> None:
    """One item; over the limit is a 429 with ``Retry-After``."""
    wait = admit(principal, [item], now)[0]
    if wait is not None:
        raise RateLimited(f"Rate limit reached for this agent; retry in {wait} s.", retry_after_seconds=wait)
