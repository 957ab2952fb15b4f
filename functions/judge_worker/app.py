"""The judge worker (SQS JudgeQueue): online evaluators score sampled production traces with an LLM
judge. A record that fails is reported alone (partial batch response) and retried; after the
queue's maxReceiveCount it moves to the dead-letter queue. A trace is judged once per evaluator."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from grounded_core.judges.worker import judge_trace
from grounded_core.observability import logger
from grounded_core.startup import entry_point


def handle_record(record: SQSRecord) -> None:
    outcome = judge_trace(json.loads(record.body))
    logger.info("sampled trace", extra={"outcome": outcome})


@entry_point
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> Any:
    processor = BatchProcessor(event_type=EventType.SQS)
    return process_partial_response(event=event, record_handler=handle_record, processor=processor, context=context)
