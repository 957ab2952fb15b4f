"""Fuzzing the API from its OpenAPI document (schemathesis) on the local cloud, twice: as a secret
key with every scope, and as a user token (OWNER), so the org-wide routes are fuzzed too. The
examples, coverage and fuzzing phases run per operation; the stateful phase follows the document's
links through created ids into the core. Checks: no 5xx, only documented statuses, bodies that
match their schemas, no hang — and afterwards every list route of each fuzzed org still answers.

CI runs a few examples per operation; ``make fuzz`` runs ``FUZZ_EXAMPLES=25`` (and more stateful
steps) — ``FUZZ_EXAMPLES`` / ``FUZZ_STEPS`` set them.
"""

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

from tests.support.identity import create_agent, create_key, create_snapshot, sign_up

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
STEPS = int(os.environ.get("FUZZ_STEPS", "10"))
SCENARIOS = int(os.environ.get("FUZZ_SCENARIOS", str(max(5, EXAMPLES))))
schema = schemathesis.openapi.from_path(str(ROOT / "openapi.json"))
#: no 5xx, only documented statuses and bodies that match their schemas (a 30 s timeout: no hang)
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]
IDENTITIES = ["secret_key", "owner"]


@pytest.fixture(scope="module")
def identities(api: httpx.Client) -> dict[str, dict[str, str]]:
    """One org per identity, each with an agent (and a snapshot) for the fuzzer to find."""
    from grounded_core.identity.principal import ALL_SCOPES

    made = {}
    for identity in IDENTITIES:
        owner = sign_up(api)
        agent = create_agent(api, owner.headers, name="fuzzed")
        create_snapshot(api, owner.headers, agent["id"])
        key = create_key(api, owner, name="fuzz", scopes=sorted(ALL_SCOPES))["key"]
        made[identity] = owner.headers if identity == "owner" else {"Authorization": f"Bearer {key}"}
    return made


@pytest.fixture(params=IDENTITIES)
def fuzz_headers(request: pytest.FixtureRequest, identities: dict[str, dict[str, str]]) -> dict[str, str]:
    return identities[request.param]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors_and_responses_match_the_schema(case: Any, cloud: Any, fuzz_headers: dict[str, str]) -> None:
    case.call_and_validate(base_url=cloud.url, headers=fuzz_headers, timeout=30, checks=CHECKS)


@pytest.mark.parametrize("identity", IDENTITIES)
def test_call_sequences_that_follow_created_ids(
    cloud: Any, identities: dict[str, dict[str, str]], identity: str
) -> None:
    headers = identities[identity]

    class Scenarios(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"base_url": cloud.url, "headers": headers, "timeout": 30}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    Scenarios.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
    )


#: every GET without a path parameter: the lists, the overview, the org, the caller
LIST_ROUTES = sorted(
    path for path, operations in schema.raw_schema["paths"].items() if "{" not in path and "get" in operations
)


@pytest.mark.parametrize("identity", IDENTITIES)
def test_after_fuzzing_every_list_of_the_fuzzed_org_still_answers(
    api: httpx.Client, identities: dict[str, dict[str, str]], identity: str
) -> None:
    assert len(LIST_ROUTES) >= 15
    broken = {}
    for path in LIST_ROUTES:
        response = api.get(path, headers=identities[identity])
        if response.status_code != 200:
            broken[path] = (response.status_code, response.text[:200])
    assert broken == {}
