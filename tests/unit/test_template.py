"""What the local cloud reads from the real template.yaml, and how it adapts it for the emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from local.template import load_template, package, translate
from local.workarounds import adapt_for_emulator

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "cloud" / "template.yaml"


@pytest.fixture(autouse=True)
def region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def test_functions_load_from_their_code_folder_and_layers() -> None:
    functions = load_template(ROOT / "template.yaml").functions()
    health = functions["HealthFunction"]
    assert health.code_dir == ROOT / "functions"
    assert (health.module, health.attribute) == ("health.app", "handler")
    assert ROOT / "shared" in health.layer_dirs


def test_routes_take_the_default_authorizer_unless_they_opt_out() -> None:
    template = load_template(FIXTURE)
    routes = {route.route_key: route for route in template.http_routes()}
    assert routes["GET /public/ping"].authorizer is None
    assert routes["PUT /items/{itemId}"].authorizer == "FixtureAuthorizer"
    authorizer = template.authorizers()["FixtureAuthorizer"]
    assert (authorizer.function_id, authorizer.identity_headers, authorizer.cache_ttl_seconds) == (
        "AuthorizerFunction",
        ("authorization",),
        0,
    )


def test_the_emulator_gets_no_http_api_or_event_source_mapping_and_real_substitutions() -> None:
    template = load_template(FIXTURE)
    cfn = translate(package(template, lambda folder: f"s3://bucket/{folder.name}.zip"), "us-east-1", "123456789012")

    adapted, sources, streams = adapt_for_emulator(cfn)

    kinds = {resource["Type"] for resource in adapted["Resources"].values()}
    assert not any(kind.startswith("AWS::ApiGatewayV2") for kind in kinds)
    assert "AWS::Lambda::EventSourceMapping" not in kinds
    [source] = sources
    assert streams == []
    assert (source.function_id, source.queue_id, source.batch_size, source.report_batch_item_failures) == (
        "WorkerFunction",
        "WorkQueue",
        10,
        True,
    )
    definition = adapted["Resources"]["Pipeline"]["Properties"]["DefinitionString"]
    assert "Fn::Sub" in definition
    assert "${StepFunctionArn}" in definition["Fn::Sub"][0]
    assert json.loads(definition["Fn::Sub"][0])["StartAt"] == "Write"


def test_the_sync_worker_knows_the_sync_queues_last_delivery() -> None:
    from grounded_core.connectors.worker import MAX_RECEIVES

    resources = load_template(ROOT / "template.yaml").document["Resources"]
    assert resources["SyncQueue"]["Properties"]["RedrivePolicy"]["maxReceiveCount"] == MAX_RECEIVES
    assert resources["SyncFunction"]["Properties"]["Events"]["Sync"]["Properties"]["BatchSize"] == 1
