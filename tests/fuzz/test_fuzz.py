"""Fuzzing the API from its OpenAPI document (schemathesis), authenticated, on the local cloud:
no 5xx, no response that breaks its documented schema, no hang. Bounded for CI (a few examples per
operation); ``FUZZ_EXAMPLES`` raises it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.identity import create_agent, create_key, sign_up

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
schema = schemathesis.openapi.from_path(str(ROOT / "openapi.json"))
#: no 5xx, only documented statuses and bodies that match their schemas (a 30 s timeout: no hang)
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]


@pytest.fixture(scope="module")
def fuzz_headers(api: httpx.Client) -> dict[str, str]:
    from grounded_core.identity.principal import ALL_SCOPES

    owner = sign_up(api)
    create_agent(api, owner.headers, name="fuzzed")
    return {"Authorization": f"Bearer {create_key(api, owner, name='fuzz', scopes=sorted(ALL_SCOPES))['key']}"}


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors_and_responses_match_the_schema(case: Any, cloud: Any, fuzz_headers: dict[str, str]) -> None:
    case.call_and_validate(base_url=cloud.url, headers=fuzz_headers, timeout=30, checks=CHECKS)
