"""What goes with the items TTL removes (DynamoDB stream of the table, filtered to the stored
traces and sessions TTL removes): each removed trace's payload is deleted from S3, in one
DeleteObjects call per batch, and each removed session's listing entry from the table (one
BatchWriteItem per 25). Both are idempotent; a failed batch is reported from its first record on,
so the stream retries exactly what is left."""

from __future__ import annotations

from typing import Any

from grounded_core.lifecycle.expiry import listing_entries, payload_keys
from grounded_core.observability import logger
from grounded_core.startup import entry_point


@entry_point
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from grounded_core import adapters
    from grounded_core.store import table

    records = event.get("Records") or []
    try:
        adapters.delete_objects(payload_keys(records))
        table.batch_delete(listing_entries(records))
    except Exception:
        logger.exception("what goes with expired items not deleted; the stream retries the batch")
        first = records[0]["dynamodb"]["SequenceNumber"] if records else None
        return {"batchItemFailures": [{"itemIdentifier": first}] if first else []}
    return {"batchItemFailures": []}
