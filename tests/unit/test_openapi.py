"""The committed OpenAPI document is the one the routers compose (``python -m local.openapi``)."""

from __future__ import annotations

import json

from local.openapi import TARGETS, compose, render


def test_the_committed_openapi_document_is_up_to_date() -> None:
    text = render(compose())
    for target in TARGETS:
        assert target.read_text() == text, f"{target.name} is stale: run `make openapi`"


def test_it_covers_every_route_with_schemas_and_security() -> None:
    document = json.loads(render(compose()))
    operations = {f"{m.upper()} {p}": op for p, ops in document["paths"].items() for m, op in ops.items()}
    assert len(operations) >= 80
    assert "security" not in operations["POST /api/auth/signup"]
    assert operations["POST /api/traces/batch"]["security"] == [{"bearer": []}]
    create_run = operations["POST /api/evals/runs"]
    assert create_run["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/RunCreate")
    assert "201" in create_run["responses"]
