"""The normalize worker (SQS NormalizeQueue): traces and telemetry become sessions, turns, costs
and rollups. Small messages of one org in a batch are handled together (:mod:`.coalesce`), each
still succeeding or failing on its own. A record that fails is reported alone (partial batch
response) and retried; after the queue's maxReceiveCount it moves to the dead-letter queue. Every
record is idempotent."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from grounded_core.ingest.coalesce import coalesce, handle_together
from grounded_core.ingest.normalize import handle_message
from grounded_core.observability import logger
from grounded_core.startup import entry_point


def _body(record: dict[str, Any]) -> Any:
    try:
        return json.loads(record["body"])
    except (TypeError, ValueError):
        return None  # handled (and refused) on its own


@entry_point
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> Any:
    records = event.get("Records") or []
    groups, alone = coalesce([(record["messageId"], _body(record)) for record in records])
    failures: dict[str, Exception] = {}
    for group in groups:
        failures |= handle_together(group, handle_message)
    one_by_one = set(alone)

    def handle_record(record: SQSRecord) -> None:
        if record.message_id in failures:
            raise failures[record.message_id]
        if record.message_id in one_by_one:
            handle_message(json.loads(record.body))

    # a processor per invocation: it holds the batch's state (the local cloud runs batches concurrently)
    processor = BatchProcessor(event_type=EventType.SQS)
    return process_partial_response(event=event, record_handler=handle_record, processor=processor, context=context)
