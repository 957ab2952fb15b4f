"""SQS event source mappings, run as Lambda's pollers run them: receive up to ``BatchSize``
messages (waiting up to ``MaximumBatchingWindowInSeconds`` to fill a batch), invoke the function
with one SQS event, then delete what succeeded. With ``ReportBatchItemFailures`` only the records
the handler names stay; if the handler raises, the whole batch stays. Records that stay become
visible again and are received again; after the queue's ``maxReceiveCount`` receives, the emulator's
SQS moves them to the dead-letter queue, as AWS does.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from local.runtime import FunctionFailed
from local.workarounds import SqsEventSource

log = logging.getLogger("grounded.local")

SQS_MAX_RECEIVE = 10
#: poll again this soon while busy; when idle, long-poll up to this long (a sent message, or one
#: becoming visible again, ends the wait at once)
IDLE_WAIT_SECONDS = (0.02, 1.0)


@dataclass(frozen=True)
class Queue:
    url: str
    arn: str

    @property
    def name(self) -> str:
        return self.arn.rsplit(":", 1)[1]


def sqs_record(message: dict[str, Any], queue: Queue, region: str) -> dict[str, Any]:
    """An SQS message as Lambda's poller hands it to the function."""
    attributes = message.get("MessageAttributes", {})
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {
            name: {
                "stringValue": value.get("StringValue"),
                "binaryValue": value.get("BinaryValue"),
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": value["DataType"],
            }
            for name, value in attributes.items()
        },
        "md5OfBody": message.get("MD5OfBody"),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue.arn,
        "awsRegion": region,
    }


def failed_message_ids(response: Any, message_ids: list[str]) -> list[str] | None:
    """Which records the handler reported as failed, or ``None`` if the whole batch failed.

    Lambda treats a malformed report (an identifier it did not send, or an empty one) as a failure
    of the whole batch.
    """
    if not isinstance(response, dict) or not response.get("batchItemFailures"):
        return []
    failed = [item.get("itemIdentifier") for item in response["batchItemFailures"] if isinstance(item, dict)]
    if len(failed) != len(response["batchItemFailures"]) or not all(item in message_ids for item in failed):
        return None
    return [str(item) for item in failed]


class SqsPoller:
    """One mapping's pollers: ``concurrency`` threads, each handling one batch at a time."""

    def __init__(
        self,
        source: SqsEventSource,
        queue: Queue,
        sqs: Any,
        invoke: Callable[[str, Any], Any],
        region: str,
        retry_delay_seconds: int,
        concurrency: int,
        wait_for_messages: Callable[[float], None],
    ):
        self.source = source
        self.queue = queue
        self._sqs = sqs
        self._invoke = invoke
        self._region = region
        self._retry_delay = retry_delay_seconds
        self._stop = threading.Event()
        self._wait_for_messages = wait_for_messages
        self._busy = 0
        self._busy_lock = threading.Lock()
        count = min(concurrency, source.maximum_concurrency or concurrency)
        self._threads = [
            threading.Thread(target=self._run, name=f"sqs-poller-{source.logical_id}-{n}", daemon=True)
            for n in range(count)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self.stopping()
        for thread in self._threads:
            thread.join(timeout=5)

    def stopping(self) -> None:
        """Ask the threads to stop (each ends within a long poll); :meth:`stop` waits for them."""
        self._stop.set()

    @property
    def busy(self) -> bool:
        return self._busy > 0

    def _run(self) -> None:
        idle = IDLE_WAIT_SECONDS[0]
        while not self._stop.is_set():
            try:
                handled = self.poll_once()
            except Exception:  # the emulator going away at shutdown, or a bug: keep polling
                handled = False
            idle = IDLE_WAIT_SECONDS[0] if handled else min(idle * 2, IDLE_WAIT_SECONDS[1])
            if handled:
                self._stop.wait(idle)
            else:
                self._wait(idle)

    def _wait(self, seconds: float) -> None:
        """Until there may be a message to receive, at most ``seconds``: a long poll, back as soon
        as one is sent or becomes visible again. At least ``IDLE_WAIT_SECONDS[0]``, so a message
        visible but not handed out cannot make it spin."""
        pause = min(seconds, IDLE_WAIT_SECONDS[0])
        if self._stop.wait(pause) or seconds <= pause:
            return
        try:
            self._wait_for_messages(seconds - pause)
        except Exception:  # the queue gone (shutdown), or the emulator changed: wait without it
            log.debug("long poll of %s failed; waiting instead", self.queue.name, exc_info=True)
            self._stop.wait(seconds - pause)

    def _receive_batch(self) -> list[dict[str, Any]]:
        """Up to ``BatchSize`` messages; once the first arrives, wait at most the batching window."""
        messages: list[dict[str, Any]] = []
        deadline = 0.0
        while True:
            received = self._sqs.receive_message(
                QueueUrl=self.queue.url,
                MaxNumberOfMessages=min(SQS_MAX_RECEIVE, self.source.batch_size - len(messages)),
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
                WaitTimeSeconds=0,
            ).get("Messages", [])
            if received and not messages:
                deadline = time.monotonic() + self.source.batching_window_seconds
            messages.extend(received)
            if not messages or len(messages) >= self.source.batch_size or time.monotonic() >= deadline:
                return messages
            if not received:
                self._wait(deadline - time.monotonic())

    def poll_once(self) -> bool:
        """Receive one batch and hand it to the function; ``False`` when the queue was empty."""
        with self._busy_lock:
            self._busy += 1
        try:
            messages = self._receive_batch()
            if not messages:
                return False
            self._deliver(messages)
            return True
        finally:
            with self._busy_lock:
                self._busy -= 1

    def _deliver(self, messages: list[dict[str, Any]]) -> None:
        event = {"Records": [sqs_record(message, self.queue, self._region) for message in messages]}
        ids = [message["MessageId"] for message in messages]
        try:
            response = self._invoke(self.source.function_id, event)
            failed = failed_message_ids(response, ids) if self.source.report_batch_item_failures else []
        except FunctionFailed as failure:
            log.warning("%s failed a batch of %d; it will be retried: %s", self.source.function_id, len(ids), failure)
            failed = None
        failed_ids = set(ids if failed is None else failed)
        self._delete([message for message in messages if message["MessageId"] not in failed_ids])
        self._retry_later([message for message in messages if message["MessageId"] in failed_ids])

    def _delete(self, messages: list[dict[str, Any]]) -> None:
        for start in range(0, len(messages), SQS_MAX_RECEIVE):
            chunk = messages[start : start + SQS_MAX_RECEIVE]
            self._sqs.delete_message_batch(
                QueueUrl=self.queue.url,
                Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(chunk)],
            )

    def _retry_later(self, messages: list[dict[str, Any]]) -> None:
        """Failed records come back after the visibility timeout. The local cloud shortens the wait
        to ``retry_delay_seconds`` so a retry takes a second, not the queue's minutes.
        """
        for start in range(0, len(messages), SQS_MAX_RECEIVE):
            chunk = messages[start : start + SQS_MAX_RECEIVE]
            self._sqs.change_message_visibility_batch(
                QueueUrl=self.queue.url,
                Entries=[
                    {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": self._retry_delay}
                    for n, m in enumerate(chunk)
                ],
            )
