"""Online evaluators, second half: the judge worker asks the judge about a sampled trace's input and
output and records its verdict as a ``judge`` score — once per trace and evaluator (the score's id
says which) — with the call's tokens and cost added to the day's rollups in the same transaction."""

from __future__ import annotations

from typing import Any

from grounded_core.identity.principal import Principal
from grounded_core.ingest.payloads import payloads_joined
from grounded_core.judges.evaluators import find_evaluator
from grounded_core.judges.judge import JudgeError, JudgeRequest, ask
from grounded_core.observability import logger
from grounded_core.pricing.overrides import prices_for
from grounded_core.scores.models import ScoreCreate
from grounded_core.scores.service import record_score
from grounded_core.store import keys, table


def _trace(org_id: str, trace_id: str) -> dict[str, Any] | None:
    item = table.get(keys.trace(org_id, trace_id), keys.TRACE_SK)
    return payloads_joined(item) if item else None


def judge_trace(message: dict[str, Any]) -> str:
    """Judge one sampled trace (idempotent); what happened, for the log. A provider that keeps
    failing raises (the message is retried, then goes to the dead-letter queue)."""
    org_id, trace_id = str(message["orgId"]), str(message["traceId"])
    evaluator = find_evaluator(org_id, str(message["agentId"]), str(message["evaluatorId"]))
    if evaluator is None or not evaluator.enabled:
        return "evaluator gone"
    if table.get(keys.trace(org_id, trace_id), keys.score(evaluator.score_id), consistent=True):
        return "already judged"  # a redelivery: never asked (and paid for) twice
    trace = _trace(org_id, trace_id)
    if trace is None:
        return "trace gone"
    request = JudgeRequest(evaluator.rubric, trace.get("input"), trace.get("output"), None, evaluator.model,
                           evaluator.provider)  # fmt: skip
    try:
        verdict = ask(org_id, request, lambda: prices_for(org_id))
    except JudgeError as error:
        if error.transient:
            raise
        logger.warning("no verdict", extra={"evaluator_id": evaluator.id, "trace_id": trace_id, "why": error.message})
        return "no verdict"
    judge = Principal(kind="secret_key", org_id=org_id, scopes=frozenset({"scores:write"}))
    score = ScoreCreate(id=evaluator.score_id, name=evaluator.name, value=verdict.score,
                        comment=verdict.reasoning or None, source="judge", trace_id=trace_id)  # fmt: skip
    tokens = verdict.usage.total if verdict.usage else 0
    spent = {"judgeCalls": 1, "judgeTokens": tokens, "judgeCostNanos": verdict.cost_nanos or 0}
    record_score(judge, score, counters=spent)
    return "judged"
