"""The core's AWS clients (grounded_core/aws.py): DynamoDB requests, all built by the store, go out
without botocore's check against the API model (DynamoDB checks them itself and refuses a
malformed one); every other client still refuses a malformed call before anything is sent. Runs in
a fresh interpreter, with nothing listening: each request is answered by a hook before it leaves."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.fresh_interpreter import run_fresh


def answer_every_request(client: Any, sent: list[str]) -> None:
    """Record each request the client sends and answer it ``{}`` without any network."""
    from botocore.awsrequest import AWSResponse

    class Raw:
        def stream(self, **_: Any) -> Any:
            yield b"{}"

    def send(request: Any, **_: Any) -> AWSResponse:
        sent.append(request.body.decode() if isinstance(request.body, bytes) else str(request.body))
        return AWSResponse(request.url, 200, {"Content-Type": "application/x-amz-json-1.0"}, Raw())

    client.meta.events.register("before-send", send)


def check() -> None:
    from botocore.exceptions import ParamValidationError

    from grounded_core import aws

    dynamodb, sqs = aws.client("dynamodb"), aws.client("sqs")
    sent: list[str] = []
    answer_every_request(dynamodb, sent)
    answer_every_request(sqs, sent)

    dynamodb.put_item(TableName="t", Item={"PK": {"S": 5}})  # the store never builds this: DynamoDB refuses it
    assert len(sent) == 1
    assert '"S": 5' in sent[0]

    with pytest.raises(ParamValidationError):
        sqs.send_message(MessageBody="no queue named")
    assert len(sent) == 1  # refused before anything was sent


def test_dynamodb_requests_go_unchecked_and_others_are_checked() -> None:
    run_fresh("tests.unit.test_aws_clients", AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="y")


if __name__ == "__main__":
    check()
