"""Expired payloads (DynamoDB stream of the table, filtered to the stored traces TTL removes):
each removed trace's payload is deleted from S3, in one DeleteObjects call per batch. A failed
batch is reported from its first record on, so the stream retries exactly what is left."""

from __future__ import annotations

from typing import Any

from grounded_core.lifecycle.expiry import payload_keys
from grounded_core.observability import logger
from grounded_core.startup import entry_point


@entry_point
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from grounded_core import adapters

    records = event.get("Records") or []
    try:
        adapters.delete_objects(payload_keys(records))
    except Exception:
        logger.exception("expired payloads not deleted; the stream retries the batch")
        first = records[0]["dynamodb"]["SequenceNumber"] if records else None
        return {"batchItemFailures": [{"itemIdentifier": first}] if first else []}
    return {"batchItemFailures": []}
