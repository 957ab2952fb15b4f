"""The in-process AWS emulator (moto), configured as the local cloud needs it."""

from __future__ import annotations

import os
from typing import Any

ACCOUNT_ID = "123456789012"

#: Step Functions executions really run (moto's ASL interpreter); Lambda never needs Docker.
EMULATOR_CONFIG = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}

#: Process environment for talking to the emulator. No real credentials are ever used or needed;
#: an AWS_ENDPOINT_URL or profile from the developer's shell must not send calls elsewhere.
EMULATOR_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
    "MOTO_ALLOW_NONEXISTENT_REGION": "false",
    # No X-Ray daemon runs locally; Powertools' Tracer becomes a no-op instead of failing to send.
    "POWERTOOLS_TRACE_DISABLED": "true",
}
_CLEARED = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")


def start_emulator(region: str) -> Any:
    """Start moto in this process; every boto3 client made afterwards talks to it."""
    for name in _CLEARED:
        os.environ.pop(name, None)
    os.environ.update(EMULATOR_ENVIRONMENT)
    os.environ["AWS_DEFAULT_REGION"] = region
    os.environ["AWS_REGION"] = region
    from moto import mock_aws

    mock = mock_aws(config=EMULATOR_CONFIG)  # type: ignore[call-overload]
    mock.start()
    return mock
