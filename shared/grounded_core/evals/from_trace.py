"""Datasets from production: a trace — or one turn of its conversation — becomes an eval case,
linked back to it. The case holds its input (and expected output) itself, so it stays whatever
happens to the trace later (retention, erasure)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from grounded_core.clock import iso, utc_now
from grounded_core.errors import Invalid, NotFound
from grounded_core.evals.models import Case, CaseFromTrace, CaseIn, CaseSource
from grounded_core.evals.suites import get_suite, new_case
from grounded_core.identity.principal import Principal
from grounded_core.ingest.models import TraceView
from grounded_core.ingest.traces import get_trace
from grounded_core.ingest.turns import TraceInSession, Turn
from grounded_core.store import keys, table
from grounded_core.store.conditions import eq

#: a case is one item: its input and expected output together stay well under DynamoDB's 400 KB
MAX_CASE_BYTES = 300_000


def _exchange(turns: list[Turn], turn_id: str) -> tuple[Turn, Turn | None]:
    """The user turn a case asks, and the assistant's answer to it: ``turn_id`` names either."""
    at = next((index for index, turn in enumerate(turns) if turn.id == turn_id), None)
    if at is None:
        raise NotFound(f"The trace has no turn {turn_id}.", code="turn_not_found")
    if turns[at].role == "assistant":
        asked = next((turn for turn in reversed(turns[:at]) if turn.role == "user"), None)
        if asked is None:
            raise Invalid(
                "No user turn comes before that answer.", details=[{"field": "turnId", "message": "no question"}]
            )
        return asked, turns[at]
    if turns[at].role != "user":
        raise Invalid(
            f"A case is made of a user turn or an assistant's answer, not a {turns[at].role} turn.",
            details=[{"field": "turnId", "message": f"a {turns[at].role} turn"}],
        )
    answer = next((turn for turn in turns[at + 1 :] if turn.role == "assistant"), None)
    return turns[at], answer


def _session_turns(org_id: str, trace: TraceView) -> list[Turn]:
    session_id = trace.normalization.session_id
    if not session_id:
        return []
    pk = keys.session(org_id, session_id)
    item = table.get(pk, keys.trace_in_session(trace.started_at, trace.id))
    if item is None:  # the key's time is the trace's as stored: find it by id if it differs
        placed, _ = table.query(pk, keys.TRACE_IN_SESSION_PREFIX, where=eq("id", trace.id))
        item = placed[0] if placed else None
    return TraceInSession.from_item(item).turns if item else []


def _default_assertions(expected: Any) -> list[dict[str, Any]]:
    return [{"type": "equals", "value": expected, "ignoreCase": isinstance(expected, str)}]


def case_from_trace(principal: Principal, suite_id: str, request: CaseFromTrace, now: datetime | None = None) -> Case:
    principal.require_scope("traces:read")
    suite = get_suite(principal, suite_id)
    trace = get_trace(principal, request.trace_id)
    if request.turn_id is None:
        asked, answer = trace.input, trace.output
    else:
        question, reply = _exchange(_session_turns(principal.org_id, trace), request.turn_id)
        asked, answer = question.content, reply.content if reply else None
    if asked is None:
        raise Invalid("The trace has no input to ask.", details=[{"field": "traceId", "message": "no input"}])
    expected = answer if request.expected == "output" else None
    if request.expected == "output" and expected is None:
        raise Invalid("The trace has no output to expect.", details=[{"field": "expected", "message": "no output"}])
    assertions = request.assertions or (_default_assertions(expected) if expected is not None else None)
    if assertions is None:
        raise Invalid(
            'Give assertions, or expected: "output" to check against what the agent answered.',
            details=[{"field": "assertions", "message": "required without expected"}],
        )
    fields = {"name": request.name or trace.name, "input": asked, "expected": expected, "assertions": assertions}
    case_in = CaseIn.model_validate({**fields, "tags": request.tags})
    size = len(json.dumps(case_in.model_dump(mode="json"), default=str))
    if size > MAX_CASE_BYTES:
        raise Invalid(
            f"The trace's input and output are {size // 1000} KB; a case holds at most {MAX_CASE_BYTES // 1000} KB.",
            details=[{"field": "traceId", "message": "too big for a case"}],
        )
    source = CaseSource(
        trace_id=trace.id, turn_id=request.turn_id, session_id=trace.normalization.session_id, agent_id=trace.agent_id
    )
    case = new_case(principal.org_id, suite.id, case_in, iso(now or utc_now())).patched({"source": source})
    table.put(case.to_item())
    return case
