"""AWS clients, created lazily once per container and shared by every request.

Throttling and transient errors are retried by botocore's adaptive retry mode, so callers above
the store and the adapters never retry by hand.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from grounded_core.settings import get_settings

if TYPE_CHECKING:
    from botocore.config import Config


@cache
def _client_config() -> Config:
    from botocore.config import Config

    return Config(retries={"mode": "adaptive", "max_attempts": 8}, connect_timeout=5, read_timeout=30)


@cache
def client(service: str) -> Any:
    """A client for ``service`` in the configured region (one per container), from a botocore
    session of its own: boto3 would make the same client, after an import (s3transfer with it) of
    ~100 ms of every cold start."""
    from botocore.session import get_session

    return get_session().create_client(service, region_name=get_settings().region, config=_client_config())
