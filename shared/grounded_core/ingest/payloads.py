"""Large trace fields live in S3, not in the DynamoDB item (capped at 400 KB): a trace is never
lost for being big. Fields over a few KB move into one JSON object per trace, and the item keeps
``{"$payload": "<path>"}`` where each was; reading the trace puts them back."""

from __future__ import annotations

import copy
import json
from typing import Any

from grounded_core import adapters
from grounded_core.storable import MAX_DEPTH, depth

INLINE_LIMIT = 4_096
#: Past this, even the small fields together are too big for one item: the spans move out whole.
ITEM_BUDGET = 300_000
MARKER = "$payload"


def _size(value: Any) -> int:
    return len(json.dumps(value, default=str, separators=(",", ":")))


def split_payloads(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(item_body, payloads)``: the body with large fields replaced by markers, and those fields."""
    kept = copy.copy(body)
    payloads: dict[str, Any] = {}

    def offload(container: dict[str, Any], field: str, path: str, level: int) -> None:
        # level: how deep the field sits in the item (DynamoDB counts nesting from the item's root)
        value = container.get(field)
        if value is not None and (_size(value) > INLINE_LIMIT or level - 1 + depth(value) > MAX_DEPTH):
            payloads[path] = value
            container[field] = {MARKER: path}

    for field in ("input", "output", "metadata", "error"):
        offload(kept, field, field, 1)
    spans = [dict(span) for span in kept.get("spans", [])]
    for index, span in enumerate(spans):
        for field in ("input", "output", "attributes", "error"):
            offload(span, field, f"spans.{index}.{field}", 3)
    kept["spans"] = spans
    if _size(kept) > ITEM_BUDGET:
        payloads["spans"] = spans
        kept["spans"] = {MARKER: "spans"}
    return kept, payloads


def join_payloads(body: dict[str, Any], payloads: dict[str, Any]) -> dict[str, Any]:
    """The body as it was sent."""

    def restore(value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {MARKER}:
            return restore(payloads[value[MARKER]])
        return value

    joined = {key: restore(value) for key, value in body.items()}
    joined["spans"] = [{key: restore(value) for key, value in span.items()} for span in joined.get("spans") or []]
    return joined


def org_payloads(org_id: str) -> str:
    """The prefix of every object an org has in the payload bucket."""
    return f"orgs/{org_id}/"


def payload_key(org_id: str, trace_id: str) -> str:
    return f"{org_payloads(org_id)}traces/{trace_id}.json"


def payloads_joined(item: dict[str, Any], body: dict[str, Any] | None = None) -> dict[str, Any]:
    """``body`` (default: the stored trace ``item`` itself) with the large fields ``item`` moved to
    S3 read back."""
    shown = item if body is None else body
    return join_payloads(shown, adapters.get_json(str(item["payloadKey"]))) if item.get("payloadKey") else shown
