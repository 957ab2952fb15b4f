"""Recording and listing scores. A score is written with its day's rollup counters (the agent's
and the org's) in one transaction, conditional on its own state — so a retry, a duplicate or a
race never counts it twice — and on its target still being there (nothing is left orphaned)."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from grounded_core.clock import iso, utc_now
from grounded_core.errors import Conflict, Forbidden, Invalid, NotFound
from grounded_core.identity.principal import Principal
from grounded_core.ids import new_id
from grounded_core.ingest.payloads import payloads_joined
from grounded_core.lifecycle.retention import KEEP_FOREVER, TTL, Retention, org_item_key, state_of
from grounded_core.pagination import Page, PageRequest
from grounded_core.scores.counters import changed, counted
from grounded_core.scores.models import Score, ScoreCreate, TargetKind, data_type_of, target_partition
from grounded_core.store import keys, table
from grounded_core.store.conditions import Check, ConditionFailed, Put, Write, absent, eq, exists, matching
from grounded_core.store.counters import rollup_updates, utc_day
from grounded_core.store.listing import newest_across, query_page

Outcome = Literal["created", "replaced", "unchanged"]
#: how often a lost race (the same score changed at the same moment) is read and tried again,
#: after a jittered pause that grows each time
ATTEMPTS = 12
PAUSE_SECONDS = 0.02
LONGEST_PAUSE_SECONDS = 0.5
_TARGET_SK = {"trace": keys.TRACE_SK, "session": keys.SESSION_SK, "result": keys.RUN_SK}


@dataclass(frozen=True)
class Target:
    """What a score is about, as read: its partition, the item that must still be there, whose it is."""

    kind: TargetKind
    pk: str
    sk: str
    agent_id: str
    #: when the target's retention counts from (``None``: what it scores never expires)
    kept_from: str | None


def _target_id(request: ScoreCreate) -> str:
    return request.trace_id or request.session_id or request.run_id or ""


def _check_caller(principal: Principal, request: ScoreCreate) -> None:
    """A publishable key lives in a browser: it records its end users' feedback on traces, only."""
    if principal.kind != "publishable_key":
        return
    if request.source != "user" or request.trace_id is None:
        raise Forbidden(
            'A publishable key may only send end-user feedback: source "user" on a trace.', code="publishable_scores"
        )


def _span_of(trace: dict[str, Any], span_id: str) -> bool:
    spans = trace.get("spans")
    if spans is None:  # a big trace's spans were moved out whole
        spans = payloads_joined(trace, {}).get("spans")
    return any(span.get("id") == span_id for span in spans or [])


def _target(principal: Principal, request: ScoreCreate, found: dict[tuple[str, str], dict[str, Any]]) -> Target:
    kind = request.target_kind
    pk = target_partition(principal.org_id, kind, _target_id(request))
    item = found.get((pk, _TARGET_SK[kind]))
    if kind == "result" and (pk, keys.result(str(request.case_id))) not in found:
        item = None
    if item is None:
        what = {"trace": "trace", "session": "session", "result": "result of that case in run"}[kind]
        raise NotFound(f"No {what} {_target_id(request)}.", code=f"{kind}_not_found")
    principal.require_agent(str(item["agentId"]))
    if request.span_id is not None and not _span_of(item, request.span_id):
        raise NotFound(f"Trace {request.trace_id} has no span {request.span_id}.", code="span_not_found")
    kept_from = {"trace": item.get("startedAt"), "session": "now", "result": None}[kind]
    return Target(kind, pk, _TARGET_SK[kind], str(item["agentId"]), kept_from)


def _read(principal: Principal, request: ScoreCreate, score_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    """The target, its org (for retention) and the score as it is: one BatchGetItem."""
    kind = request.target_kind
    pk = target_partition(principal.org_id, kind, _target_id(request))
    wanted = [(pk, _TARGET_SK[kind]), (pk, keys.score(score_id)), org_item_key(principal.org_id)]
    if kind == "result":
        wanted.append((pk, keys.result(str(request.case_id))))
    return table.batch_get(wanted, consistent=True)


def _stamped(item: dict[str, Any], target: Target, retention: Retention, now: str) -> dict[str, Any]:
    if target.kept_from is None:
        return item
    return retention.stamp(item, now if target.kept_from == "now" else target.kept_from)


def _same_kind(old: Score, request: ScoreCreate) -> None:
    """A score's id names one judgement: its name, source, target and kind of value stay."""
    asked = (request.name, request.source, request.target_kind, request.span_id, data_type_of(request.value))
    kept = (old.name, old.source, old.target, old.span_id, old.data_type)
    if asked != kept:
        raise Conflict(
            f"Score {old.id} exists with another name, source, target or kind of value; "
            "only its value and comment can be replaced.",
            code="score_conflict",
        )


def record_score(
    principal: Principal, request: ScoreCreate, now: datetime | None = None, counters: Mapping[str, int] | None = None
) -> tuple[Score, Outcome]:
    """Create the score, or replace the value and comment of the one with its id. ``counters``:
    more for its day's rollups, added once, with the score's creation (a judge's tokens and cost)."""
    _check_caller(principal, request)
    score_id = request.id or new_id("scr")
    for attempt in range(ATTEMPTS):
        if attempt:
            time.sleep(random.uniform(0, min(LONGEST_PAUSE_SECONDS, PAUSE_SECONDS * 2**attempt)))
        found = _read(principal, request, score_id)
        target = _target(principal, request, found)
        retention = state_of(found.get(org_item_key(principal.org_id))).retention if target.kept_from else KEEP_FOREVER
        moment = iso(now or utc_now())
        existing = found.get((target.pk, keys.score(score_id)))
        check: Write = Check(target.pk, target.sk, exists(), label="target")
        try:
            if existing is None:
                score = _new_score(principal, request, score_id, target, moment)
                counts = {**counted(score.name, score.value), **(counters or {})}
                adds = rollup_updates(principal.org_id, target.agent_id, moment, counts)
                item = _stamped(score.to_item(**_author(principal)), target, retention, moment)
                table.transact([check, Put(item, when=absent(), label="score"), *adds])
                return score, "created"
            old = Score.from_item(existing)
            _same_kind(old, request)
            if old.value == request.value and old.comment == request.comment:
                return old, "unchanged"
            new = old.patched({"value": request.value, "comment": request.comment, "updated_at": moment,
                               "version": old.version + 1})  # fmt: skip
            delta = changed(new.name, old.value, new.value)
            adds = rollup_updates(principal.org_id, target.agent_id, old.day, delta) if delta else []
            kept = {TTL: existing[TTL]} if TTL in existing else {}  # it expires as it did
            item = {**new.to_item(**_author(principal)), **kept}
            table.transact([check, Put(item, when=eq("version", old.version), label="score"), *adds])
            return new, "replaced"
        except ConditionFailed as failed:
            if failed.label == "target":
                raise NotFound(f"No {target.kind} {_target_id(request)}.", code=f"{target.kind}_not_found") from None
            continue  # the same score was written meanwhile: read it again
        except Conflict as busy:
            if busy.code != "concurrent_change":
                raise
            continue  # another transaction held an item (the day's rollup): read and try again
    raise Conflict("The score kept changing while it was recorded; send it again.", code="score_race")


def _author(principal: Principal) -> dict[str, str]:
    """Who recorded it (kept, never shown: a key id or a user id)."""
    return {"recordedBy": str(principal.user_id or principal.key_id or principal.kind)}


def _new_score(principal: Principal, request: ScoreCreate, score_id: str, target: Target, moment: str) -> Score:
    fields = request.model_dump(exclude={"id"})
    return Score(
        **fields,
        id=score_id,
        org_id=principal.org_id,
        agent_id=target.agent_id,
        data_type=data_type_of(request.value),
        target=request.target_kind,
        created_at=moment,
        updated_at=moment,
        day=utc_day(moment),
    )


@dataclass(frozen=True)
class ScoreFilter:
    """What ``GET /api/scores`` asks for: one target's scores, or an org's scores of one name."""

    trace_id: str | None = None
    span_id: str | None = None
    session_id: str | None = None
    run_id: str | None = None
    case_id: str | None = None
    name: str | None = None
    source: str | None = None
    agent_id: str | None = None
    since: str | None = None
    until: str | None = None


def list_scores(principal: Principal, page: PageRequest, asked: ScoreFilter) -> Page[Score]:
    """A target's scores (in id order), or the scores of one name, newest first."""
    targets = [asked.trace_id, asked.session_id, asked.run_id]
    if sum(target is not None for target in targets) > 1:
        raise Invalid(
            "Give one target: traceId, sessionId or runId.", details=[{"field": "traceId", "message": "one target"}]
        )
    if any(target is not None for target in targets):
        return _scores_of_target(principal, page, asked)
    if asked.name is None:
        raise Invalid(
            "Say whose scores: a traceId, a sessionId, a runId, or a name.",
            details=[{"field": "name", "message": "required without a target"}],
        )
    agent_id = principal.agent_filter(asked.agent_id)
    listing = keys.every_shard(keys.named_scores(principal.org_id, asked.name))
    wanted = matching(agentId=agent_id, source=asked.source)
    items, cursor = newest_across(listing, "GSI1", "", asked.since, asked.until, page, wanted)
    return Page(items=Score.load_all(items), nextCursor=cursor)


def _scores_of_target(principal: Principal, page: PageRequest, asked: ScoreFilter) -> Page[Score]:
    kind: TargetKind = "trace" if asked.trace_id else "session" if asked.session_id else "result"
    target_id = asked.trace_id or asked.session_id or asked.run_id or ""
    pk = target_partition(principal.org_id, kind, target_id)
    item = table.get(pk, _TARGET_SK[kind])
    if item is None:
        raise NotFound(f"No {'run' if kind == 'result' else kind} {target_id}.", code=f"{kind}_not_found")
    principal.require_agent(str(item["agentId"]))
    wanted = matching(name=asked.name, source=asked.source, spanId=asked.span_id, caseId=asked.case_id)
    return query_page(Score, page, pk, keys.SCORE_PREFIX, where=wanted)
