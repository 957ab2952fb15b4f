"""The alert worker. On its 5-minute schedule it queues every agent with an enabled rule; from the
AlertsQueue it evaluates an agent's rules (``evaluate``) or tries a delivery (``deliver``). A
record that fails is reported alone and retried; after the queue's maxReceiveCount it moves to the
dead-letter queue. Both kinds are idempotent (state changes and deliveries are conditional)."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from grounded_core.alerts.evaluate import evaluate_agent, sweep
from grounded_core.observability import logger
from grounded_core.startup import entry_point
from grounded_core.store import keys


def handle_record(record: SQSRecord) -> None:
    message = json.loads(record.body)
    if message["kind"] == "evaluate":
        outcome: Any = evaluate_agent(str(message["orgId"]), str(message["agentId"]))
    elif message["kind"] == "deliver":
        # imported here: alerts fire rarely, evaluations every 5 minutes (~12 ms: urllib, signing)
        from grounded_core.alerts.deliver import deliver

        pk = keys.agent_partition(str(message["orgId"]), str(message["agentId"]))
        outcome = deliver(pk, str(message["key"]))
    else:
        raise ValueError(f"unknown alert message kind {message['kind']!r}")
    logger.info("alert work", extra={"kind": message["kind"], "outcome": outcome})


@entry_point
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> Any:
    if "Records" not in event:  # the schedule
        return {"queued": sweep()}
    processor = BatchProcessor(event_type=EventType.SQS)
    return process_partial_response(event=event, record_handler=handle_record, processor=processor, context=context)
