"""Signing out everywhere and changing the password: every user token issued before (bearer or the
dashboard's cookie) answers 401 from the very next request; API keys are not affected."""

from __future__ import annotations

import httpx

from tests.support.identity import PASSWORD, bearer, create_key, sign_up, unique_email

NEW_PASSWORD = "a much longer passphrase"


def log_in(api: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    return api.post("/api/auth/login", json={"email": email, "password": password})


def test_signing_out_everywhere_refuses_every_earlier_token_at_once(api: httpx.Client) -> None:
    email = unique_email()
    account = sign_up(api, email=email)
    other_device = log_in(api, email).json()["token"]
    key = create_key(api, account)["key"]

    assert api.post("/api/auth/logout-all", headers=account.headers).status_code == 204

    for token in (account.token, other_device):
        refused = api.get("/api/me", headers=bearer(token))
        assert refused.status_code == 401
        assert refused.json()["code"] == "token_revoked"
        assert "log in again" in refused.json()["error"]
    fresh = log_in(api, email).json()["token"]
    assert api.get("/api/me", headers=bearer(fresh)).status_code == 200
    assert api.get("/api/agents", headers=bearer(key)).status_code == 200  # keys are not sessions


def test_the_dashboard_cookie_is_signed_out_too(api: httpx.Client) -> None:
    email = unique_email()
    account = sign_up(api, email=email)
    cookie = log_in(api, email).cookies.get("grounded_session")
    assert cookie
    with httpx.Client(base_url=str(api.base_url), cookies={"grounded_session": cookie}) as browser:
        assert browser.get("/api/me").status_code == 200
        assert api.post("/api/auth/logout-all", headers=account.headers).status_code == 204
        assert browser.get("/api/me").status_code == 401


def test_changing_the_password_signs_out_old_tokens_and_answers_a_fresh_one(api: httpx.Client) -> None:
    email = unique_email()
    account = sign_up(api, email=email)
    change = {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}

    changed = api.post("/api/auth/password", json=change, headers=account.headers)
    assert changed.status_code == 200, changed.text
    fresh = changed.json()["token"]
    assert changed.json()["user"]["email"] == email
    assert api.get("/api/me", headers=account.headers).json()["code"] == "token_revoked"
    assert api.get("/api/me", headers=bearer(fresh)).status_code == 200
    assert log_in(api, email).status_code == 401
    assert log_in(api, email, NEW_PASSWORD).status_code == 200


def test_a_wrong_current_password_or_a_weak_new_one_changes_nothing(api: httpx.Client) -> None:
    email = unique_email()
    account = sign_up(api, email=email)
    wrong = api.post(
        "/api/auth/password", json={"currentPassword": "nope", "newPassword": NEW_PASSWORD}, headers=account.headers
    )
    assert wrong.status_code == 403
    assert wrong.json()["code"] == "wrong_password"
    weak = api.post(
        "/api/auth/password", json={"currentPassword": PASSWORD, "newPassword": "short"}, headers=account.headers
    )
    assert weak.status_code == 422
    assert weak.json()["details"][0]["field"] == "newPassword"
    assert api.get("/api/me", headers=account.headers).status_code == 200
    assert log_in(api, email).status_code == 200


def test_api_keys_cannot_sign_out_or_change_a_password(api: httpx.Client) -> None:
    account = sign_up(api)
    key = create_key(api, account)["key"]
    for path, body in (("/api/auth/logout-all", None), ("/api/auth/password", {"currentPassword": PASSWORD})):
        refused = api.post(path, json=body, headers=bearer(key))
        assert refused.status_code == 403, path


def test_accepting_an_invite_after_signing_out_everywhere_answers_a_working_token(api: httpx.Client) -> None:
    owner = sign_up(api)
    email = unique_email("joiner")
    joiner = sign_up(api, email=email)
    assert api.post("/api/auth/logout-all", headers=joiner.headers).status_code == 204
    token = log_in(api, email).json()["token"]
    invite = api.post("/api/invites", json={"email": email, "role": "MEMBER"}, headers=owner.headers).json()
    accepted = api.post(f"/api/invites/{invite['token']}/accept", json={}, headers=bearer(token))
    assert accepted.status_code == 200, accepted.text
    assert api.get("/api/me", headers=bearer(accepted.json()["token"], owner.org["id"])).status_code == 200
