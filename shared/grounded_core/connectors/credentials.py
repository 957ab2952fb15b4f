"""Connector credentials in Secrets Manager: one secret per connector, named from the stack's
prefix, the org and the connector. Values are written and read here only; nothing logs them."""

from __future__ import annotations

import json

from grounded_core import aws
from grounded_core.settings import get_settings


def secret_name(org_id: str, connector_id: str) -> str:
    return f"{get_settings().connector_secret_prefix}{org_id}/{connector_id}"


def save(name: str, credentials: dict[str, str]) -> None:
    """Create the secret, or store a new version of it."""
    from botocore.exceptions import ClientError

    client = aws.client("secretsmanager")
    value = json.dumps(credentials)
    try:
        client.put_secret_value(SecretId=name, SecretString=value)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
        client.create_secret(Name=name, SecretString=value, Description="Grounded connector credentials")


def load(name: str) -> dict[str, str]:
    """The stored credentials; empty when there are none."""
    from botocore.exceptions import ClientError

    try:
        value = aws.client("secretsmanager").get_secret_value(SecretId=name)["SecretString"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return {}
        raise
    return dict(json.loads(value))


def delete(name: str) -> None:
    from botocore.exceptions import ClientError

    try:
        aws.client("secretsmanager").delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
