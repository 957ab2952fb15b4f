"""Searching traces (and, through them, sessions) within a time window — no Scan, and no index to
keep: the org's trace listing (or, to find traces by a score, the listing of that score's name) is
read newest first, a page at a time, and each trace is matched in memory. A request reads at most
:data:`BUDGET` listed items; when it stops before the window's end its page may be short (even
empty) and its cursor goes on from there. What a search costs is what it reads — see
docs/quality.md."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from grounded_core.clock import iso, utc_now
from grounded_core.errors import Invalid
from grounded_core.identity.principal import Principal
from grounded_core.ingest.models import TraceView
from grounded_core.ingest.traces import views
from grounded_core.pagination import Page, PageRequest
from grounded_core.search.filters import TraceQuery, matches
from grounded_core.sessions.models import Session, SessionView
from grounded_core.store import keys, table
from grounded_core.store.conditions import matching
from grounded_core.store.listing import newest_across

#: listed items one search request reads at most
BUDGET = 1_000
#: the window a search covers when it names no ``from``
DEFAULT_DAYS = 7


@dataclass(frozen=True)
class ScoreFilter:
    """Traces with a score of this name, its value within the range (numbers and yes/no as 1/0);
    the window then applies to when the score was given."""

    name: str
    low: float | None = None
    high: float | None = None


def window(since: str | None, now: datetime | None = None) -> str:
    return since or iso((now or utc_now()) - timedelta(days=DEFAULT_DAYS))


def _in_range(value: Any, score: ScoreFilter) -> bool:
    if isinstance(value, str):  # a category has no place in a range
        return score.low is None and score.high is None
    number = float(value)
    return (score.low is None or number >= score.low) and (score.high is None or number <= score.high)


def _candidates(
    principal: Principal, agent_id: str | None, since: str, until: str | None, page: PageRequest,
    status: str | None, score: ScoreFilter | None,
) -> tuple[list[TraceView], str | None]:  # fmt: skip
    """One page of traces to match: from the org's listing, or from a score name's."""
    org_id = principal.org_id
    if score is None:
        listing = keys.every_shard(keys.org_traces(org_id))
        items, cursor = newest_across(
            listing, "GSI2", "", since, until, page, matching(agentId=agent_id, status=status)
        )
        return views(org_id, [i["id"] for i in items], {i["id"]: i for i in items}), cursor
    listing = keys.every_shard(keys.named_scores(org_id, score.name))
    where = matching(agentId=agent_id, target="trace")
    scored, cursor = newest_across(listing, "GSI1", "", since, until, page, where, fields=("traceId", "value"))
    trace_ids = list(dict.fromkeys(str(item["traceId"]) for item in scored if _in_range(item.get("value"), score)))
    found = [view for view in views(org_id, trace_ids) if status is None or view.status == status]
    return found, cursor


def search_traces(
    principal: Principal,
    page: PageRequest,
    query: TraceQuery,
    agent_id: str | None = None,
    since: str | None = None,
    until: str | None = None,
    status: str | None = None,
    score: ScoreFilter | None = None,
) -> Page[TraceView]:
    """Newest first, the traces that match, read within :data:`BUDGET` listed items."""
    agent_id = principal.agent_filter(agent_id)
    start = window(since)
    found: list[TraceView] = []
    cursor, read = page.cursor, 0
    while len(found) < page.limit and read < BUDGET:
        step = PageRequest(cursor=cursor, limit=min(page.limit - len(found), BUDGET - read))
        listed, cursor = _candidates(principal, agent_id, start, until, step, status, score)
        read += step.limit
        found += [trace for trace in listed if matches(query, trace)]
        if cursor is None:
            break
    return Page(items=found, nextCursor=cursor)


def check_score_range(name: str | None, low: float | None, high: float | None) -> ScoreFilter | None:
    if name is None:
        if low is not None or high is not None:
            problem = [{"field": "scoreName", "message": "required with minScore or maxScore"}]
            raise Invalid("minScore and maxScore need scoreName.", details=problem)
        return None
    if low is not None and high is not None and low > high:
        raise Invalid("minScore is above maxScore.", details=[{"field": "minScore", "message": "above max"}])
    return ScoreFilter(name, low, high)


def metadata_filters(params: Iterable[tuple[str, str]]) -> dict[str, str]:
    """``metadata.<key>=<value>`` query parameters, as ``{key: value}``."""
    return {
        key.removeprefix("metadata."): value
        for key, value in params
        if key.startswith("metadata.") and key != "metadata."
    }


def search_sessions(
    principal: Principal,
    page: PageRequest,
    query: TraceQuery,
    agent_id: str | None = None,
    since: str | None = None,
    until: str | None = None,
    score: ScoreFilter | None = None,
) -> Page[SessionView]:
    """The sessions of the traces that match (a session with a matching trace), newest trace
    first; a session whose traces match on two pages shows on both."""
    traces = search_traces(principal, page, query, agent_id, since, until, None, score)
    session_ids = list(dict.fromkeys(t.normalization.session_id for t in traces.items if t.normalization.session_id))
    found = table.batch_get([(keys.session(principal.org_id, sid), keys.SESSION_SK) for sid in session_ids])
    sessions = Session.load_all(
        found[(keys.session(principal.org_id, sid), keys.SESSION_SK)]
        for sid in session_ids
        if (keys.session(principal.org_id, sid), keys.SESSION_SK) in found
    )
    return Page(items=[session.view() for session in sessions], nextCursor=traces.next_cursor)
