"""Deleting an org and deleting one's account (issue 18): keys and members are out at once, a job
erases every item, payload and secret of the org (another org is untouched), and an account is
never deleted while it is an org's last OWNER."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.support.connectors import create_connector
from tests.support.identity import (
    PASSWORD,
    Account,
    bearer,
    create_agent,
    create_key,
    create_snapshot,
    join_with_role,
    sign_up,
)
from tests.support.ingest import event, post_traces, trace, wait_normalized
from tests.support.lifecycle import items_of_org, payload_versions
from tests.support.waiting import wait_until


def fill(api: httpx.Client, owner: Account) -> dict[str, Any]:
    """An org with something of every kind: agents, snapshots, traces with payloads, telemetry,
    a session with turns, a connector with a secret, a suite with a case, a policy, a price, an
    invite, keys. What was made, by name."""
    agent = create_agent(api, owner.headers, name="doomed-bot")
    create_snapshot(api, owner.headers, agent["id"])
    gone = create_agent(api, owner.headers, name="deleted-before")
    create_snapshot(api, owner.headers, gone["id"])
    traces = [trace(agent["id"], input="x" * 20_000), trace(gone["id"], anonymousId="anon-gone")]
    trace_ids = [result["traceId"] for result in post_traces(api, owner.headers, traces).json()["results"]]
    for trace_id in trace_ids:
        wait_normalized(api, owner.headers, trace_id)
    assert api.delete(f"/api/agents/{gone['id']}", headers=owner.headers).status_code == 204  # leaves its data
    sent = api.post("/api/telemetry", json={"events": [event(agent["id"], "anon-doomed")]}, headers=owner.headers)
    assert sent.status_code == 202, sent.text

    def event_applied() -> bool:  # the org is complete (and stays as it is) only once its event is in
        listed = api.get("/api/sessions", params={"agentId": agent["id"]}, headers=owner.headers).json()["items"]
        return sum(int(listed_session.get("events", 0)) for listed_session in listed) == 1

    wait_until(event_applied, what="the telemetry event to be applied")
    session = api.post("/api/sessions", json={"agentId": agent["id"]}, headers=owner.headers).json()
    turn = {"role": "user", "content": "hello"}
    assert api.post(f"/api/sessions/{session['id']}/turns", json=turn, headers=owner.headers).status_code == 201
    connector = create_connector(
        api, owner.headers, agent["id"], "langsmith", {"apiKey": "ls-secret-doomed", "projectName": "p"}
    )
    suite = api.post("/api/evals/suites", json={"name": "s", "agentId": agent["id"]}, headers=owner.headers).json()
    case = {"name": "c", "input": {"q": "hi"}, "assertions": [{"type": "contains", "value": "hi"}]}
    assert api.post(f"/api/evals/suites/{suite['id']}/cases", json=case, headers=owner.headers).status_code == 201
    policy = {"agentId": agent["id"], "limit": 1000, "windowSeconds": 60, "per": "agent"}
    assert api.post("/api/policies", json=policy, headers=owner.headers).status_code == 201
    price = {"inputPerMTok": 1, "outputPerMTok": 2}
    assert api.put("/api/pricing/my-model", json=price, headers=owner.headers).status_code == 200
    invite = {"email": "later@example.com", "role": "MEMBER"}
    assert api.post("/api/invites", json=invite, headers=owner.headers).status_code == 201
    return {"agent": agent, "connector": connector, "key": create_key(api, owner, name="doomed")["key"]}


def test_deleting_an_org_erases_it_and_nothing_else(api: httpx.Client, cloud: Any) -> None:
    owner = sign_up(api, org_name="Doomed Org")
    bystander = sign_up(api, org_name="Bystander")
    made = fill(api, owner)
    fill(api, bystander)
    admin = join_with_role(api, owner, "ADMIN")
    elsewhere = sign_up(api, org_name="Elsewhere")  # a member of the doomed org with an org of their own
    invite = api.post(
        "/api/invites", json={"email": elsewhere.user["email"], "role": "MEMBER"}, headers=owner.headers
    ).json()
    assert api.post(f"/api/invites/{invite['token']}/accept", headers=elsewhere.headers).status_code == 200
    org_id, slug = owner.org["id"], owner.org["slug"]
    secrets = cloud.client("secretsmanager")
    secret_names = [s["Name"] for s in secrets.list_secrets()["SecretList"] if org_id in s["Name"]]
    assert len(secret_names) == 1
    assert payload_versions(cloud, f"orgs/{org_id}/") >= 1
    bystander_items = sorted((i["PK"], i["SK"]) for i in items_of_org(cloud, bystander.org["id"]))
    families = {str(item["SK"]).split("#", 1)[0] for item in items_of_org(cloud, org_id)}
    expected = {"ORG", "MEMBER", "AGENT", "SNAP", "TRACE", "APPLIED", "SESSION", "T", "EVT", "STITCH", "DAY"}
    assert expected | {"CONNECTOR", "SUITE", "CASE", "POLICY", "PRICE", "KEY", "INVITE", "TOTAL"} <= families
    assert len(bystander_items) > 30

    wrong = api.request("DELETE", "/api/org", json={"confirm": "not-the-slug"}, headers=owner.headers)
    assert wrong.status_code == 422
    assert wrong.json()["code"] == "confirmation_mismatch"
    by_admin = api.request("DELETE", "/api/org", json={"confirm": slug}, headers=admin.headers)
    assert by_admin.status_code == 403
    by_key = api.request("DELETE", "/api/org", json={"confirm": slug}, headers=bearer(made["key"]))
    assert by_key.status_code == 403

    accepted = api.request("DELETE", "/api/org", json={"confirm": slug}, headers=owner.headers)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["type"] == "org.delete"

    # at once: its keys and its members are out; the members' other orgs are not
    assert api.get("/api/agents", headers=bearer(made["key"])).status_code == 401
    in_doomed = {**elsewhere.headers, "X-Grounded-Org": org_id}
    assert api.get("/api/agents", headers=in_doomed).status_code == 401
    assert api.get("/api/agents", headers=elsewhere.headers).status_code == 200
    assert api.get("/api/agents", headers=owner.headers).status_code == 401
    again = api.request("DELETE", "/api/org", json={"confirm": slug}, headers=owner.headers)
    assert again.status_code == 401  # the owner is a member of it no more

    def erased() -> bool:
        return not [item for item in items_of_org(cloud, org_id) if "ttl" not in item]

    wait_until(erased, timeout=60, what="the org's items to be erased")
    leftovers = items_of_org(cloud, org_id)
    soon = (datetime.now(UTC) + timedelta(hours=25)).timestamp()
    assert all(item["ttl"] < soon for item in leftovers), leftovers  # only short-lived windows expire by TTL
    assert payload_versions(cloud, f"orgs/{org_id}/") == 0
    assert [s for s in secrets.list_secrets()["SecretList"] if s["Name"] in secret_names] == []
    assert sorted((i["PK"], i["SK"]) for i in items_of_org(cloud, bystander.org["id"])) == bystander_items
    assert api.get("/api/agents", headers=bystander.headers).status_code == 200

    # the slug is free again, and the owner (of no org now) may still delete their account
    assert (
        api.post(
            "/api/auth/signup",
            json={
                "email": f"new-{slug}@example.com",
                "password": PASSWORD,
                "name": "N",
                "orgName": "N",
                "orgSlug": slug,
            },
        ).status_code
        == 201
    )
    gone = api.request("DELETE", "/api/me", json={"password": PASSWORD}, headers=owner.headers)
    assert gone.status_code == 204, gone.text


def test_the_last_owner_cannot_delete_their_account(api: httpx.Client) -> None:
    owner = sign_up(api)
    refused = api.request("DELETE", "/api/me", json={"password": PASSWORD}, headers=owner.headers)
    assert refused.status_code == 409
    assert refused.json()["code"] == "last_owner"
    assert owner.org["id"] in refused.json()["error"]

    wrong = api.request("DELETE", "/api/me", json={"password": "not my password"}, headers=owner.headers)
    assert wrong.status_code == 403
    missing = api.request("DELETE", "/api/me", json={}, headers=owner.headers)
    assert missing.status_code == 422
    assert api.get("/api/me", headers=owner.headers).status_code == 200


def test_deleting_an_account_signs_it_out_and_frees_the_email(api: httpx.Client) -> None:
    owner = sign_up(api)
    member = join_with_role(api, owner, "MEMBER")
    co_owner = join_with_role(api, owner, "ADMIN")
    promoted = api.patch(f"/api/members/{co_owner.user['id']}", json={"role": "OWNER"}, headers=owner.headers)
    assert promoted.status_code == 200

    assert api.request("DELETE", "/api/me", json={"password": PASSWORD}, headers=member.headers).status_code == 204
    after = api.get("/api/me", headers=member.headers)
    assert after.status_code == 401
    assert after.json()["code"] == "account_gone"
    members = api.get("/api/members", headers=owner.headers).json()["items"]
    assert member.user["id"] not in [m["userId"] for m in members]
    assert sign_up(api, email=member.user["email"]).user["id"] != member.user["id"]  # the email is free

    # one of two OWNERs may go; then the other is the last one
    assert api.request("DELETE", "/api/me", json={"password": PASSWORD}, headers=owner.headers).status_code == 204
    demote = api.patch(f"/api/members/{co_owner.user['id']}", json={"role": "ADMIN"}, headers=co_owner.headers)
    assert demote.status_code == 409
    assert demote.json()["code"] == "last_owner"


def test_an_account_route_serves_a_user_of_no_org(api: httpx.Client) -> None:
    owner = sign_up(api)
    member = join_with_role(api, owner, "VIEWER")
    assert api.delete(f"/api/members/{member.user['id']}", headers=owner.headers).status_code == 204

    assert api.get("/api/agents", headers=member.headers).status_code == 401
    change = {"currentPassword": PASSWORD, "newPassword": "a brand new passphrase"}
    changed = api.post("/api/auth/password", json=change, headers=member.headers)
    assert changed.status_code == 200, changed.text
    fresh = bearer(changed.json()["token"])
    assert api.post("/api/auth/logout-all", headers=fresh).status_code == 204
    assert api.get("/api/agents", headers=fresh).status_code == 401
