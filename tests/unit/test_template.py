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


def _branches(value: object) -> tuple[object, object]:
    """``value``, an ``Fn::If`` on ``ProvisionedTable``: what it is on-demand, and provisioned."""
    assert isinstance(value, dict)
    condition, provisioned, on_demand = value["Fn::If"]
    assert condition == "ProvisionedTable"
    return on_demand, provisioned


def test_the_table_is_on_demand_unless_provisioned_capacity_is_asked_for() -> None:
    document = load_template(ROOT / "template.yaml").document
    assert document["Parameters"]["TableCapacity"]["Default"] == "on-demand"
    assert document["Conditions"]["ProvisionedTable"] == {"Fn::Equals": [{"Ref": "TableCapacity"}, "provisioned"]}
    table = document["Resources"]["Table"]["Properties"]
    assert _branches(table["BillingMode"]) == ("PAY_PER_REQUEST", "PROVISIONED")
    for throughput in [
        table["ProvisionedThroughput"],
        *(i["ProvisionedThroughput"] for i in table["GlobalSecondaryIndexes"]),
    ]:
        assert _branches(throughput) == ({"Ref": "AWS::NoValue"}, {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})


def test_provisioned_capacity_scales_the_table_and_every_index_for_reads_and_writes() -> None:
    document = load_template(ROOT / "template.yaml").document
    resources = document["Resources"]
    targets = {
        logical_id: resource
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::ApplicationAutoScaling::ScalableTarget"
    }
    scaled = set()
    for logical_id, target in targets.items():
        assert target["Condition"] == "ProvisionedTable"
        properties = target["Properties"]
        dimension = properties["ScalableDimension"]
        kind = "Write" if dimension.endswith(":WriteCapacityUnits") else "Read"
        assert properties["MaxCapacity"] == {"Ref": f"TableMax{kind}Capacity"}
        assert properties["MinCapacity"] == 5  # the table's and indexes' ProvisionedThroughput
        [policy] = [
            resource["Properties"]
            for resource in resources.values()
            if resource["Type"] == "AWS::ApplicationAutoScaling::ScalingPolicy"
            and resource["Properties"]["ScalingTargetId"] == {"Ref": logical_id}
        ]
        tracking = policy["TargetTrackingScalingPolicyConfiguration"]
        assert tracking["PredefinedMetricSpecification"]["PredefinedMetricType"] == f"DynamoDB{kind}CapacityUtilization"
        assert tracking["TargetValue"] == {"Ref": "TableTargetUtilization"}
        resource_id = properties["ResourceId"]["Fn::Sub"]
        on_index = resource_id.startswith("table/${Table}/index/")
        assert dimension == f"dynamodb:{'index' if on_index else 'table'}:{kind}CapacityUnits"
        scaled.add((resource_id, kind))
    indexes = [index["IndexName"] for index in resources["Table"]["Properties"]["GlobalSecondaryIndexes"]]
    places = ["table/${Table}", *(f"table/${{Table}}/index/{name}" for name in indexes)]
    assert scaled == {(place, kind) for place in places for kind in ("Read", "Write")}
