"""Who may do what: every kind of credential the issue names, through the front door."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.support.calls import dynamodb_calls
from tests.support.identity import Account, bearer, create_agent, create_key, create_snapshot, join_with_role, sign_up


def status(api: httpx.Client, method: str, path: str, headers: dict[str, str], body: Any = None) -> int:
    return api.request(method, path, headers=headers, json=body).status_code


def test_no_authorization_header_is_our_json_401(api: httpx.Client) -> None:
    response = api.get("/api/agents")
    assert response.status_code == 401
    assert response.json()["code"] == "malformed_authorization"


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        "Bearer",
        "Bearer not-a-jwt",
        "Basic dXNlcjpwYXNz",
        "Bearer sk_live_doesnotexist",
        "Bearer pk_live_nope",
    ],
)
def test_malformed_garbage_or_unknown_credentials_are_401(api: httpx.Client, value: str) -> None:
    response = api.get("/api/agents", headers={"Authorization": value})
    assert response.status_code == 401
    assert response.json()["code"] in {"malformed_authorization", "invalid_token", "invalid_key", "unauthorized"}


def test_a_key_passes_only_while_it_is_valid(api: httpx.Client, owner: Account) -> None:
    key = create_key(api, owner)
    assert api.get("/api/agents", headers=bearer(key["key"])).status_code == 200

    # no authorizer cache: the very next request after the revocation is refused
    assert api.delete(f"/api/keys/{key['id']}", headers=owner.headers).status_code == 200
    revoked = api.get("/api/agents", headers=bearer(key["key"]))
    assert revoked.status_code == 401
    assert revoked.json()["code"] == "key_revoked"


def test_a_revoked_key_never_used_before_is_refused_at_once(api: httpx.Client, owner: Account) -> None:
    key = create_key(api, owner)
    api.delete(f"/api/keys/{key['id']}", headers=owner.headers)
    assert api.get("/api/agents", headers=bearer(key["key"])).status_code == 401


def test_an_expired_key_is_401(api: httpx.Client, owner: Account) -> None:
    from grounded_core.clock import iso, utc_now
    from grounded_core.identity.keyring import KeyRequest, issue_key
    from grounded_core.identity.principal import ALL_SCOPES, Credential

    every_scope = " ".join(ALL_SCOPES)
    principal = Credential(authenticated=True, kind="secret_key", org_id=owner.org["id"], scopes=every_scope).principal(
        None
    )
    expired = KeyRequest.model_construct(
        name="expired", kind="secret", scopes=None, agent_id=None, expires_at=iso(utc_now() - timedelta(minutes=1))
    )
    key = issue_key(principal, expired)

    response = api.get("/api/agents", headers=bearer(key.key))
    assert response.status_code == 401
    assert response.json()["code"] == "key_expired"


def test_a_rotated_away_key_is_401_and_its_successor_works(
    api: httpx.Client, owner: Account, agent: dict[str, Any]
) -> None:
    old = create_key(api, owner, scopes=["agents:read"], agentId=agent["id"])
    rotated = api.post(f"/api/keys/{old['id']}/rotate", headers=owner.headers)
    assert rotated.status_code == 201
    new = rotated.json()
    assert (new["scopes"], new["agentId"], new["name"]) == (old["scopes"], old["agentId"], old["name"])
    assert new["key"] != old["key"]

    assert api.get(f"/api/agents/{agent['id']}", headers=bearer(old["key"])).status_code == 401
    assert api.get(f"/api/agents/{agent['id']}", headers=bearer(new["key"])).status_code == 200
    assert api.post(f"/api/keys/{old['id']}/rotate", headers=owner.headers).status_code == 422


def test_publishable_keys_read_nothing(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> None:
    key = create_key(api, owner, kind="publishable", agentId=agent["id"])
    assert key["key"].startswith("pk_live_")
    assert key["scopes"] == ["scores:write", "telemetry:write", "traces:write"]
    headers = bearer(key["key"])

    for method, path in [
        ("GET", "/api/agents"),
        ("GET", f"/api/agents/{agent['id']}"),
        ("GET", "/api/me"),
        ("GET", "/api/keys"),
        ("GET", "/api/scores?name=feedback"),
    ]:
        response = api.request(method, path, headers=headers)
        assert response.status_code == 403, path
        assert response.json()["code"] == "wrong_credential_kind"


def test_publishable_keys_must_be_agent_scoped_and_keep_their_scopes(api: httpx.Client, owner: Account) -> None:
    assert status(api, "POST", "/api/keys", owner.headers, {"name": "p", "kind": "publishable"}) == 422
    assert status(api, "POST", "/api/keys", owner.headers, {"name": "s", "scopes": ["root"]}) == 422
    body = {"name": "p", "kind": "publishable", "agentId": "agt_unknown"}
    assert status(api, "POST", "/api/keys", owner.headers, body) == 422


def test_a_secret_key_without_the_scope_is_403(api: httpx.Client, owner: Account) -> None:
    key = create_key(api, owner, scopes=["agents:read"])
    headers = bearer(key["key"])

    assert api.get("/api/agents", headers=headers).status_code == 200
    refused = api.post("/api/agents", json={"name": "x"}, headers=headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "missing_scope"
    assert api.get("/api/keys", headers=headers).status_code == 403  # keys need admin


def test_an_agent_scoped_key_touches_only_its_agent(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> None:
    other = create_agent(api, owner.headers, name="other-bot")
    other_snapshot = create_snapshot(api, owner.headers, other["id"])
    key = create_key(api, owner, agentId=agent["id"])
    headers = bearer(key["key"])

    assert api.get(f"/api/agents/{agent['id']}", headers=headers).status_code == 200
    assert [a["id"] for a in api.get("/api/agents", headers=headers).json()["items"]] == [agent["id"]]
    for method, path in [
        ("GET", f"/api/agents/{other['id']}"),
        ("PATCH", f"/api/agents/{other['id']}"),
        ("GET", f"/api/agents/{other['id']}/snapshots"),
        ("GET", f"/api/snapshots/{other_snapshot['id']}"),
    ]:
        response = api.request(method, path, headers=headers, json={"name": "renamed"} if method == "PATCH" else None)
        assert response.status_code == 403, path
        assert response.json()["code"] == "agent_scope"
    assert api.post("/api/agents", json={"name": "new"}, headers=headers).status_code == 403


def test_another_orgs_things_are_404(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> None:
    snapshot = create_snapshot(api, owner.headers, agent["id"])
    intruder = sign_up(api)
    intruder_key = create_key(api, intruder)

    for headers in (intruder.headers, bearer(intruder_key["key"])):
        assert api.get(f"/api/agents/{agent['id']}", headers=headers).status_code == 404
        assert api.delete(f"/api/agents/{agent['id']}", headers=headers).status_code == 404
        assert api.get(f"/api/snapshots/{snapshot['id']}", headers=headers).status_code == 404
        assert api.get(f"/api/agents/{agent['id']}/snapshots", headers=headers).status_code == 404
        assert api.delete(f"/api/keys/{intruder_key['id']}", headers=owner.headers).status_code == 404
    assert agent["id"] not in api.get("/api/agents", headers=intruder.headers).text


def test_a_viewer_reads_but_does_not_write(api: httpx.Client, owner: Account, agent: dict[str, Any]) -> None:
    viewer = join_with_role(api, owner, "VIEWER")

    assert api.get(f"/api/agents/{agent['id']}", headers=viewer.headers).status_code == 200
    refused = api.post("/api/agents", json={"name": "nope"}, headers=viewer.headers)
    assert refused.status_code == 403
    assert api.post("/api/keys", json={"name": "k"}, headers=viewer.headers).status_code == 403
    assert api.post("/api/invites", json={"email": "a@b.co"}, headers=viewer.headers).status_code == 403


def test_a_member_writes_but_does_not_administer(api: httpx.Client, owner: Account) -> None:
    member = join_with_role(api, owner, "MEMBER")
    assert api.post("/api/agents", json={"name": "mine"}, headers=member.headers).status_code == 201
    assert api.get("/api/keys", headers=member.headers).status_code == 403
    assert api.patch("/api/org", json={"name": "Mine now"}, headers=member.headers).status_code == 403


def test_tokens_expire_and_cannot_be_forged(api: httpx.Client, owner: Account) -> None:
    import jwt

    from grounded_core.clock import utc_now
    from grounded_core.identity.tokens import issue_token

    expired = issue_token(owner.user["id"], now=utc_now() - timedelta(days=8))
    response = api.get("/api/me", headers=bearer(expired))
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"

    forged = jwt.encode(
        {"sub": owner.user["id"], "iss": "grounded", "exp": utc_now() + timedelta(days=1)},
        "a-guessed-secret-that-is-long-enough!!",
        "HS256",
    )
    assert api.get("/api/me", headers=bearer(forged)).status_code == 401


def test_key_listing_never_shows_secrets(api: httpx.Client, owner: Account) -> None:
    key = create_key(api, owner)
    listing = api.get("/api/keys", headers=owner.headers)

    assert listing.status_code == 200
    assert key["key"] not in listing.text
    assert all("key" not in item and "keyHash" not in item for item in listing.json()["items"])
    listed = next(item for item in listing.json()["items"] if item["id"] == key["id"])
    assert listed["prefix"] == key["key"][:12]


def test_revoking_a_key_is_idempotent(api: httpx.Client, owner: Account) -> None:
    key = create_key(api, owner)
    first = api.delete(f"/api/keys/{key['id']}", headers=owner.headers).json()
    second = api.delete(f"/api/keys/{key['id']}", headers=owner.headers).json()
    assert first["revokedAt"] == second["revokedAt"]


def test_the_authorizer_resolves_a_key_with_one_get_item(api: httpx.Client, owner: Account) -> None:
    from grounded_core.identity.authorizer import resolve_credential

    key = create_key(api, owner)
    resolve_credential(f"Bearer {key['key']}")  # first use also stamps lastUsedAt
    with dynamodb_calls(this_thread_only=True) as calls:
        credential = resolve_credential(f"Bearer {key['key']}")

    assert credential.authenticated
    assert calls == ["GetItem"]


def test_the_authorizer_decides_every_request(api: httpx.Client, owner: Account, cloud: Any) -> None:
    """No result cache: that is what lets a revocation apply to the very next request."""
    key = create_key(api, owner)
    before = cloud.runtime.invocations["AuthorizerFunction"]
    for _ in range(3):
        assert api.get("/api/agents", headers=bearer(key["key"])).status_code == 200
    assert cloud.runtime.invocations["AuthorizerFunction"] - before == 3


def test_keys_cannot_grant_more_than_their_creator_has(
    api: httpx.Client, owner: Account, agent: dict[str, Any]
) -> None:
    admin_key = bearer(create_key(api, owner, scopes=["admin", "agents:read"])["key"])
    wider = api.post("/api/keys", json={"name": "wider", "scopes": ["agents:write"]}, headers=admin_key)
    assert wider.status_code == 403
    assert api.post("/api/keys", json={"name": "same", "scopes": ["agents:read"]}, headers=admin_key).status_code == 201

    scoped_admin = bearer(create_key(api, owner, scopes=["admin", "agents:read"], agentId=agent["id"])["key"])
    for method, path, body in [
        ("POST", "/api/keys", {"name": "escape", "scopes": ["agents:read"]}),
        ("POST", "/api/invites", {"email": "friend@example.com", "role": "ADMIN"}),
        ("GET", "/api/members", None),
        ("PATCH", "/api/org", {"name": "mine"}),
    ]:
        response = api.request(method, path, json=body, headers=scoped_admin)
        assert response.status_code == 403, path
