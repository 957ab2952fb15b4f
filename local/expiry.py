"""DynamoDB's TTL, as the local cloud runs it: delete the items whose ``ttl`` has passed and hand
each removal to the table's stream consumers as a ``REMOVE`` record made by the TTL service, through
their mappings' filter patterns, in batches of their ``BatchSize``.

On AWS an expired item disappears within a few days of its expiry; here it goes at the next sweep
(every 5 minutes under ``make dev``, or when a test or ``POST /_local/ttl-sweep?at=…`` asks, with
``at`` standing in for "now" so a test can see what a retention of days removes).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from local.persistence import portable
from local.workarounds import StreamEventSource, table_items

log = logging.getLogger("grounded.local")
TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


def matches(pattern: Any, value: Any) -> bool:
    """An event filter pattern (the subset Lambda's filters use here: nested objects, and lists
    of exact values) against a record."""
    if isinstance(pattern, dict):
        if not isinstance(value, dict):
            return False
        return all(key in value and matches(inner, value[key]) for key, inner in pattern.items())
    if isinstance(pattern, list):
        if any(isinstance(option, dict) for option in pattern):
            raise ValueError(f"filter operators are not supported by the local cloud: {pattern!r}")
        return value in pattern
    return bool(pattern == value)


def expired(items: list[dict[str, Any]], attribute: str, at: datetime) -> list[dict[str, Any]]:
    """The items (DynamoDB JSON) whose expiry attribute, a number of epoch seconds, is before ``at``
    (an item without it, or with another type, never expires — as DynamoDB does)."""
    now = at.timestamp()
    return [item for item in items if "N" in item.get(attribute, {}) and float(item[attribute]["N"]) < now]


def remove_record(item: dict[str, Any], table_arn: str, region: str, sequence: int) -> dict[str, Any]:
    return {
        "eventID": f"ttl-{sequence}",
        "eventName": "REMOVE",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "userIdentity": dict(TTL_IDENTITY),
        "dynamodb": {
            "Keys": {"PK": item["PK"], "SK": item["SK"]},
            "OldImage": portable(item),  # binary values in base64, as a stream record has them
            "SequenceNumber": str(sequence),
            "SizeBytes": len(str(item)),
            "StreamViewType": "OLD_IMAGE",
        },
        "eventSourceARN": f"{table_arn}/stream/local",
    }


def sweep(
    dynamodb: Any,
    table: str,
    attribute: str,
    at: datetime,
    consumers: list[StreamEventSource],
    invoke: Callable[[str, Any], Any],
    region: str,
) -> int:
    """Delete what expired before ``at`` and deliver the removals; how many items were removed.
    The emulator's state is read directly (as DynamoDB's TTL process reads its own): no Scan."""
    items = expired(table_items(region, table), attribute, at)
    for start in range(0, len(items), 25):
        chunk = items[start : start + 25]
        requests = [{"DeleteRequest": {"Key": {"PK": item["PK"], "SK": item["SK"]}}} for item in chunk]
        dynamodb.batch_write_item(RequestItems={table: requests})
    if not items:
        return 0
    arn = dynamodb.describe_table(TableName=table)["Table"]["TableArn"]
    records = [remove_record(item, arn, region, index + 1) for index, item in enumerate(items)]
    for consumer in consumers:
        if not consumer.enabled:
            continue
        wanted = [r for r in records if not consumer.patterns or any(matches(p, r) for p in consumer.patterns)]
        for start in range(0, len(wanted), consumer.batch_size):
            batch = wanted[start : start + consumer.batch_size]
            try:
                answer = invoke(consumer.function_id, {"Records": batch})
            except Exception:
                log.exception("the stream consumer %s failed on expired items", consumer.function_id)
                continue
            if isinstance(answer, dict) and answer.get("batchItemFailures"):
                log.warning("the stream consumer %s reported failures: %s", consumer.function_id, answer)
    log.info("TTL sweep removed %d items of %s", len(items), table)
    return len(items)
