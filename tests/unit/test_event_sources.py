"""How the local SQS poller reads a handler's partial batch response."""

from __future__ import annotations

from local.event_sources import Queue, failed_message_ids, sqs_record

IDS = ["m1", "m2", "m3"]


def test_no_report_means_every_record_succeeded() -> None:
    assert failed_message_ids(None, IDS) == []
    assert failed_message_ids({"batchItemFailures": []}, IDS) == []


def test_reported_records_are_the_only_failures() -> None:
    assert failed_message_ids({"batchItemFailures": [{"itemIdentifier": "m2"}]}, IDS) == ["m2"]


def test_a_malformed_report_fails_the_whole_batch() -> None:
    assert failed_message_ids({"batchItemFailures": [{"itemIdentifier": "other"}]}, IDS) is None
    assert failed_message_ids({"batchItemFailures": [{"itemIdentifier": ""}]}, IDS) is None
    assert failed_message_ids({"batchItemFailures": ["m1"]}, IDS) is None


def test_records_look_like_lambdas() -> None:
    message = {
        "MessageId": "m1",
        "ReceiptHandle": "rh",
        "Body": "{}",
        "Attributes": {"ApproximateReceiveCount": "1"},
        "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "trace"}},
        "MD5OfBody": "x",
    }
    record = sqs_record(message, Queue("url", "arn:aws:sqs:us-east-1:1:q"), "us-east-1")
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == "arn:aws:sqs:us-east-1:1:q"
    assert record["messageAttributes"]["kind"]["stringValue"] == "trace"
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
