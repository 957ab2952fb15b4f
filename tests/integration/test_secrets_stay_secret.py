"""Secrets (passwords, API keys, tokens) are never answered back or written to the logs."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import httpx
import pytest

from tests.support.identity import PASSWORD, bearer, create_key, sign_up, unique_email


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """Everything the functions log, at DEBUG, formatted as in Lambda (they share one logger here)."""
    from grounded_core.observability import logger

    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(logger.registered_formatter)
    level = logger.log_level
    logger.addHandler(handler)
    logger.setLevel("DEBUG")
    yield written
    logger.setLevel(level)
    logger.removeHandler(handler)


def test_no_password_or_key_reaches_a_response_or_a_log(api: httpx.Client, logs: io.StringIO) -> None:
    account = sign_up(api, email=unique_email("secret"))
    key = create_key(api, account)["key"]
    answers = [
        api.post("/api/auth/login", json={"email": account.user["email"], "password": PASSWORD}).text,
        api.post("/api/auth/login", json={"email": account.user["email"], "password": PASSWORD + "x"}).text,
        api.get("/api/me", headers=bearer(key)).text,
        api.get("/api/keys", headers=account.headers).text,
        api.get("/api/members", headers=account.headers).text,
        # an invalid body that carries the secret: the 422 names the field, never the value
        api.post("/api/keys", json={"name": key, "scopes": [key]}, headers=account.headers).text,
        api.post("/api/auth/signup", json={"email": "bad", "password": key, "name": "x", "orgName": "y"}).text,
    ]
    api.get("/api/me", headers=bearer(key[:-2] + "xx"))  # a refused key is logged (by reason, not by value)
    logged = logs.getvalue()
    assert "credential refused" in logged

    assert key not in "".join(answers[:5])
    assert all(PASSWORD not in answer for answer in answers)
    assert key not in answers[6]
    assert "passwordHash" not in "".join(answers)
    for secret in (PASSWORD, key, key[:-2] + "xx", account.token):
        assert secret not in logged
