"""AWS clients, created lazily once per container and shared by every request.

Throttling and transient errors are retried by botocore's adaptive retry mode, so callers above
the store and the adapters never retry by hand.

DynamoDB requests are not checked against the API model before they are sent: the store writes
every one of them (``store/typed.py`` makes their typed JSON), DynamoDB refuses a malformed one
all the same (a ``ValidationException``, nothing written), and the check cost more than the
request's serialization (1.6 ms of CPU for a 25-item ``BatchWriteItem``, ~3.6 % of the local
cloud's interpreter under ``bench/load.py``). Every other client keeps botocore's check.

Every client comes from one botocore session per container, whose loader is told which services
the core calls instead of listing botocore's ~450 service directories to check that one exists
(twice a session: ~20 ms of a cold start), and reads botocore's endpoint data for those services
alone (``aws_endpoints.json``, ~34 KB, made from botocore's 1.2 MB by ``local/aws_endpoints.py``:
~20 ms more), measured in fresh Python 3.13 processes.
"""

from __future__ import annotations

import json
import os
import threading
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grounded_core.settings import get_settings

if TYPE_CHECKING:
    from botocore.config import Config
    from botocore.session import Session

#: every service the core makes a client for (``client(name)``): a client of another one is refused
#: by botocore (``UnknownServiceError``, naming these) until it is added here
SERVICES = frozenset({"dynamodb", "s3", "secretsmanager", "sesv2", "sqs", "stepfunctions"})
#: botocore's endpoint data with only the partitions' :data:`SERVICES` (``local/aws_endpoints.py``)
ENDPOINTS_FILE = Path(__file__).with_name("aws_endpoints.json")


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


def _own_endpoints() -> dict[str, Any] | None:
    """:data:`ENDPOINTS_FILE`'s endpoint data, if it was made from the botocore installed: with any
    other version (an upgrade not followed by ``make aws-endpoints``), ``None``."""
    import botocore

    made = json.loads(ENDPOINTS_FILE.read_text())
    return made["endpoints"] if made["botocoreVersion"] == botocore.__version__ else None  # type: ignore[no-any-return]


@cache
def _session() -> Session:
    """The container's botocore session, with a loader that knows :data:`SERVICES` and reads their
    endpoint data alone. That data is botocore's own, so botocore is told it comes from its data
    directory, as it would be: endpoint data from anywhere else would be taken for a custom
    endpoint and change how every request's endpoint is resolved."""
    from botocore.loaders import Loader
    from botocore.session import Session

    class KnownServices(Loader):  # type: ignore[misc]  # botocore has no type hints
        def list_available_services(self, type_name: str) -> list[str]:
            return sorted(SERVICES)

        def load_data_with_path(self, name: str) -> tuple[dict[str, Any], str]:
            if name == "endpoints" and (endpoints := _own_endpoints()) is not None:
                return endpoints, os.path.join(self.BUILTIN_DATA_PATH, "endpoints.json")
            return super().load_data_with_path(name)  # type: ignore[no-any-return]

    session = Session()
    session.register_component("data_loader", KnownServices())
    return session


#: a botocore session makes one client at a time (the local cloud's functions share a process)
_making = threading.Lock()


@cache
def client(service: str) -> Any:
    """A client for ``service`` in the configured region (one per container), from botocore alone:
    boto3 would make the same client, after an import (s3transfer with it) of ~100 ms of every
    cold start."""
    with _making:
        return _session().create_client(service, region_name=get_settings().region, config=_client_config(service))
