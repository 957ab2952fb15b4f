"""The connectors API: configuration, write-only credentials, scoping, connect / disconnect /
sync / delete. (What a sync imports is in test_langsmith_sync and test_fullstory_sync.)"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fakes.langsmith import FakeLangSmith
from tests.support.connectors import connect, create_connector, wait_job
from tests.support.identity import Account, bearer, create_agent, create_key, sign_up

SECRET = "lsv2_pt_0123456789abcdef_supersecret"


@pytest.fixture(autouse=True)
def _fake_knows_the_key(fake_langsmith: FakeLangSmith) -> None:
    fake_langsmith.api_keys.add(SECRET)


def langsmith_config(fake: FakeLangSmith, **extra: Any) -> dict[str, Any]:
    return {"apiKey": SECRET, "projectName": "api-tests", "baseUrl": fake.url, **extra}


def test_create_get_list_and_the_key_is_write_only(
    api: httpx.Client, owner: Account, agent: dict[str, Any], fake_langsmith: FakeLangSmith
) -> None:
    created = create_connector(api, owner.headers, agent["id"], "langsmith", langsmith_config(fake_langsmith))
    assert created["status"] == "disconnected"
    assert created["config"] == {
        "apiKey": "••••cret",
        "projectName": "api-tests",
        "baseUrl": fake_langsmith.url,
        "initialDays": 7,
    }
    assert created["schedule"] == {"enabled": True, "intervalMinutes": 60}
    fetched = api.get(f"/api/connectors/{created['id']}", headers=owner.headers)
    listed = api.get("/api/connectors", params={"agentId": agent["id"]}, headers=owner.headers)
    assert fetched.json() == created
    assert created["id"] in [c["id"] for c in listed.json()["items"]]
    for response in (fetched, listed):
        assert SECRET not in response.text


def test_bad_configurations_are_422_naming_the_field_never_the_value(
    api: httpx.Client, owner: Account, agent: dict[str, Any]
) -> None:
    base = {"agentId": agent["id"], "name": "x", "category": "llm-tracing", "provider": "langsmith"}
    cases = [
        ({**base, "category": "session-data"}, "body"),
        ({**base, "provider": "datadog"}, "provider"),
        ({**base, "config": {"apiKey": SECRET, "baseUrl": "ftp://example.com"}}, "config.baseUrl"),
        ({**base, "config": {"apiKey": SECRET, "baseUrl": "http://169.254.169.254/latest"}}, "config.baseUrl"),
        ({**base, "config": {"apiKey": SECRET, "projectNmae": "typo"}}, "config.projectNmae"),
        ({**base, "schedule": {"intervalMinutes": 1}}, "schedule.intervalMinutes"),
    ]
    for body, field in cases:
        response = api.post("/api/connectors", json=body, headers=owner.headers)
        assert response.status_code == 422, body
        assert field in {d["field"] for d in response.json()["details"]}, response.json()
        assert SECRET not in response.text
    unknown_agent = api.post("/api/connectors", json={**base, "agentId": "agt_nope"}, headers=owner.headers)
    assert unknown_agent.status_code == 404


def test_patch_changes_config_without_reconnecting_and_a_masked_key_round_trips(
    api: httpx.Client, owner: Account, agent: dict[str, Any], fake_langsmith: FakeLangSmith
) -> None:
    created = create_connector(api, owner.headers, agent["id"], "langsmith", langsmith_config(fake_langsmith))
    path = f"/api/connectors/{created['id']}"
    # the form a UI sends back: every field, the key still masked -> the key is kept
    same = api.patch(path, json={"name": "renamed", "config": created["config"]}, headers=owner.headers)
    assert same.status_code == 200
    assert (same.json()["name"], same.json()["config"]["apiKey"], same.json()["status"]) == (
        "renamed",
        "••••cret",
        "disconnected",
    )
    rotated = api.patch(path, json={"config": {"apiKey": "lsv2_pt_new_key_ending_9876"}}, headers=owner.headers)
    assert rotated.json()["config"] == {**created["config"], "apiKey": "••••9876"}
    rescheduled = api.patch(path, json={"schedule": {"intervalMinutes": 15}}, headers=owner.headers).json()
    assert rescheduled["schedule"] == {"enabled": True, "intervalMinutes": 15}
    assert rescheduled["status"] == "disconnected"
    assert rescheduled["nextRunAt"] is None  # nothing is scheduled until it connects
    assert api.patch(path, json={"config": {"initialDays": -1}}, headers=owner.headers).status_code == 422


def test_connecting_needs_a_key_and_a_project(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> None:
    created = create_connector(api, owner.headers, agent["id"], "langsmith", {})
    refused = api.post(f"/api/connectors/{created['id']}/connect", headers=owner.headers)
    assert refused.status_code == 422
    assert refused.json()["code"] == "connector_incomplete"
    assert {d["field"] for d in refused.json()["details"]} == {"config.apiKey", "config.projectName"}
    assert api.post(f"/api/connectors/{created['id']}/sync", headers=owner.headers).status_code == 422


def test_connect_syncs_at_once_then_disconnect_keeps_data_and_delete_removes_the_secret(
    api: httpx.Client, cloud: Any, owner: Account, fake_langsmith: FakeLangSmith
) -> None:
    agent = create_agent(api, owner.headers, name="connect-flow")
    created = create_connector(api, owner.headers, agent["id"], "langsmith", {"baseUrl": fake_langsmith.url})
    fake_langsmith.project("api-tests")
    answer = connect(api, owner.headers, created["id"], config={"apiKey": SECRET, "projectName": "api-tests"})
    assert answer["connector"]["status"] == "connected"
    assert answer["connector"]["nextRunAt"]
    assert answer["job"]["type"] == "connector.sync"
    assert answer["job"]["params"]["trigger"] == "connect"
    assert answer["job"]["connectorId"] == created["id"]
    assert SECRET not in str(answer)
    finished = wait_job(api, owner.headers, answer["job"]["id"])
    assert finished["status"] == "succeeded", finished

    disconnected = api.post(f"/api/connectors/{created['id']}/disconnect", headers=owner.headers).json()
    assert (disconnected["status"], disconnected["nextRunAt"]) == ("disconnected", None)
    assert disconnected["syncedThrough"] == answer["job"]["params"]["to"]

    secrets = cloud.client("secretsmanager")
    names = [s["Name"] for s in secrets.list_secrets()["SecretList"] if created["id"] in s["Name"]]
    assert len(names) == 1
    assert api.delete(f"/api/connectors/{created['id']}", headers=owner.headers).status_code == 204
    assert api.get(f"/api/connectors/{created['id']}", headers=owner.headers).status_code == 404
    assert not [s for s in secrets.list_secrets()["SecretList"] if created["id"] in s["Name"]]


def test_a_sync_window_must_be_a_window(
    api: httpx.Client, owner: Account, agent: dict[str, Any], fake_langsmith: FakeLangSmith
) -> None:
    created = create_connector(api, owner.headers, agent["id"], "langsmith", langsmith_config(fake_langsmith))
    path = f"/api/connectors/{created['id']}/sync"
    backwards = {"from": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"}
    assert api.post(path, json=backwards, headers=owner.headers).status_code == 422
    assert api.post(path, json={"from": "yesterday"}, headers=owner.headers).status_code == 422
    assert api.post(path, json={"from": "2026-01-01T00:00:00Z", "extra": 1}, headers=owner.headers).status_code == 422


def test_one_sync_at_a_time(
    api: httpx.Client, owner: Account, agent: dict[str, Any], fake_langsmith: FakeLangSmith
) -> None:
    created = create_connector(api, owner.headers, agent["id"], "langsmith", langsmith_config(fake_langsmith))
    fake_langsmith.delay_seconds = 0.5  # the first sync is still running when the second is asked for
    try:
        first = connect(api, owner.headers, created["id"])["job"]
        second = api.post(f"/api/connectors/{created['id']}/sync", headers=owner.headers)
        assert second.status_code == 409
        assert second.json()["code"] == "sync_in_progress"
        assert first["id"] in second.json()["error"]
        again = connect(api, owner.headers, created["id"])  # connecting again answers the running job
        assert again["job"]["id"] == first["id"]
    finally:
        fake_langsmith.delay_seconds = 0
    wait_job(api, owner.headers, first["id"])
    assert api.post(f"/api/connectors/{created['id']}/sync", headers=owner.headers).status_code == 202


def test_scoping_another_org_agent_scoped_keys_and_scopes(
    api: httpx.Client, owner: Account, agent: dict[str, Any], fake_langsmith: FakeLangSmith
) -> None:
    other_agent = create_agent(api, owner.headers, name="other-agent")
    mine = create_connector(api, owner.headers, agent["id"], "langsmith", langsmith_config(fake_langsmith))
    theirs = create_connector(api, owner.headers, other_agent["id"], "langsmith", langsmith_config(fake_langsmith))

    scoped = bearer(create_key(api, owner, name="scoped", agentId=agent["id"])["key"])
    listed = {c["id"] for c in api.get("/api/connectors", headers=scoped).json()["items"]}
    assert mine["id"] in listed
    assert theirs["id"] not in listed
    assert api.get(f"/api/connectors/{theirs['id']}", headers=scoped).status_code == 403
    assert api.post(f"/api/connectors/{theirs['id']}/sync", headers=scoped).status_code == 403
    body = {"agentId": other_agent["id"], "name": "x", "category": "llm-tracing", "provider": "langsmith"}
    assert api.post("/api/connectors", json=body, headers=scoped).status_code == 403

    tenant = {c["id"] for c in api.get("/api/connectors", headers=owner.headers).json()["items"]}
    assert {mine["id"], theirs["id"]} <= tenant

    reader = bearer(create_key(api, owner, name="reader", scopes=["connectors:read"])["key"])
    assert api.get(f"/api/connectors/{mine['id']}", headers=reader).status_code == 200
    assert api.patch(f"/api/connectors/{mine['id']}", json={"name": "y"}, headers=reader).status_code == 403
    publishable = bearer(create_key(api, owner, name="pk", kind="publishable", agentId=agent["id"])["key"])
    assert api.get("/api/connectors", headers=publishable).status_code == 403

    stranger = sign_up(api)
    for method, suffix in (("GET", ""), ("PATCH", ""), ("DELETE", ""), ("POST", "/connect"), ("POST", "/sync")):
        response = api.request(method, f"/api/connectors/{mine['id']}{suffix}", json={}, headers=stranger.headers)
        assert response.status_code == 404, (method, suffix)
    assert api.get(f"/api/connectors/{mine['id']}", headers=owner.headers).status_code == 200


@pytest.mark.parametrize("provider", ["fullstory"])
def test_fullstory_configuration(api: httpx.Client, owner: Account, agent: dict[str, Any], provider: str) -> None:
    created = create_connector(api, owner.headers, agent["id"], provider, {"apiKey": "na1.fs-key-abcdefgh1234"})
    assert created["category"] == "session-data"
    assert created["config"] == {"apiKey": "••••1234", "segmentId": "everyone", "initialDays": 7}
