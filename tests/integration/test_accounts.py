"""Sign-up, log-in, the org, members and roles, invites — through the local cloud's front door."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import httpx

from tests.support.identity import PASSWORD, bearer, join_with_role, sign_up, unique_email


def test_sign_up_creates_user_org_and_owner_membership(api: httpx.Client) -> None:
    email = unique_email()
    response = api.post(
        "/api/auth/signup",
        json={"email": email.upper(), "password": PASSWORD, "name": "Ada", "orgName": "Lovelace Labs"},
    )

    assert response.status_code == 201
    body = response.json()
    assert body["user"]["email"] == email  # stored lower-case
    assert body["org"]["slug"].startswith("lovelace-labs")
    assert "password" not in response.text.lower()
    me = api.get("/api/me", headers=bearer(body["token"])).json()
    assert me["role"] == "OWNER"
    assert me["org"]["id"] == body["org"]["id"]


def test_sign_up_refuses_a_taken_email_or_slug(api: httpx.Client) -> None:
    first = sign_up(api)
    again = api.post(
        "/api/auth/signup",
        json={"email": first.user["email"], "password": PASSWORD, "name": "B", "orgName": "Other"},
    )
    assert again.status_code == 409
    assert again.json()["code"] == "email_taken"

    taken_slug = api.post(
        "/api/auth/signup",
        json={"email": unique_email(), "password": PASSWORD, "name": "C", "orgName": "X", "orgSlug": first.org["slug"]},
    )
    assert taken_slug.status_code == 409
    assert taken_slug.json()["code"] == "slug_taken"


def test_a_derived_slug_that_is_taken_gets_a_suffix(api: httpx.Client) -> None:
    first = sign_up(api, org_name="Same Name Inc")
    second = sign_up(api, org_name="Same Name Inc")
    assert first.org["slug"] != second.org["slug"]
    assert second.org["slug"].startswith(first.org["slug"][:20])


def test_sign_up_validates_every_field(api: httpx.Client) -> None:
    response = api.post(
        "/api/auth/signup", json={"email": "not-an-email", "password": "short", "name": "", "orgName": "X"}
    )

    assert response.status_code == 422
    fields = {detail["field"] for detail in response.json()["details"]}
    assert fields == {"email", "password", "name"}


def race(calls: list[Any]) -> list[httpx.Response]:
    """Run the calls at the same moment, each on its own thread."""
    results: list[httpx.Response] = [None] * len(calls)  # type: ignore[list-item]
    start = threading.Barrier(len(calls))

    def run(index: int) -> None:
        start.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_racing_sign_ups_for_one_email_or_slug_let_exactly_one_win(cloud: Any) -> None:
    email, slug = unique_email("race"), f"race-{unique_email()[5:15]}"
    with httpx.Client(base_url=cloud.url, timeout=30) as first, httpx.Client(base_url=cloud.url, timeout=30) as second:
        same_email = race(
            [
                lambda: first.post(
                    "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "A", "orgName": "A"}
                ),
                lambda: second.post(
                    "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": "B", "orgName": "B"}
                ),
            ]
        )
        same_slug = race(
            [
                lambda: first.post(
                    "/api/auth/signup",
                    json={"email": unique_email(), "password": PASSWORD, "name": "A", "orgName": "A", "orgSlug": slug},
                ),
                lambda: second.post(
                    "/api/auth/signup",
                    json={"email": unique_email(), "password": PASSWORD, "name": "B", "orgName": "B", "orgSlug": slug},
                ),
            ]
        )
    assert sorted(r.status_code for r in same_email) == [201, 409]
    assert sorted(r.status_code for r in same_slug) == [201, 409]


def test_log_in_returns_a_token_and_the_users_orgs(api: httpx.Client) -> None:
    account = sign_up(api)
    response = api.post("/api/auth/login", json={"email": account.user["email"], "password": PASSWORD})

    assert response.status_code == 200
    body = response.json()
    assert [org["orgId"] for org in body["orgs"]] == [account.org["id"]]
    assert api.get("/api/me", headers=bearer(body["token"])).status_code == 200


def test_log_in_says_the_same_for_a_wrong_password_and_an_unknown_email(api: httpx.Client) -> None:
    account = sign_up(api)
    wrong_password = api.post("/api/auth/login", json={"email": account.user["email"], "password": "nope-nope"})
    unknown_email = api.post("/api/auth/login", json={"email": unique_email(), "password": PASSWORD})

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json()


def test_invite_accepted_by_a_new_user_joins_with_the_role(api: httpx.Client) -> None:
    owner = sign_up(api)
    member = join_with_role(api, owner, "MEMBER")

    assert member.org["id"] == owner.org["id"]
    members = api.get("/api/members", headers=owner.headers).json()["items"]
    assert {(m["userId"], m["role"]) for m in members} == {(owner.user["id"], "OWNER"), (member.user["id"], "MEMBER")}
    # the new user can log in with the password they chose
    assert api.post("/api/auth/login", json={"email": member.user["email"], "password": PASSWORD}).status_code == 200


def test_an_invite_works_once_and_can_be_revoked(api: httpx.Client) -> None:
    owner = sign_up(api)
    invite = api.post("/api/invites", json={"email": unique_email(), "role": "VIEWER"}, headers=owner.headers).json()
    assert invite["url"].endswith(f"/invite/{invite['token']}")  # the dashboard's page
    assert [i["id"] for i in api.get("/api/invites", headers=owner.headers).json()["items"]] == [invite["id"]]
    assert "token" not in api.get("/api/invites", headers=owner.headers).text

    new_user = {"name": "V", "password": PASSWORD}
    assert api.post(f"/api/invites/{invite['token']}/accept", json=new_user).status_code == 200
    assert api.post(f"/api/invites/{invite['token']}/accept", json=new_user).status_code == 404

    revoked = api.post("/api/invites", json={"email": unique_email(), "role": "MEMBER"}, headers=owner.headers).json()
    assert api.delete(f"/api/invites/{revoked['id']}", headers=owner.headers).status_code == 204
    assert api.post(f"/api/invites/{revoked['token']}/accept", json=new_user).status_code == 404
    assert api.delete(f"/api/invites/{revoked['id']}", headers=owner.headers).status_code == 404


def test_an_expired_invite_is_gone(api: httpx.Client) -> None:
    from grounded_core.clock import utc_now
    from grounded_core.identity.invites import InviteRequest, create_invite
    from grounded_core.identity.principal import Credential

    owner = sign_up(api)
    # Given an invite made eight days ago (invites last seven)
    principal = Credential(
        authenticated=True, kind="user", user_id=owner.user["id"], memberships=f'{{"{owner.org["id"]}": "OWNER"}}'
    ).principal(None)
    old = create_invite(principal, InviteRequest(email=unique_email()), now=utc_now() - timedelta(days=8))

    response = api.post(f"/api/invites/{old.token}/accept", json={"name": "Late", "password": PASSWORD})

    assert response.status_code == 410
    assert response.json()["code"] == "invite_expired"
    assert old.id not in {i["id"] for i in api.get("/api/invites", headers=owner.headers).json()["items"]}


def test_an_existing_user_accepts_while_logged_in_and_picks_the_org_per_request(api: httpx.Client) -> None:
    host = sign_up(api, org_name="Host Org")
    guest = sign_up(api, org_name="Guest Home")
    invite = api.post("/api/invites", json={"email": guest.user["email"], "role": "ADMIN"}, headers=host.headers).json()

    accepted = api.post(f"/api/invites/{invite['token']}/accept", headers=guest.headers)
    assert accepted.status_code == 200

    # The user's first org is the default; X-Grounded-Org picks another they belong to
    assert api.get("/api/org", headers=guest.headers).json()["id"] == guest.org["id"]
    assert api.get("/api/org", headers=bearer(guest.token, host.org["id"])).json()["id"] == host.org["id"]
    assert api.get("/api/me", headers=bearer(guest.token, host.org["id"])).json()["role"] == "ADMIN"
    # and an org they do not belong to is not found
    stranger = sign_up(api)
    elsewhere = api.get("/api/org", headers=bearer(guest.token, stranger.org["id"]))
    assert elsewhere.status_code == 401  # the same answer for an org that does not exist
    assert elsewhere.json()["code"] == "not_a_member"
    assert api.get("/api/org", headers=bearer(guest.token, "org_made_up")).json()["code"] == "not_a_member"


def test_the_last_owner_can_be_neither_demoted_nor_removed(api: httpx.Client) -> None:
    owner = sign_up(api)
    me = owner.user["id"]
    demote = api.patch(f"/api/members/{me}", json={"role": "ADMIN"}, headers=owner.headers)
    assert demote.status_code == 409
    assert api.delete(f"/api/members/{me}", headers=owner.headers).status_code == 409

    # With a second owner, the first can step down
    second = join_with_role(api, owner, "ADMIN")
    promoted = api.patch(f"/api/members/{second.user['id']}", json={"role": "OWNER"}, headers=owner.headers)
    assert promoted.json()["role"] == "OWNER"
    assert api.patch(f"/api/members/{me}", json={"role": "ADMIN"}, headers=owner.headers).status_code == 200
    # and now the second is the last owner
    assert api.delete(f"/api/members/{second.user['id']}", headers=second.headers).status_code == 409


def test_only_an_owner_makes_owners(api: httpx.Client) -> None:
    owner = sign_up(api)
    admin = join_with_role(api, owner, "ADMIN")
    member = join_with_role(api, owner, "MEMBER")

    refused = api.patch(f"/api/members/{member.user['id']}", json={"role": "OWNER"}, headers=admin.headers)
    assert refused.status_code == 403
    assert (
        api.patch(f"/api/members/{member.user['id']}", json={"role": "ADMIN"}, headers=admin.headers).status_code == 200
    )
    owner_invite = api.post("/api/invites", json={"email": unique_email(), "role": "OWNER"}, headers=admin.headers)
    assert owner_invite.status_code == 403


def test_admins_rename_the_org_and_change_its_slug(api: httpx.Client) -> None:
    owner = sign_up(api)
    other = sign_up(api)
    slug = f"renamed-{owner.org['id'][-8:]}"

    renamed = api.patch("/api/org", json={"name": "Renamed", "slug": slug}, headers=owner.headers)
    assert renamed.status_code == 200
    assert api.get("/api/org", headers=owner.headers).json()["slug"] == slug
    taken = api.patch("/api/org", json={"slug": slug}, headers=other.headers)
    assert taken.status_code == 409


def test_a_refused_sign_up_leaves_nothing_behind(api: httpx.Client) -> None:
    # Given a sign-up refused for its slug (the whole transaction is rolled back)...
    first = sign_up(api)
    email = unique_email()
    body = {"email": email, "password": PASSWORD, "name": "B", "orgName": "B", "orgSlug": first.org["slug"]}
    assert api.post("/api/auth/signup", json=body).status_code == 409

    # ...the email it would have taken is still free, and the password it carried does not log in
    assert api.post("/api/auth/login", json={"email": email, "password": PASSWORD}).status_code == 401
    assert api.post("/api/auth/signup", json={**body, "orgSlug": None}).status_code == 201
