"""Online evaluators, first half: the normalize worker picks the sample of new traces each
evaluator judges (a fixed draw per trace) and queues them for the judge worker
(:mod:`grounded_core.judges.worker`). Light to import — it is on the normalize worker's path: it
reads evaluators as plain items, not models."""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable
from typing import Any

from grounded_core import adapters
from grounded_core.settings import get_settings
from grounded_core.store import keys, table

#: how long a container reuses an agent's evaluators (a change applies within this)
CACHE_SECONDS = 30.0
_cached: dict[tuple[str, str], tuple[float, list[dict[str, Any]]]] = {}


def drawn(evaluator_id: str, trace_id: str, sampling_rate: float) -> bool:
    """Whether an evaluator judges a trace: a fixed draw per trace and evaluator (a redelivered
    message draws the same)."""
    return zlib.crc32(f"{evaluator_id}:{trace_id}".encode()) % 10_000 < round(sampling_rate * 10_000)


def _evaluators(org_id: str, agent_id: str) -> list[dict[str, Any]]:
    """The agent's evaluators that are on: ``{id, samplingRate}`` (one query, reused 30 s)."""
    now = time.monotonic()
    kept = _cached.get((org_id, agent_id))
    if kept is None or now - kept[0] > CACHE_SECONDS:
        start: dict[str, Any] | None = None
        items: list[dict[str, Any]] = []
        while True:
            found, start = table.query(
                keys.agent_partition(org_id, agent_id), keys.EVALUATOR_PREFIX, start_key=start,
                fields=("id", "enabled", "samplingRate"),
            )  # fmt: skip
            items += [item for item in found if item.get("enabled") and float(item.get("samplingRate") or 0) > 0]
            if not start:
                break
        kept = (now, items)
        _cached[(org_id, agent_id)] = kept
    return kept[1]


def sample(org_id: str, traces: Iterable[tuple[str, str]]) -> int:
    """Queue the new traces (``(trace_id, agent_id)``) each evaluator of their agent draws; how
    many judgements were queued."""
    wanted = [
        {"orgId": org_id, "agentId": agent_id, "traceId": trace_id, "evaluatorId": str(evaluator["id"])}
        for trace_id, agent_id in traces
        for evaluator in _evaluators(org_id, agent_id)
        if drawn(str(evaluator["id"]), trace_id, float(evaluator["samplingRate"]))
    ]
    if wanted:
        adapters.send_messages(get_settings().judge_queue_url, wanted)
    return len(wanted)
