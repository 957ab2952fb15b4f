"""What a browser on another origin needs from ``POST /api/telemetry``: CORS (preflight and the
answer's headers), a publishable key in ``?key=`` (``sendBeacon`` cannot set headers), and a JSON
body sent as ``text/plain`` — and what stays refused: a secret key in any URL, a key in the URL on
another route, a revoked key, another agent's events."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.support.identity import Account, bearer, create_agent, create_key
from tests.support.ingest import event
from tests.support.waiting import wait_until

ORIGIN = "https://shop.example.com"


@pytest.fixture(scope="module")
def publishable(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> str:
    return str(create_key(api, owner, kind="publishable", agentId=agent["id"])["key"])


def beacon(api: httpx.Client, key: str, body: Any, path: str = "/api/telemetry") -> httpx.Response:
    """What ``navigator.sendBeacon`` sends: no Authorization, ``text/plain``, an Origin."""
    content = body if isinstance(body, str) else json.dumps(body)
    headers = {"content-type": "text/plain;charset=UTF-8", "origin": ORIGIN}
    return api.post(path, params={"key": key}, content=content, headers=headers)


def test_a_preflight_from_another_origin_allows_what_the_sdks_send(api: httpx.Client) -> None:
    response = api.options(
        "/api/telemetry",
        headers={
            "origin": ORIGIN,
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization,content-type,idempotency-key",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] in {"*", ORIGIN}
    allowed = response.headers["access-control-allow-headers"].split(",")
    assert {"authorization", "content-type", "idempotency-key"} <= set(allowed)
    assert "POST" in response.headers["access-control-allow-methods"]


def test_a_beacon_with_a_publishable_key_in_the_url_is_stored(
    api: httpx.Client, owner: Account, agent: dict[str, Any], publishable: str
) -> None:
    sent = event(agent["id"], "anon-beacon-1", sessionId="visit-beacon-1", type="page", name="/pricing")
    response = beacon(api, publishable, {"events": [sent]})
    assert response.status_code == 202, response.text
    assert response.headers["access-control-allow-origin"] in {"*", ORIGIN}
    assert "apigw-requestid" in response.headers["access-control-expose-headers"]

    def stored() -> list[dict[str, Any]] | None:
        sessions = api.get("/api/sessions", params={"agentId": agent["id"]}, headers=owner.headers).json()["items"]
        return [s for s in sessions if s.get("externalId") == "visit-beacon-1" and s.get("events") == 1] or None

    session = wait_until(stored, timeout=30, what="the beacon's event")[0]
    timeline = api.get(f"/api/sessions/{session['id']}/timeline", headers=owner.headers).json()["items"]
    assert [entry["data"]["name"] for entry in timeline] == ["/pricing"]


def test_a_plain_text_body_that_is_not_json_is_a_400(api: httpx.Client, publishable: str) -> None:
    response = beacon(api, publishable, "{not json")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"


def test_a_secret_key_in_a_url_is_refused_on_every_route(api: httpx.Client, owner: Account) -> None:
    secret = str(create_key(api, owner, kind="secret")["key"])
    for response in (
        api.post("/api/telemetry", params={"key": secret}, json={"events": []}),
        api.get("/api/agents", params={"key": secret}),
    ):
        assert response.status_code == 401, response.text
        assert response.json()["code"] == "secret_key_in_url"
        assert secret not in response.text
    # even beside a valid Authorization header: the key has leaked into a URL, say so
    response = api.get("/api/agents", params={"key": secret}, headers=owner.headers)
    assert response.json()["code"] == "secret_key_in_url"


def test_a_key_in_the_url_opens_only_the_telemetry_route(api: httpx.Client, publishable: str) -> None:
    response = api.get("/api/sessions", params={"key": publishable})
    assert response.status_code == 401
    assert response.json()["code"] == "malformed_authorization"


def test_a_revoked_or_unknown_key_in_the_url_is_a_401(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> None:
    made = create_key(api, owner, kind="publishable", agentId=agent["id"])
    assert api.delete(f"/api/keys/{made['id']}", headers=owner.headers).status_code == 200
    sent = {"events": [event(agent["id"], "anon-revoked")]}
    assert beacon(api, made["key"], sent).json()["code"] == "key_revoked"
    assert beacon(api, "pk_live_" + "x" * 40, sent).json()["code"] == "invalid_key"
    assert beacon(api, "not-a-key", sent).json()["code"] == "invalid_key"


def test_a_publishable_key_in_the_url_stays_within_its_agent(
    api: httpx.Client, owner: Account, agent: dict[str, Any], publishable: str
) -> None:
    other = create_agent(api, owner.headers, name="other-bot")
    batch = {"events": [event(agent["id"], "anon-mixed"), event(other["id"], "anon-mixed")]}
    response = beacon(api, publishable, batch)
    assert response.status_code == 207
    assert [result["status"] for result in response.json()["results"]] == ["accepted", "rejected"]
    assert response.json()["results"][1]["code"] == "agent_scope"


def test_the_header_still_works_and_wins_over_a_url_key(
    api: httpx.Client, agent: dict[str, Any], publishable: str
) -> None:
    sent = {"events": [event(agent["id"], "anon-header")]}
    response = api.post("/api/telemetry", json=sent, headers=bearer(publishable), params={"key": "pk_live_bogus"})
    assert response.status_code == 202
