"""The SDK's response models are checked against ``openapi.json`` (issue 14): every field an SDK
model reads is one the server documents for that response, so a field cannot drift again (the
timeline's ``timestamp`` once did)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import BaseModel

from grounded import models

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = json.loads((ROOT / "openapi.json").read_text())["components"]["schemas"]
#: SDK model -> the server's response schema it reads
SERVER_NAME = {
    "Agent": "Agent",
    "Snapshot": "Snapshot",
    "Accepted": "Accepted",
    "Trace": "TraceView",
    "Session": "SessionView",
    "TimelineEntry": "TimelineEntry",
    "Turn": "Turn",
    "Job": "Job",
    "Connector": "Connector",
    "ConnectResult": "ConnectResult",
    "Suite": "Suite",
    "Case": "Case",
    "Template": "Template",
    "Run": "Run",
    "Result": "Result",
    "SubmitAnswer": "SubmitAnswer",
    "Comparison": "Comparison",
    "DriftReport": "DriftReport",
    "Overview": "Overview",
    "Price": "PriceEntry",
    "Policy": "Policy",
    "Score": "Score",
    "Provider": "Provider",
    "Evaluator": "Evaluator",
    "Alert": "AlertCreated",  # also what a read shows, less the signing secret
    "Delivery": "Delivery",
    "ApiKey": "KeyCreated",  # also what a list shows, less the plaintext key
    "Insight": "Insight",
    "AuthSession": "Session",
    "Org": "Org",
    "ItemResult": "ItemResult",
    "BatchResult": "BatchAnswer",
}
#: SDK models with no server schema (none left)
NOT_A_SCHEMA: set[str] = set()


def sdk_models() -> list[type[models.Model]]:
    found = [
        value
        for value in vars(models).values()
        if isinstance(value, type) and issubclass(value, models.Model) and value is not models.Model
    ]
    return sorted(found, key=lambda model: model.__name__)


def test_every_sdk_model_is_paired_with_a_server_schema() -> None:
    names = {model.__name__ for model in sdk_models()}
    assert names - NOT_A_SCHEMA == set(SERVER_NAME)


@pytest.mark.parametrize("model", [m for m in sdk_models() if m.__name__ in SERVER_NAME], ids=lambda m: m.__name__)
def test_every_field_the_sdk_reads_is_one_the_server_sends(model: type[BaseModel]) -> None:
    schema = SCHEMAS[SERVER_NAME[model.__name__]]
    documented = set(schema.get("properties", {}))
    read = {field.alias or name for name, field in model.model_fields.items()}
    assert read - documented == set(), f"{model.__name__} reads fields {SERVER_NAME[model.__name__]} does not send"
