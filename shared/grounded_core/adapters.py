"""AWS services other than DynamoDB (which is the store's): Secrets Manager, SQS, S3, Step
Functions. Functions and services call these; nobody else calls boto3.
"""

from __future__ import annotations

from functools import cache

from grounded_core import aws
from grounded_core.settings import get_settings


@cache
def jwt_signing_key() -> str:
    """The JWT signing secret, fetched once per container."""
    arn = get_settings().jwt_secret_arn
    if not arn:
        raise RuntimeError("JWT_SECRET_ARN is not set for this function")
    return str(aws.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])
