"""AWS clients, created lazily once per container and shared by every request.

Throttling and transient errors are retried by botocore's adaptive retry mode, so callers above
the store and the adapters never retry by hand.

DynamoDB requests are not checked against the API model before they are sent: the store writes
every one of them (``store/typed.py`` makes their typed JSON), DynamoDB refuses a malformed one
all the same (a ``ValidationException``, nothing written), and the check cost more than the
request's serialization (1.6 ms of CPU for a 25-item ``BatchWriteItem``, ~3.6 % of the local
cloud's interpreter under ``bench/load.py``). Every other client keeps botocore's check.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from grounded_core.settings import get_settings

if TYPE_CHECKING:
    from botocore.config import Config


#: services whose every request the core's own code builds and the service itself validates
UNCHECKED_SERVICES = frozenset({"dynamodb"})


@cache
def _client_config(service: str) -> Config:
    from botocore.config import Config

    return Config(
        retries={"mode": "adaptive", "max_attempts": 8},
        connect_timeout=5,
        read_timeout=30,
        parameter_validation=service not in UNCHECKED_SERVICES,
    )


@cache
def client(service: str) -> Any:
    """A client for ``service`` in the configured region (one per container), from a botocore
    session of its own: boto3 would make the same client, after an import (s3transfer with it) of
    ~100 ms of every cold start."""
    from botocore.session import get_session

    return get_session().create_client(service, region_name=get_settings().region, config=_client_config(service))
