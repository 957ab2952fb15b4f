"""The dashboard's sign-in: the user token in an HttpOnly, SameSite=Strict cookie (Secure but on
plain-HTTP localhost), accepted by the authorizer, with a CSRF header required on state-changing
requests, cleared by log-out — while API keys and bearer tokens work exactly as before."""

from __future__ import annotations

import httpx

from tests.support.identity import PASSWORD, bearer, create_key, sign_up, unique_email

CSRF = {"x-grounded-csrf": "1"}


def log_in(api: httpx.Client, email: str, **headers: str) -> httpx.Response:
    return api.post("/api/auth/login", json={"email": email, "password": PASSWORD}, headers=headers)


def session_cookie(response: httpx.Response) -> str:
    [cookie] = [value for value in response.headers.get_list("set-cookie") if value.startswith("grounded_session=")]
    return cookie


def test_log_in_sets_an_httponly_strict_cookie(api: httpx.Client) -> None:
    email = unique_email()
    sign_up(api, email=email)
    cookie = session_cookie(log_in(api, email))
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "path", "max-age", "samesite"} <= attributes
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert "Path=/api" in cookie
    assert "secure" not in attributes, "plain-HTTP localhost: a Secure cookie would be dropped"
    behind_tls = session_cookie(log_in(api, email, **{"x-forwarded-proto": "https"}))
    assert "secure" in {part.strip().lower() for part in behind_tls.split(";")}


def test_the_dashboard_never_sees_the_token(api: httpx.Client) -> None:
    email = unique_email()
    sign_up(api, email=email)
    answer = log_in(api, email, **{"x-grounded-session": "cookie"})
    assert answer.status_code == 200
    assert "token" not in answer.json()
    assert answer.json()["user"]["email"] == email
    assert session_cookie(answer)


def test_the_cookie_signs_requests_in_and_state_changes_need_the_csrf_header(api: httpx.Client) -> None:
    email = unique_email()
    sign_up(api, email=email)
    token = session_cookie(log_in(api, email)).split(";")[0].split("=", 1)[1]
    with httpx.Client(base_url=str(api.base_url), cookies={"grounded_session": token}) as browser:
        assert browser.get("/api/me").json()["user"]["email"] == email
        forged = browser.post("/api/agents", json={"name": "from-a-forged-form"})
        assert forged.status_code == 401
        assert forged.json()["code"] == "csrf_header_missing"
        made = browser.post("/api/agents", json={"name": "from-the-dashboard"}, headers=CSRF)
        assert made.status_code == 201
        assert browser.get("/api/agents").json()["items"][0]["name"] == "from-the-dashboard"
        logged_out = browser.post("/api/auth/logout")
        assert logged_out.status_code == 204
        cleared = session_cookie(logged_out)
        assert "Max-Age=0" in cleared or "expires=Thu, 01 Jan 1970" in cleared.lower()


def test_a_bad_cookie_is_a_401_and_keys_work_as_before(api: httpx.Client) -> None:
    owner = sign_up(api)
    with httpx.Client(base_url=str(api.base_url), cookies={"grounded_session": "not-a-token"}) as browser:
        refused = browser.get("/api/me")
        assert refused.status_code == 401
    key = create_key(api, owner)["key"]
    assert api.post("/api/agents", json={"name": "by-key"}, headers=bearer(key)).status_code == 201
    assert api.get("/api/me", headers=owner.headers).status_code == 200
