"""The local cloud itself, run as `make dev` runs it, on a small template that uses every kind of
invocation: HTTP routes behind a Lambda authorizer, an SQS event source mapping with partial batch
failures and a DLQ, a state machine with a Lambda task, and a schedule.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.cloud_process import ROOT, cloud_process
from tests.support.waiting import wait_until

FIXTURE = ROOT / "tests" / "fixtures" / "cloud" / "template.yaml"
AUTH = {"Authorization": "Bearer letmein"}


@pytest.fixture(scope="module")
def fixture_api() -> Iterator[httpx.Client]:
    with cloud_process(FIXTURE, "--no-schedules", "--no-demo") as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


def item(client: httpx.Client, item_id: str) -> dict[str, Any] | None:
    response = client.get(f"/items/{item_id}", headers=AUTH)
    return response.json() if response.status_code == 200 else None


def queue_depths(client: httpx.Client) -> dict[str, int]:
    return client.get("/_local/status").json()["queues"]


def test_front_door_runs_a_handler_that_writes_to_dynamodb_and_reads_it_back(fixture_api: httpx.Client) -> None:
    # When an authorized client writes an item through an HTTP route
    written = fixture_api.put("/items/apple", json={"value": "red"}, headers=AUTH)

    # Then the handler stored it, saw the authorizer's context, and another route reads it back
    assert written.status_code == 201
    assert written.json() == {"id": "apple", "value": "red", "by": "tester"}
    assert item(fixture_api, "apple") == {"PK": "apple", "value": "red"}


def test_authorizer_guards_routes_like_api_gateway(fixture_api: httpx.Client) -> None:
    # Without the identity header API Gateway answers 401 without calling the authorizer
    assert fixture_api.get("/items/apple").status_code == 401
    # With a header the authorizer refuses: 403
    refused = fixture_api.get("/items/apple", headers={"Authorization": "Bearer wrong"})
    assert refused.status_code == 403
    assert refused.json() == {"message": "Forbidden"}
    # A route marked Authorizer: NONE needs nothing
    assert fixture_api.get("/public/ping").json() == {"pong": True}


def test_unknown_routes_and_domain_errors_are_json(fixture_api: httpx.Client) -> None:
    assert fixture_api.get("/nothing/here").status_code == 404
    missing = fixture_api.get("/items/never-written", headers=AUTH)
    assert missing.status_code == 404
    assert missing.json() == {"error": "No item never-written.", "code": "not_found"}


def test_a_bug_is_a_json_500_with_a_request_id_and_no_details(fixture_api: httpx.Client) -> None:
    response = fixture_api.get("/boom")

    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "internal_error"
    assert body["requestId"]
    assert "sk_live" not in response.text
    assert "Traceback" not in response.text


def test_sqs_messages_reach_their_handler_and_a_failing_one_ends_in_the_dlq(fixture_api: httpx.Client) -> None:
    # Given a batch where one record keeps failing (maxReceiveCount is 2)
    sent = fixture_api.post(
        "/work", json={"messages": [{"id": "w1"}, {"id": "w2", "fail": True}, {"id": "w3"}]}, headers=AUTH
    )
    assert sent.status_code == 202

    # Then the good records are handled once each, through the event source mapping
    wait_until(lambda: item(fixture_api, "work-w1") and item(fixture_api, "work-w3"), what="good records handled")
    # And the bad one is retried, then moved to the dead-letter queue, and the work queue empties
    wait_until(lambda: queue_depths(fixture_api)["WorkDeadLetterQueue"] == 1, timeout=20, what="poison message in DLQ")
    wait_until(lambda: queue_depths(fixture_api)["WorkQueue"] == 0, what="work queue empty")
    assert item(fixture_api, "work-w1") == {"PK": "work-w1", "count": 1}
    assert item(fixture_api, "work-w3") == {"PK": "work-w3", "count": 1}
    assert item(fixture_api, "work-w2") is None


def test_a_state_machine_executes_and_invokes_a_real_handler(fixture_api: httpx.Client) -> None:
    started = fixture_api.post("/runs", json={"name": "run-one", "input": {"itemId": "pear"}}, headers=AUTH)
    assert started.status_code == 201

    def finished() -> dict[str, Any] | None:
        run = fixture_api.get("/runs/run-one", headers=AUTH).json()
        return run if run["status"] != "RUNNING" else None

    run = wait_until(finished, what="execution to finish")
    assert run == {"status": "SUCCEEDED", "output": {"written": "pear"}}
    assert item(fixture_api, "run-pear") == {"PK": "run-pear", "value": "from the state machine"}


def test_a_schedule_fires_its_function_on_demand(fixture_api: httpx.Client) -> None:
    schedules = fixture_api.get("/_local/status").json()["schedules"]
    assert schedules["TickFunctionEveryMinute"]["expression"] == "rate(1 minute)"

    for _ in range(2):
        assert fixture_api.post("/_local/schedules/TickFunctionEveryMinute/fire").status_code == 202

    assert item(fixture_api, "ticks") == {"PK": "ticks", "count": 2}
    assert fixture_api.post("/_local/schedules/NoSuchRule/fire").status_code == 404
