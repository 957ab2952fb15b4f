"""Looking at the emulator's table and bucket directly, as an operator would (tests only: the
product never scans)."""

from __future__ import annotations

import base64
import json
from typing import Any

from grounded_core.store.table import stored


def items_of_org(cloud: Any, org_id: str) -> list[dict[str, Any]]:
    """Every item that belongs to the org: its id in a key (table or index) or in ``orgId`` — read
    from the emulator's state, as an operator's export would show it (never through a Scan)."""
    from local.workarounds import _binary_values, table_items

    keys = ("PK", "GSI1PK", "GSI2PK")
    found = []
    for raw in table_items(cloud.options.region, cloud.resources["Table"]):
        # as DynamoDB's answer reads it (binary values as bytes), then as the store reads that
        as_answered = json.loads(
            json.dumps(raw, default=lambda blob: base64.b64encode(blob).decode()), object_hook=_binary_values
        )
        item = stored(as_answered)
        if any(org_id in str(item.get(key, "")) for key in keys) or item.get("orgId") == org_id:
            found.append(item)
    return found


def payload_versions(cloud: Any, prefix: str) -> int:
    """Object versions and delete markers under ``prefix`` in the payload bucket."""
    answer = cloud.client("s3").list_object_versions(Bucket=cloud.resources["PayloadBucket"], Prefix=prefix)
    return len(answer.get("Versions", [])) + len(answer.get("DeleteMarkers", []))


def live_payloads(cloud: Any, prefix: str) -> int:
    answer = cloud.client("s3").list_objects_v2(Bucket=cloud.resources["PayloadBucket"], Prefix=prefix)
    return int(answer["KeyCount"])


def by_family(items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Items grouped by what they are: the sort key's prefix (``TURN``, ``EVT``, ``TRACE`` …)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        groups.setdefault(str(item["SK"]).split("#", 1)[0], []).append(item)
    return groups
