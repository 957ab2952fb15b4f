"""The connector-sync worker (SQS SyncQueue, one message per invocation): runs a sync job from its
checkpoint. A message that fails is retried by SQS and, after maxReceiveCount, dead-lettered."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from grounded_core.connectors.worker import handle_message
from grounded_core.observability import logger
from grounded_core.startup import entry_point


@entry_point
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> Any:
    def time_left() -> float:
        return float(context.get_remaining_time_in_millis()) / 1000

    def handle_record(record: SQSRecord) -> None:
        handle_message(json.loads(record.body), int(record.attributes.approximate_receive_count), time_left)

    processor = BatchProcessor(event_type=EventType.SQS)
    return process_partial_response(event=event, record_handler=handle_record, processor=processor, context=context)
