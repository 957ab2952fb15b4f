"""The normalize worker (SQS NormalizeQueue): traces and telemetry become sessions, turns, costs
and rollups. A record that fails is reported alone (partial batch response) and retried; after
the queue's maxReceiveCount it moves to the dead-letter queue. Every record is idempotent."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from grounded_core.ingest.normalize import handle_message
from grounded_core.observability import logger


def handle_record(record: SQSRecord) -> None:
    handle_message(json.loads(record.body))


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> Any:
    # a processor per invocation: it holds the batch's state (the local cloud runs batches concurrently)
    processor = BatchProcessor(event_type=EventType.SQS)
    return process_partial_response(event=event, record_handler=handle_record, processor=processor, context=context)
