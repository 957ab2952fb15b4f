"""AWS services other than DynamoDB (which is the store's): Secrets Manager, SQS, S3. Functions
and services call these; nobody else makes an AWS client.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from typing import Any

from grounded_core import aws
from grounded_core.settings import get_settings

SQS_BATCH = 10
#: SQS accepts 256 KiB per message and per SendMessageBatch; stay under it with room for attributes.
SQS_MAX_BYTES = 240_000


def _stack_secret(arn: str, variable: str) -> str:
    """A secret the template made, by the ARN its function's environment names."""
    if not arn:
        raise RuntimeError(f"{variable} is not set for this function")
    return str(aws.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])


@cache
def jwt_signing_key() -> str:
    """The JWT signing secret, fetched once per container."""
    return _stack_secret(get_settings().jwt_secret_arn, "JWT_SECRET_ARN")


@cache
def webhook_secret() -> str:
    """The secret alerts' webhook signing secrets are derived from, fetched once per container."""
    return _stack_secret(get_settings().webhook_secret_arn, "WEBHOOK_SECRET_ARN")


@cache
def cursor_secret() -> str:
    """The secret list cursors are sealed with, fetched once per container."""
    return _stack_secret(get_settings().cursor_secret_arn, "CURSOR_SECRET_ARN")


def send_messages(queue_url: str, bodies: Iterable[dict[str, Any]]) -> None:
    """Send JSON messages with as few SendMessageBatch calls as the limits allow (10 messages and
    256 KiB per call). A message SQS refuses raises: the caller must not report success."""
    batch: list[str] = []
    size = 0
    for body in bodies:
        text = json.dumps(body, separators=(",", ":"), default=str)
        if batch and (len(batch) == SQS_BATCH or size + len(text) > SQS_MAX_BYTES):
            _send_batch(queue_url, batch)
            batch, size = [], 0
        batch.append(text)
        size += len(text)
    if batch:
        _send_batch(queue_url, batch)


def send_message(queue_url: str, body: dict[str, Any], delay_seconds: int = 0) -> None:
    """One message, delivered after ``delay_seconds`` (at most 900, SQS's limit)."""
    aws.client("sqs").send_message(
        QueueUrl=queue_url,
        MessageBody=json.dumps(body, separators=(",", ":"), default=str),
        DelaySeconds=max(0, min(900, int(delay_seconds))),
    )


def _send_batch(queue_url: str, bodies: list[str]) -> None:
    entries = [{"Id": str(n), "MessageBody": body} for n, body in enumerate(bodies)]
    result = aws.client("sqs").send_message_batch(QueueUrl=queue_url, Entries=entries)
    failed = result.get("Failed") or []
    if failed:
        retry = [entries[int(f["Id"])] for f in failed if not f.get("SenderFault")]
        if len(retry) != len(failed):
            raise RuntimeError(f"SQS refused {len(failed) - len(retry)} messages: {failed}")
        again = aws.client("sqs").send_message_batch(QueueUrl=queue_url, Entries=retry)
        if again.get("Failed"):
            raise RuntimeError(f"SQS failed {len(again['Failed'])} messages twice")


def put_json(key: str, value: Any) -> None:
    aws.client("s3").put_object(
        Bucket=get_settings().bucket_name,
        Key=key,
        Body=json.dumps(value, separators=(",", ":"), default=str).encode(),
        ContentType="application/json",
    )


def get_json(key: str) -> Any:
    body = aws.client("s3").get_object(Bucket=get_settings().bucket_name, Key=key)["Body"].read()
    return json.loads(body)


def delete_objects(keys: list[str]) -> None:
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        aws.client("s3").delete_objects(
            Bucket=get_settings().bucket_name, Delete={"Objects": [{"Key": key} for key in chunk], "Quiet": True}
        )


def erase_prefix(prefix: str) -> int:
    """Every object under ``prefix`` for good: each version and delete marker of it (the bucket
    keeps old versions for a while to undo mistakes; an erasure must not). How many were removed."""
    client = aws.client("s3")
    bucket = get_settings().bucket_name
    removed = 0
    for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
        doomed = [
            {"Key": entry["Key"], "VersionId": entry["VersionId"]}
            for entry in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
        ]
        for start in range(0, len(doomed), 1000):
            client.delete_objects(Bucket=bucket, Delete={"Objects": doomed[start : start + 1000], "Quiet": True})
        removed += len(doomed)
    return removed


# ---------------------------------------------------------------- secrets (connector credentials)


def _missing(error: Exception) -> bool:
    return str(getattr(error, "response", {}).get("Error", {}).get("Code")) == "ResourceNotFoundException"


def put_secret(name: str, value: str, description: str) -> None:
    """Create the secret, or store a new version of it."""
    from botocore.exceptions import ClientError

    client = aws.client("secretsmanager")
    try:
        client.put_secret_value(SecretId=name, SecretString=value)
    except ClientError as error:
        if not _missing(error):
            raise
        client.create_secret(Name=name, SecretString=value, Description=description)


def get_secret(name: str) -> str | None:
    """The secret's value; ``None`` when there is no such secret."""
    from botocore.exceptions import ClientError

    try:
        return str(aws.client("secretsmanager").get_secret_value(SecretId=name)["SecretString"])
    except ClientError as error:
        if _missing(error):
            return None
        raise


def delete_secret(name: str) -> None:
    """Gone at once (no recovery window); deleting a missing secret is a no-op."""
    from botocore.exceptions import ClientError

    try:
        aws.client("secretsmanager").delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
    except ClientError as error:
        if not _missing(error):
            raise


# ---------------------------------------------------------------- Step Functions (eval runs)


def start_execution(state_machine_arn: str, name: str, execution_input: dict[str, Any]) -> str:
    """Start an execution; its ARN."""
    started = aws.client("stepfunctions").start_execution(
        stateMachineArn=state_machine_arn, name=name, input=json.dumps(execution_input)
    )
    return str(started["executionArn"])


def send_task_success(token: str) -> None:
    aws.client("stepfunctions").send_task_success(taskToken=token, output="{}")


def stop_execution(execution_arn: str, cause: str) -> None:
    aws.client("stepfunctions").stop_execution(executionArn=execution_arn, cause=cause)


def send_email(to: str, subject: str, text: str) -> None:
    """One plain-text email through Amazon SES, from the stack's sender address (``MAIL_FROM``).
    The local cloud's SES keeps it in its outbox (``GET /_local/outbox``)."""
    sender = get_settings().mail_from
    if not sender:
        raise RuntimeError("no sender address: set the template parameter SenderEmail")
    aws.client("sesv2").send_email(
        FromEmailAddress=sender,
        Destination={"ToAddresses": [to]},
        Content={"Simple": {"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}}},
    )
