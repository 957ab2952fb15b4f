"""Accepting an OTLP export. Every accepted span is stored before the answer (its own item, keyed
by its span id, so an exporter's retry rewrites it with itself); the trace's assembly state then
records the export, and one delayed message per export asks the worker to assemble its traces
once no span came for the quiet period (:mod:`grounded_core.otel.worker`).

Spans are written before the state that announces them, so the export whose state write is the
latest is the one whose message assembles, and every span announced before it is already there.
An export costs one BatchGetItem for its agents, one for its traces' states and stored traces
(two keys per trace, 100 keys per call), BatchWriteItem calls
for its spans and states (25 items each) and one SendMessage per 25 traces.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from grounded_core import adapters
from grounded_core.agents.service import find_snapshot
from grounded_core.clock import iso, utc_now
from grounded_core.identity.principal import Principal
from grounded_core.ids import new_id
from grounded_core.ingest.items import TRACES_PER_MESSAGE  # as native traces: a message is one short invocation
from grounded_core.ingest.models import check_times
from grounded_core.lifecycle.retention import OrgState, org_item_key, state_of
from grounded_core.otel.mapping import (
    AGENT_KEY,
    SNAPSHOT_KEY,
    SpanRejected,
    attributes_of,
    bounded_attributes,
    span_of,
    stitch_of,
    text,
)
from grounded_core.otel.models import AssemblyState, Due, ReceivedSpan
from grounded_core.settings import get_settings
from grounded_core.store import keys, table

if TYPE_CHECKING:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
    from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans

#: received spans (and a trace's assembly state) are kept this long for late spans to merge with,
#: then expire by DynamoDB TTL; the assembled trace stays
SPAN_RETENTION_SECONDS = 7 * 24 * 3600
NO_AGENT = (
    f"no agent: use a key scoped to an agent, the x-grounded-agent-id header, or the resource attribute {AGENT_KEY}"
)


@dataclass
class Outcome:
    """What became of an export's spans: how many were rejected, and why (reason -> count)."""

    accepted: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    def reject(self, reason: str, count: int = 1) -> None:
        if count:
            self.reasons[reason] += count

    @property
    def rejected(self) -> int:
        return sum(self.reasons.values())

    @property
    def message(self) -> str:
        """``"3 span(s) rejected: no agent … (2); … (1)"``, or empty when none were."""
        if not self.reasons:
            return ""
        parts = "; ".join(f"{reason} ({count})" for reason, count in self.reasons.most_common())
        return f"{self.rejected} span(s) rejected: {parts}"


@dataclass
class ResourceBatch:
    agent_id: str | None
    snapshot_id: str | None
    resource: dict[str, Any]
    spans: list[tuple[str | None, Any]]  # (scope name, protobuf Span)


def _batches(principal: Principal, header_agent: str | None, request: ExportTraceServiceRequest) -> list[ResourceBatch]:
    """Each resource's spans, with the agent the key, the header or the resource names."""
    batches = []
    for resource_spans in request.resource_spans:
        resource = attributes_of(resource_spans.resource.attributes)
        agent = principal.agent_id or header_agent or text(resource.get(AGENT_KEY), 64)
        batches.append(
            ResourceBatch(agent, text(resource.get(SNAPSHOT_KEY), 64), resource, list(_spans_of(resource_spans)))
        )
    return batches


def _spans_of(resource_spans: ResourceSpans) -> Any:
    for scope_spans in resource_spans.scope_spans:
        scope = scope_spans.scope.name or None
        for span in scope_spans.spans:
            yield scope, span


def _check_owners(
    principal: Principal, batches: list[ResourceBatch], outcome: Outcome
) -> tuple[list[ResourceBatch], OrgState]:
    """Keep the batches whose agent exists (one BatchGetItem, which also reads the org's state)
    and whose snapshot is the agent's."""
    agents = {batch.agent_id for batch in batches if batch.agent_id}
    org = org_item_key(principal.org_id)
    found = table.batch_get([org, *((keys.org(principal.org_id), keys.agent(agent)) for agent in agents)])
    state = state_of(found.get(org))
    snapshots = {s: find_snapshot(principal.org_id, s) for s in {b.snapshot_id for b in batches if b.snapshot_id}}
    kept = []
    for batch in batches:
        if state.closed:
            outcome.reject("this org is being deleted", len(batch.spans))
        elif batch.agent_id is None:
            outcome.reject(NO_AGENT, len(batch.spans))
        elif (keys.org(principal.org_id), keys.agent(batch.agent_id)) not in found:
            outcome.reject(f"no agent {batch.agent_id} in this org", len(batch.spans))
        elif batch.snapshot_id and getattr(snapshots[batch.snapshot_id], "agent_id", None) != batch.agent_id:
            outcome.reject(f"snapshot {batch.snapshot_id} is not one of agent {batch.agent_id}'s", len(batch.spans))
        else:
            kept.append(batch)
    return kept, state


def _received(org_id: str, batches: list[ResourceBatch], now: datetime, outcome: Outcome) -> list[ReceivedSpan]:
    received_at = iso(now)
    spans = []
    for batch in batches:
        for scope, span in batch.spans:
            try:
                mapped = span_of(span)
                check_times(mapped.started_at, mapped.ended_at, now, "span ")
            except (SpanRejected, ValueError) as error:
                outcome.reject(str(error))
                continue
            spans.append(
                ReceivedSpan(
                    org_id=org_id,
                    trace_id=span.trace_id.hex(),
                    agent_id=batch.agent_id or "",
                    snapshot_id=batch.snapshot_id,
                    resource=bounded_attributes(batch.resource),
                    scope=scope,
                    span=mapped,
                    start_nanos=span.start_time_unix_nano,
                    received_at=received_at,
                    **stitch_of(attributes_of(span.attributes), batch.resource),
                )
            )
    return spans


def _claimable(org_id: str, spans: list[ReceivedSpan], outcome: Outcome) -> dict[str, list[ReceivedSpan]]:
    """The spans by trace, but for traces another agent owns, or whose id a trace sent through
    ``/api/traces`` already took (one BatchGetItem for their states and stored traces)."""
    by_trace: dict[str, list[ReceivedSpan]] = defaultdict(list)
    for span in spans:
        by_trace[span.trace_id].append(span)
    wanted = [(keys.trace(org_id, t), sk) for t in by_trace for sk in (keys.OTEL_STATE_SK, keys.TRACE_SK)]
    found = table.batch_get(wanted, consistent=True, fields=("agentId", "revision"))
    for trace_id in list(by_trace):
        state = found.get((keys.trace(org_id, trace_id), keys.OTEL_STATE_SK))
        stored = found.get((keys.trace(org_id, trace_id), keys.TRACE_SK))
        if stored is not None and stored.get("revision") is None:  # a native trace has this id
            outcome.reject(f"trace id {trace_id} is taken by a trace sent to /api/traces", len(by_trace.pop(trace_id)))
            continue
        agents = {span.agent_id for span in by_trace[trace_id]}
        owner = state["agentId"] if state else next(iter(agents))
        if agents != {owner}:
            mine = [span for span in by_trace[trace_id] if span.agent_id == owner]
            outcome.reject(f"trace {trace_id} is another agent's", len(by_trace[trace_id]) - len(mine))
            by_trace[trace_id] = mine
        if not by_trace[trace_id]:
            del by_trace[trace_id]
    return by_trace


def _state(org_id: str, trace_id: str, agent_id: str, export: str, now: str, ttl: int) -> dict[str, Any]:
    """The trace's assembly state as of this export (a plain put: one batch write with the spans)."""
    state = AssemblyState(org_id=org_id, trace_id=trace_id, agent_id=agent_id, last_export=export, last_span_at=now)
    return state.to_item(ttl=ttl)


def accept_export(
    principal: Principal, request: ExportTraceServiceRequest, header_agent: str | None, now: datetime | None = None
) -> Outcome:
    """Store the export's valid spans and schedule their traces' assembly; say what was refused."""
    moment = now or utc_now()
    outcome = Outcome()
    batches, org = _check_owners(principal, _batches(principal, header_agent, request), outcome)
    by_trace = _claimable(principal.org_id, _received(principal.org_id, batches, moment, outcome), outcome)
    export, received_at, ttl = new_id("exp"), iso(moment), int(moment.timestamp()) + SPAN_RETENTION_SECONDS
    # kept for the assembly window, or less when the org's retention is shorter
    spans = [
        org.retention.at_most(span.to_item(ttl=ttl), span.span.started_at)
        for spans in by_trace.values()
        for span in spans
    ]
    # spans first, states after: a state names only spans already stored
    table.batch_put(spans)
    table.batch_put(_state(principal.org_id, t, s[0].agent_id, export, received_at, ttl) for t, s in by_trace.items())
    outcome.accepted = len(spans)
    due = [Due(id=trace_id, export=export) for trace_id in by_trace]
    schedule(principal.org_id, due, get_settings().otel_quiet_seconds)
    return outcome


def schedule(org_id: str, due: list[Due], delay_seconds: int) -> None:
    """Messages asking the worker to look at ``due`` traces after ``delay_seconds``."""
    for start in range(0, len(due), TRACES_PER_MESSAGE):
        chunk = [entry.model_dump(by_alias=True) for entry in due[start : start + TRACES_PER_MESSAGE]]
        adapters.send_message(
            get_settings().normalize_queue_url, {"kind": "otel", "orgId": org_id, "traces": chunk}, delay_seconds
        )
