"""Connector credentials in Secrets Manager: one secret per connector, named from the stack's
prefix, the org and the connector. Values are written and read here only; nothing logs them."""

from __future__ import annotations

import json

from grounded_core import adapters
from grounded_core.settings import get_settings


def secret_name(org_id: str, connector_id: str) -> str:
    return f"{get_settings().connector_secret_prefix}{org_id}/{connector_id}"


def save(name: str, credentials: dict[str, str]) -> None:
    """Create the secret, or store a new version of it."""
    adapters.put_secret(name, json.dumps(credentials), "Grounded connector credentials")


def load(name: str) -> dict[str, str]:
    """The stored credentials; empty when there are none."""
    value = adapters.get_secret(name)
    return dict(json.loads(value)) if value else {}


def delete(name: str) -> None:
    adapters.delete_secret(name)
