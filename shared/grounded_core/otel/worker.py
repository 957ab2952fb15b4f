"""Assembling OTLP traces (normalize queue, message kind ``otel``).

A message names traces and the export that sent it. Only the message of a trace's latest export
acts (a later export sent its own); it assembles the trace once the quiet period has passed since
its last span and its root has arrived, or once its first span is older than the rootless bound;
otherwise it asks again later. Assembling reads every received span of the trace,
stores the trace as a new revision (its span count) and normalizes it: a revision applied before
changes nothing, a later one adds only the difference to the session's counters.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

from grounded_core import adapters
from grounded_core.clock import parse_iso, utc_now
from grounded_core.ingest.items import ItemsFailed, each_alone
from grounded_core.ingest.normalize import normalize_traces
from grounded_core.ingest.service import trace_item
from grounded_core.lifecycle.erase import erase_traces
from grounded_core.lifecycle.retention import ORG_STATE_FIELDS, Retention, org_item_key, state_of
from grounded_core.observability import logger
from grounded_core.otel.assemble import assemble
from grounded_core.otel.models import AssemblyState, Due, ReceivedSpan
from grounded_core.otel.service import schedule
from grounded_core.settings import get_settings
from grounded_core.store import keys, table
from grounded_core.store.conditions import ConditionFailed, absent, lt

#: SQS delays a message by at most 15 minutes; a longer wait is asked for again
MAX_DELAY_SECONDS = 900
#: carried over from the previous revision: a trace normalized by an older version is linked to its
#: session by these (newer ones by their item in the session), and must not drop out of it meanwhile
KEPT_ON_REVISION = ("GSI1PK", "GSI1SK")
#: what is read of a trace's state and stored item before assembling (not the stored spans)
STATE_FIELDS = ("agentId", "lastExport", "lastSpanAt", "revision", *KEPT_ON_REVISION, *ORG_STATE_FIELDS)


def wait_seconds(last_span_at: str, spans: list[ReceivedSpan] | None, now: datetime) -> int:
    """How long the trace should still wait before it is assembled (0: now): until the quiet
    period since its last span is over and, while its root is missing (``spans`` known), until its
    first span is older than the rootless bound."""
    settings = get_settings()
    waits = [parse_iso(last_span_at) + timedelta(seconds=settings.otel_quiet_seconds) - now]
    if spans is not None and not any(span.is_root for span in spans):
        first_seen = min(parse_iso(span.received_at) for span in spans)
        waits.append(first_seen + timedelta(seconds=settings.otel_rootless_seconds) - now)
    longest = max(waits)
    return 0 if longest <= timedelta(0) else int(longest.total_seconds() + 0.999)


def assemble_due(org_id: str, entries: list[dict[str, Any]], now: datetime | None = None) -> None:
    """Look at each due trace: assemble and normalize those whose time has come."""
    moment = now or utc_now()
    due = [Due.model_validate(entry) for entry in entries]
    wanted = [(keys.trace(org_id, d.id), sk) for d in due for sk in (keys.OTEL_STATE_SK, keys.TRACE_SK)]
    found = table.batch_get([org_item_key(org_id), *wanted], consistent=True, fields=STATE_FIELDS)
    org = state_of(found.get(org_item_key(org_id)))
    if org.closed:  # deleted while its spans waited: they go now, not in a week
        erase_traces(org_id, [entry.id for entry in due])
        return
    later: dict[int, list[Due]] = {}
    quiet: list[tuple[Due, AssemblyState]] = []
    for entry in due:
        item = found.get((keys.trace(org_id, entry.id), keys.OTEL_STATE_SK))
        if item is None or item.get("lastExport") != entry.export:
            continue  # gone, or a later export's message will come
        state = AssemblyState.model_validate(item)
        if wait := wait_seconds(state.last_span_at, None, moment):
            later.setdefault(min(wait, MAX_DELAY_SECONDS), []).append(entry)
        else:
            quiet.append((entry, state))
    failed: list[str] = []

    def assemble_one(entry: tuple[Due, AssemblyState]) -> str | None:
        due_entry, state = entry
        spans = received_spans(org_id, due_entry.id, state.agent_id)
        if spans and (wait := wait_seconds(state.last_span_at, spans, moment)):
            later.setdefault(min(wait, MAX_DELAY_SECONDS), []).append(due_entry)  # the root may still come
            return None
        stored = found.get((keys.trace(org_id, due_entry.id), keys.TRACE_SK))
        return store_revision(org_id, due_entry.id, state, spans, stored, org.retention)

    assembled = each_alone("traces", quiet, assemble_one, lambda entry: entry[0].id, failed)
    for delay, entries_later in later.items():
        schedule(org_id, entries_later, delay)
    normalize_traces(org_id, [trace_id for trace_id in assembled if trace_id], org)
    if failed:
        raise ItemsFailed("traces", failed)


def received_spans(org_id: str, trace_id: str, agent_id: str) -> list[ReceivedSpan]:
    """Every span received for the trace from the agent that owns it."""
    items = table.query_all(keys.trace(org_id, trace_id), keys.OTEL_SPAN_PREFIX, consistent=True)
    return [span for span in ReceivedSpan.load_all(items) if span.agent_id == agent_id]


def store_revision(
    org_id: str,
    trace_id: str,
    state: AssemblyState,
    spans: list[ReceivedSpan],
    stored: dict[str, Any] | None,
    retention: Retention,
) -> str | None:
    """Store the trace as assembled from ``spans``; its id when there is something to normalize
    (a new revision, or one stored before but not applied yet)."""
    if not spans:
        return None
    if stored is not None and (stored.get("agentId") != state.agent_id or stored.get("revision") is None):
        logger.error("an OTLP trace id is another agent's, or a native trace's", extra={"trace_id": trace_id})
        return None
    revision = len(spans)
    if stored is not None and int(stored.get("revision") or 0) >= revision:
        return trace_id  # stored before; normalizing again is a no-op once applied
    kept = {name: stored[name] for name in KEPT_ON_REVISION if stored and name in stored}
    first_seen = min(span.received_at for span in spans)
    trace = assemble(trace_id, spans)
    item, payloads = trace_item(org_id, trace_id, trace, first_seen, retention, revision=revision)
    if payloads:
        adapters.put_json(item["payloadKey"], payloads)
    with contextlib.suppress(ConditionFailed):  # a concurrent assembly stored this or a later revision
        table.put({**item, **kept}, absent() | lt("revision", revision), label="revision")
    logger.info("OTLP trace assembled", extra={"trace_id": trace_id, "spans": revision})
    return trace_id
