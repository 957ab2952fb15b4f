"""Searching traces (and, through them, sessions) within a time window — no Scan, and no index to
keep: the org's trace listing (or, to find traces by a score, the listing of that score's name) is
read newest first, a page at a time, and each trace is matched in memory. A request reads at most
:data:`BUDGET` listed items; when it stops before the window's end its page may be short (even
empty) and its cursor goes on from there. What a search costs is what it reads — see
docs/quality.md."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from grounded_core.clock import iso, utc_now
from grounded_core.identity.principal import Principal
from grounded_core.ingest.models import TraceView
from grounded_core.ingest.traces import views
from grounded_core.pagination import Page, PageRequest
from grounded_core.search.filters import ScoreFilter, TraceQuery, matches
from grounded_core.sessions.models import Session, SessionView
from grounded_core.store import keys, table
from grounded_core.store.conditions import matching
from grounded_core.store.listing import newest_across

#: listed items one search request reads at most
BUDGET = 1_000
#: the window a search covers when it names no ``from``
DEFAULT_DAYS = 7


def window(since: str | None, now: datetime | None = None) -> str:
    return since or iso((now or utc_now()) - timedelta(days=DEFAULT_DAYS))


def _in_range(value: Any, score: ScoreFilter) -> bool:
    if isinstance(value, str):  # a category has no place in a range
        return score.low is None and score.high is None
    number = float(value)
    return (score.low is None or number >= score.low) and (score.high is None or number <= score.high)


#: listed items asked of each shard at a time, after a first step of one page's worth
STEP = 100


class _Matcher:
    """Judges a merged page of listed items (traces, or scores of traces) against the search, and
    keeps the matching traces' views and how many items it has read."""

    def __init__(self, org_id: str, query: TraceQuery, status: str | None, score: ScoreFilter | None):
        self.org_id, self.query, self.status, self.score = org_id, query, status, score
        self.read = 0
        self.views: dict[str, TraceView] = {}

    def __call__(self, items: list[dict[str, Any]]) -> list[bool]:
        self.read += len(items)
        if self.score is None:
            found = views(self.org_id, [str(i["id"]) for i in items], {str(i["id"]): i for i in items})
        else:
            wanted = [str(i["traceId"]) for i in items if _in_range(i.get("value"), self.score)]
            found = views(self.org_id, list(dict.fromkeys(wanted)))
        self.views |= {view.id: view for view in found}
        return [self._matches(item) for item in items]

    def _matches(self, item: dict[str, Any]) -> bool:
        view = self.views.get(str(item["traceId"] if self.score else item["id"]))
        if view is None or (self.score is not None and not _in_range(item.get("value"), self.score)):
            return False
        return (self.status is None or view.status == self.status) and matches(self.query, view)


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
    org_id, start = principal.org_id, window(since)
    if score is None:
        listing, index, where = (
            keys.every_shard(keys.org_traces(org_id)),
            "GSI2",
            matching(agentId=agent_id, status=status),
        )
        fields: tuple[str, ...] = ()
    else:
        listing, index = keys.every_shard(keys.named_scores(org_id, score.name)), "GSI1"
        where, fields = matching(agentId=agent_id, target="trace"), ("traceId", "value")
    matcher = _Matcher(org_id, query, status, score)
    found: list[TraceView] = []
    cursor = page.cursor
    while len(found) < page.limit and matcher.read < BUDGET:
        # the first step reads what a page needs if most traces match; the next ones read more
        step = PageRequest(cursor=cursor, limit=STEP if matcher.read else page.limit)
        accept = (page.limit - len(found), matcher)
        items, cursor = newest_across(listing, index, "", start, until, step, where, fields, accept)
        found += [matcher.views[str(item["traceId"] if score else item["id"])] for item in items]
        if cursor is None:
            break
    unique = list({trace.id: trace for trace in found}.values())
    return Page(items=unique, nextCursor=cursor)


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
