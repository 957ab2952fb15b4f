"""The API's OpenAPI document, composed from every function's router (the functions the template
deploys), with the security the access table declares.

    python -m local.openapi          # write openapi.json (and the copy the docs function serves)
    python -m local.openapi --check  # exit 1 if either is out of date
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGETS = (ROOT / "openapi.json", ROOT / "functions" / "docs" / "openapi.json")


#: Every operation may answer these, always with the same error body.
ERRORS = {
    "400": "Malformed request (not JSON, a bad cursor)",
    "401": "No valid credential",
    "403": "The credential may not do this",
    "404": "Not found (or another org's)",
    "409": "Conflicts with the current state",
    "413": "Body too large",
    "422": "Not valid; details name each field",
    "429": "Rate limited; see Retry-After",
    "503": "Busy: more traffic than the table could take at that moment; try again after Retry-After",
}
#: API Gateway still answers these itself in some cases (a body over its limit, throttling); a
#: missing credential and an unknown route are ours (the authorizer runs uncached; ``$default``).
GATEWAY_ANSWERS = {"413", "429"}
#: Request bodies the routes validate item by item (so one bad item never sinks a batch): their
#: schemas are documented all the same.
REFERENCED_ONLY = [f"grounded_core.ingest.models.{name}" for name in ("TraceIn", "EventIn", "ItemResult")]
#: Where each path parameter's value comes from: (operation, status, JSON pointer in its body).
#: They become OpenAPI links, so stateful fuzzing (and any client generator) follows created ids.
PRODUCERS: dict[str, tuple[str, str, str]] = {
    "agent_id": ("POST /api/agents", "201", "/id"),
    "snapshot_id": ("POST /api/agents/{agent_id}/snapshots", "201", "/id"),
    "suite_id": ("POST /api/evals/suites", "201", "/id"),
    "run_id": ("POST /api/evals/runs", "201", "/id"),
    "other_run_id": ("POST /api/evals/runs", "201", "/id"),
    "connector_id": ("POST /api/connectors", "201", "/id"),
    "policy_id": ("POST /api/policies", "201", "/id"),
    "session_id": ("POST /api/sessions", "201", "/id"),
    "key_id": ("POST /api/keys", "201", "/id"),
    "invite_id": ("POST /api/invites", "201", "/id"),
    "token": ("POST /api/invites", "201", "/token"),
    "trace_id": ("POST /api/traces", "202", "/traceId"),
    "job_id": ("POST /api/connectors/{connector_id}/sync", "202", "/id"),
    "report_id": ("POST /api/agents/{agent_id}/drift", "200", "/id"),
}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "code"],
    "properties": {
        "error": {"type": "string"},
        "code": {"type": "string"},
        "details": {
            "type": "array",
            "items": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}},
        },
    },
}


def compose(template_path: Path = ROOT / "template.yaml") -> dict[str, Any]:
    from fastapi import FastAPI

    from grounded_core import __version__
    from grounded_core.http.access import ROUTE_ACCESS
    from local.template import load_template

    app = FastAPI(
        title="Grounded API",
        version=__version__,
        description="See what your AI agents do, and know when a new version is worse.",
    )
    seen: set[str] = set()
    for source in sorted(load_template(template_path).functions().values(), key=lambda s: s.logical_id):
        router = getattr(importlib.import_module(source.module), "router", None)
        if router is not None and source.module not in seen:
            seen.add(source.module)
            app.include_router(router)
    document = app.openapi()
    _add_schemas(document, REFERENCED_ONLY)
    document["components"]["schemas"]["Error"] = ERROR_SCHEMA
    document["components"]["schemas"]["GatewayError"] = {
        "type": "object",
        "required": ["message"],
        "properties": {"message": {"type": "string"}},
        "description": "API Gateway's own answer: no Authorization header (401), no such route (404), throttled (429)",
    }
    document["components"]["schemas"].pop("HTTPValidationError", None)
    document["components"]["schemas"].pop("ValidationError", None)
    document["components"]["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "description": "An API key (sk_…, pk_…) or a user token"}
    }
    _add_links(document)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status, meaning in ERRORS.items():
                body: dict[str, Any] = {"$ref": "#/components/schemas/Error"}
                if status in GATEWAY_ANSWERS:  # API Gateway answers these itself in some cases
                    body = {"anyOf": [body, {"$ref": "#/components/schemas/GatewayError"}]}
                responses[status] = {"description": meaning, "content": {"application/json": {"schema": body}}}
            rule = ROUTE_ACCESS.get(f"{method.upper()} {path}")
            if rule is not None and not rule.public:
                operation["security"] = [{"bearer": []}]
                if rule.scope:
                    operation["description"] = (operation.get("description", "") + f"\n\nNeeds `{rule.scope}`.").strip()
    return document


def _add_schemas(document: dict[str, Any], models: list[str]) -> None:
    """Models the routes check themselves (one batch item at a time) and name only by ``$ref``."""
    import importlib

    schemas = document["components"]["schemas"]
    for path in models:
        module, name = path.rsplit(".", 1)
        model = getattr(importlib.import_module(module), name)
        schema = model.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[name] = schema


def _add_links(document: dict[str, Any]) -> None:
    """An OpenAPI link from each producer of an id to every operation that takes it in its path."""
    import re

    operations = {
        f"{method.upper()} {path}": operation
        for path, by_method in document["paths"].items()
        for method, operation in by_method.items()
    }
    for key, operation in sorted(operations.items()):
        path = key.split(" ", 1)[1]
        for parameter in re.findall(r"\{(\w+)\}", path):
            producer = PRODUCERS.get(parameter)
            if producer is None or producer[0] not in operations:
                continue
            source, status, pointer = producer
            response = operations[source].setdefault("responses", {}).setdefault(status, {"description": "Created"})
            name = f"{parameter}_to_{operation['operationId']}"
            response.setdefault("links", {})[name] = {
                "operationId": operation["operationId"],
                "parameters": {parameter: f"$response.body#{pointer}"},
            }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = render(compose())
    stale = [target for target in TARGETS if not target.exists() or target.read_text() != text]
    if args.check:
        for target in stale:
            print(f"{target.relative_to(ROOT)} is out of date: run python -m local.openapi", file=sys.stderr)
        return 1 if stale else 0
    for target in TARGETS:
        target.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
