"""Online evaluators, first half: the normalize worker picks the sample of new traces each
evaluator judges (a fixed draw per trace) and queues them for the judge worker
(:mod:`grounded_core.judges.worker`). Light to import: it is on the normalize worker's path."""

from __future__ import annotations

import time
from collections.abc import Iterable

from grounded_core import adapters
from grounded_core.judges.evaluators import Evaluator, agent_evaluators
from grounded_core.settings import get_settings

#: how long a container reuses an agent's evaluators (a change applies within this)
CACHE_SECONDS = 30.0
_cached: dict[tuple[str, str], tuple[float, list[Evaluator]]] = {}


def _evaluators(org_id: str, agent_id: str) -> list[Evaluator]:
    now = time.monotonic()
    kept = _cached.get((org_id, agent_id))
    if kept is None or now - kept[0] > CACHE_SECONDS:
        kept = (now, agent_evaluators(org_id, agent_id))
        _cached[(org_id, agent_id)] = kept
    return kept[1]


def sample(org_id: str, traces: Iterable[tuple[str, str]]) -> int:
    """Queue the new traces (``(trace_id, agent_id)``) each evaluator of their agent draws; how
    many judgements were queued."""
    wanted = [
        {"orgId": org_id, "agentId": agent_id, "traceId": trace_id, "evaluatorId": evaluator.id}
        for trace_id, agent_id in traces
        for evaluator in _evaluators(org_id, agent_id)
        if evaluator.samples(trace_id)
    ]
    if wanted:
        adapters.send_messages(get_settings().judge_queue_url, wanted)
    return len(wanted)
