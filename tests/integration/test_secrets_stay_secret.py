"""Secrets (passwords, API keys, tokens) are never answered back or written to the logs."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.langsmith import FakeLangSmith
from tests.support.identity import PASSWORD, bearer, create_agent, create_key, sign_up, unique_email


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


def test_connector_credentials_never_reach_a_response_or_a_log(
    api: httpx.Client, logs: io.StringIO, fake_langsmith: FakeLangSmith
) -> None:
    from tests.support.connectors import connect, create_connector, wait_job

    account = sign_up(api, email=unique_email("connector"))
    agent = create_agent(api, account.headers)
    secret, wrong = "lsv2_pt_a1b2c3d4e5f6_never_show_me", "lsv2_pt_z9y8x7_wrong_key_too"
    fake_langsmith.api_keys.add(secret)
    fake_langsmith.project("secret-project")
    config = {"apiKey": secret, "projectName": "secret-project", "baseUrl": fake_langsmith.url}
    created = create_connector(api, account.headers, agent["id"], "langsmith", config)
    path = f"/api/connectors/{created['id']}"
    synced = connect(api, account.headers, created["id"])
    answers = [
        str(created),
        str(synced),
        str(wait_job(api, account.headers, synced["job"]["id"])),
        api.get(path, headers=account.headers).text,
        api.get("/api/connectors", headers=account.headers).text,
        api.get("/api/jobs", headers=account.headers).text,
        api.patch(path, json={"config": {"apiKey": wrong}}, headers=account.headers).text,
        # invalid bodies that carry the secret: the 422 names the field, never the value
        api.patch(path, json={"config": {"apiKey": secret, "baseUrl": secret}}, headers=account.headers).text,
        api.post(
            "/api/connectors", json={"agentId": secret, "config": {"apiKey": secret}}, headers=account.headers
        ).text,
    ]
    failed = wait_job(api, account.headers, api.post(f"{path}/sync", headers=account.headers).json()["id"])
    answers.append(str(failed))
    assert failed["error"] == "LangSmith rejected the API key (HTTP 401)."
    logged = logs.getvalue()
    assert "sync failed" in logged  # the worker's log lines are captured here
    for value in (secret, wrong):
        assert all(value not in answer for answer in answers)
        assert value not in logged
