"""Password reset by email, through the local cloud's SES outbox: the round trip, a used or expired
token refused, an unknown address answered the same with nothing sent, the rate limits, and every
earlier token signed out."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.support.identity import PASSWORD, bearer, sign_up, unique_email

NEW_PASSWORD = "a reset passphrase"
ASK = "/api/auth/password-reset"
CONFIRM = "/api/auth/password-reset/confirm"


@pytest.fixture
def caller(cloud: Any) -> Iterator[httpx.Client]:
    """A client from an address of its own (127.x.y.z): reset requests are limited per caller, and
    the fuzz suite asks for resets from 127.0.0.1 too."""
    address = f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(1, 254)}"
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(base_url=cloud.url, transport=transport, timeout=30) as client:
        yield client


def mails_to(api: httpx.Client, address: str) -> list[dict[str, Any]]:
    return [mail for mail in api.get("/_local/outbox").json()["items"] if address in mail["to"]]


def token_in(mail: dict[str, Any]) -> str:
    found = re.search(r"/reset-password#([A-Za-z0-9_-]+)", mail["text"])
    assert found, mail["text"]
    return found.group(1)


def test_a_reset_round_trip_through_the_outbox_signs_out_old_tokens(api: httpx.Client, caller: httpx.Client) -> None:
    email = unique_email("reset")
    account = sign_up(api, email=email)
    asked = caller.post(ASK, json={"email": email.upper()})
    assert asked.status_code == 202
    [mail] = mails_to(api, email)
    assert mail["subject"] == "Reset your Grounded password"
    assert mail["from"] == "no-reply@grounded.local"

    done = api.post(CONFIRM, json={"token": token_in(mail), "password": NEW_PASSWORD})
    assert done.status_code == 200, done.text
    assert done.json()["user"]["email"] == email
    assert api.get("/api/me", headers=bearer(done.json()["token"])).status_code == 200
    assert api.get("/api/me", headers=account.headers).json()["code"] == "token_revoked"
    assert api.post("/api/auth/login", json={"email": email, "password": PASSWORD}).status_code == 401
    assert api.post("/api/auth/login", json={"email": email, "password": NEW_PASSWORD}).status_code == 200


def test_a_reset_token_works_once(api: httpx.Client, caller: httpx.Client) -> None:
    email = unique_email("reset-once")
    sign_up(api, email=email)
    caller.post(ASK, json={"email": email})
    token = token_in(mails_to(api, email)[0])
    weak = api.post(CONFIRM, json={"token": token, "password": "short"})
    assert weak.status_code == 422  # refused before the token is spent
    assert api.post(CONFIRM, json={"token": token, "password": NEW_PASSWORD}).status_code == 200
    again = api.post(CONFIRM, json={"token": token, "password": "yet another passphrase"})
    assert again.status_code == 400
    assert again.json()["code"] == "invalid_reset_token"
    made_up = api.post(CONFIRM, json={"token": "not-a-token", "password": NEW_PASSWORD})
    assert made_up.json()["code"] == "invalid_reset_token"


def test_an_unknown_address_gets_the_same_answer_and_no_mail(api: httpx.Client, caller: httpx.Client) -> None:
    email = unique_email("nobody")
    known = unique_email("somebody")
    sign_up(api, email=known)
    unknown_answer = caller.post(ASK, json={"email": email})
    known_answer = caller.post(ASK, json={"email": known})
    assert unknown_answer.status_code == known_answer.status_code == 202
    assert unknown_answer.json() == known_answer.json()
    assert mails_to(api, email) == []
    assert len(mails_to(api, known)) == 1


def test_requests_are_limited_per_address_known_or_not(api: httpx.Client, caller: httpx.Client) -> None:
    for email in (unique_email("limited"), sign_up(api, email=unique_email("limited")).user["email"]):
        answers = [caller.post(ASK, json={"email": email}).status_code for _ in range(6)]
        assert answers == [202] * 5 + [429]
        refused = caller.post(ASK, json={"email": email})
        assert refused.json()["code"] == "rate_limited"
        assert 0 < int(refused.headers["retry-after"]) <= 3600
    assert len(mails_to(api, email)) == 5


def test_an_expired_token_is_refused(cloud: Any) -> None:
    """An hour later (the clock moved forward in-process; the route reads the real clock)."""
    from grounded_core.clock import utc_now
    from grounded_core.errors import BadRequest
    from grounded_core.identity import password_reset
    from grounded_core.identity.accounts import SignUp
    from grounded_core.identity.accounts import sign_up as make_account

    email = unique_email("expired")
    make_account(SignUp(email=email, password=PASSWORD, name="E", org_name="Expired"))
    password_reset.request_reset(password_reset.ResetRequest(email=email), "test")
    token = token_in(next(mail for mail in cloud.outbox() if email in mail["to"]))
    later = utc_now() + timedelta(hours=1, seconds=1)
    with pytest.raises(BadRequest, match="expired"):
        password_reset.confirm_reset(password_reset.ResetConfirm(token=token, password=NEW_PASSWORD), now=later)


def test_requests_are_limited_per_caller(caller: httpx.Client) -> None:
    answers = [caller.post(ASK, json={"email": unique_email("many")}).status_code for _ in range(21)]
    assert answers == [202] * 20 + [429]
