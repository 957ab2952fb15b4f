"""Authorization never outlives a decision, and nobody grants more than it holds (issue 13, items
5 to 9): revocation, rotation, expiry, demotion and removal apply to the very next request; invites
and role changes are bounded by the caller; agent-scoped keys get the same 403 on every route;
cursors are sealed; every error body follows the contract."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import httpx

from tests.support.identity import Account, bearer, create_agent, create_key, join_with_role, sign_up, unique_email
from tests.support.waiting import wait_until


def test_a_rotated_key_stops_at_the_next_request(api: httpx.Client, owner: Account) -> None:
    key = create_key(api, owner)
    assert api.get("/api/agents", headers=bearer(key["key"])).status_code == 200
    rotated = api.post(f"/api/keys/{key['id']}/rotate", headers=owner.headers)
    assert rotated.status_code in {200, 201}, rotated.text

    assert api.get("/api/agents", headers=bearer(key["key"])).status_code == 401
    assert api.get("/api/agents", headers=bearer(rotated.json()["key"])).status_code == 200


def test_a_key_in_use_stops_the_moment_it_expires(api: httpx.Client, owner: Account) -> None:
    expires = datetime.now(UTC) + timedelta(seconds=2)
    key = create_key(api, owner, name="short", expiresAt=expires.isoformat())
    assert api.get("/api/agents", headers=bearer(key["key"])).status_code == 200  # in use, valid

    wait_until(lambda: datetime.now(UTC) > expires + timedelta(milliseconds=50), timeout=10, what="the expiry")
    response = api.get("/api/agents", headers=bearer(key["key"]))
    assert response.status_code == 401
    assert response.json()["code"] == "key_expired"


def test_a_demoted_admin_loses_admin_powers_at_the_next_request(api: httpx.Client, owner: Account) -> None:
    admin = join_with_role(api, owner, "ADMIN")
    assert api.get("/api/keys", headers=admin.headers).status_code == 200

    demoted = api.patch(f"/api/members/{admin.user['id']}", json={"role": "MEMBER"}, headers=owner.headers)
    assert demoted.status_code == 200

    invite = {"email": unique_email("sneaky"), "role": "ADMIN"}
    assert api.post("/api/invites", json=invite, headers=admin.headers).status_code == 403
    assert api.post("/api/keys", json={"name": "k"}, headers=admin.headers).status_code == 403


def test_a_removed_member_is_out_at_the_next_request(api: httpx.Client, owner: Account) -> None:
    member = join_with_role(api, owner, "ADMIN")
    assert api.get("/api/agents", headers=member.headers).status_code == 200
    assert api.delete(f"/api/members/{member.user['id']}", headers=owner.headers).status_code in {200, 204}

    after = api.get("/api/agents", headers={**member.headers, "X-Grounded-Org": owner.org["id"]})
    assert after.status_code == 401
    assert after.json()["code"] == "no_org"  # it was their only org
    for headers in (member.headers, {**member.headers, "X-Grounded-Org": owner.org["id"]}):
        invite = api.post("/api/invites", json={"email": unique_email(), "role": "ADMIN"}, headers=headers)
        assert invite.status_code == 401, invite.text
    assert api.get("/api/me", headers=member.headers).json()["code"] == "no_org"  # a user of no org now


def test_a_removed_member_keeps_the_other_orgs(api: httpx.Client, owner: Account) -> None:
    elsewhere = sign_up(api)
    token = api.post(
        "/api/invites", json={"email": elsewhere.user["email"], "role": "MEMBER"}, headers=owner.headers
    ).json()["token"]
    assert api.post(f"/api/invites/{token}/accept", headers=elsewhere.headers).status_code == 200
    in_owner_org = {**elsewhere.headers, "X-Grounded-Org": owner.org["id"]}
    assert api.get("/api/agents", headers=in_owner_org).status_code == 200

    assert api.delete(f"/api/members/{elsewhere.user['id']}", headers=owner.headers).status_code == 204
    assert api.get("/api/agents", headers=in_owner_org).status_code == 401
    own = api.get("/api/agents", headers={**elsewhere.headers, "X-Grounded-Org": elsewhere.org["id"]})
    assert own.status_code == 200


def test_an_invite_never_grants_more_than_its_maker_holds(api: httpx.Client, owner: Account) -> None:
    narrow = bearer(create_key(api, owner, name="admin only", scopes=["admin"])["key"])
    for role in ("ADMIN", "MEMBER", "VIEWER"):
        response = api.post("/api/invites", json={"email": unique_email(), "role": role}, headers=narrow)
        assert response.status_code == 403, (role, response.text)
        assert response.json()["code"] == "grant_exceeds_caller"

    admin = join_with_role(api, owner, "ADMIN")
    assert (
        api.post("/api/invites", json={"email": unique_email(), "role": "ADMIN"}, headers=admin.headers).status_code
        == 201
    )
    assert (
        api.post("/api/invites", json={"email": unique_email(), "role": "OWNER"}, headers=admin.headers).status_code
        == 403
    )
    member = join_with_role(api, owner, "MEMBER")
    assert (
        api.patch(f"/api/members/{member.user['id']}", json={"role": "OWNER"}, headers=admin.headers).status_code == 403
    )


def test_an_invite_is_accepted_only_by_its_email_address(api: httpx.Client, owner: Account) -> None:
    invited = unique_email("invited")
    token = api.post("/api/invites", json={"email": invited, "role": "ADMIN"}, headers=owner.headers).json()["token"]
    stranger = sign_up(api)

    taken = api.post(f"/api/invites/{token}/accept", headers=stranger.headers)
    assert taken.status_code == 403
    assert taken.json()["code"] == "invite_email_mismatch"

    rightful = sign_up(api, email=invited.upper())
    assert api.post(f"/api/invites/{token}/accept", headers=rightful.headers).status_code == 200


def test_an_agent_scoped_key_asking_for_another_agent_is_403_everywhere(api: httpx.Client, owner: Account) -> None:
    mine, other = create_agent(api, owner.headers, name="mine"), create_agent(api, owner.headers, name="other")
    scoped = bearer(create_key(api, owner, name="one agent", agentId=mine["id"])["key"])
    for path in (
        "/api/analytics/overview",
        "/api/sessions",
        "/api/traces",
        "/api/evals/suites",
        "/api/evals/runs",
        "/api/connectors",
        "/api/drift/reports",
        "/api/policies",
        "/api/insights",
    ):
        refused = api.get(path, params={"agentId": other["id"]}, headers=scoped)
        assert refused.status_code == 403, (path, refused.text)
        assert refused.json()["code"] == "agent_scope", path
        assert api.get(path, params={"agentId": mine["id"]}, headers=scoped).status_code == 200, path


def test_cursors_are_sealed_bound_to_their_list_and_carry_no_secret(api: httpx.Client, owner: Account) -> None:
    for name in ("a", "b"):
        create_key(api, owner, name=name)
    page = api.get("/api/keys", params={"limit": 1}, headers=owner.headers).json()
    cursor = page["nextCursor"]
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    assert b"KEY#" not in raw
    assert b"PK" not in raw

    assert api.get("/api/keys", params={"limit": 1, "cursor": cursor}, headers=owner.headers).status_code == 200
    for bad in (cursor[:-4] + "AAAA", "eyJQSyI6IjEifQ", "%%%", cursor + "x"):
        response = api.get("/api/keys", params={"cursor": bad}, headers=owner.headers)
        assert response.status_code == 400, (bad, response.text)
        assert response.json()["code"] == "invalid_cursor"

    # another org (its own keys list) and another list of the same org refuse it too
    stranger = sign_up(api)
    assert api.get("/api/keys", params={"cursor": cursor}, headers=stranger.headers).json()["code"] == "invalid_cursor"
    assert api.get("/api/agents", params={"cursor": cursor}, headers=owner.headers).status_code == 400


def test_unknown_routes_and_missing_credentials_answer_the_contracts_body(api: httpx.Client) -> None:
    unknown = (("GET", "/api/nope"), ("POST", "/api/agents/x/y/z"), ("DELETE", "/api"), ("GET", "/api/x.ico"))
    for method, path in unknown:
        response = api.request(method, path)
        assert response.status_code == 404, (method, path)
        assert response.json()["code"] == "route_not_found"
    # outside /api is the dashboard's (CloudFront's, locally the front door's static site): files only
    assert api.delete("/").status_code == 405
    assert api.get("/favicon.ico").status_code == 404
    missing = api.get("/api/sessions")
    assert missing.status_code == 401
    assert set(missing.json()) >= {"error", "code"}
