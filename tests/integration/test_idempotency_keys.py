"""``Idempotency-Key`` on creating requests (issue 14): the same key and body answer the first
response again for 24 hours, without creating twice; the same key with another body is a 422; keys
are the caller's own."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.support.identity import Account, sign_up
from tests.support.ingest import post_traces, trace


def test_a_repeated_create_answers_the_first_response_and_creates_once(api: httpx.Client, owner: Account) -> None:
    key = str(uuid.uuid4())
    name = f"once-{key[:8]}"
    headers = {**owner.headers, "Idempotency-Key": key}
    first = api.post("/api/agents", json={"name": name}, headers=headers)
    again = api.post("/api/agents", json={"name": name}, headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers.get("idempotent-replayed") == "true"
    listed = api.get("/api/agents", params={"limit": 200}, headers=owner.headers).json()["items"]
    assert [agent["name"] for agent in listed].count(name) == 1


def test_the_same_key_with_another_body_is_refused(api: httpx.Client, owner: Account) -> None:
    headers = {**owner.headers, "Idempotency-Key": str(uuid.uuid4())}
    assert api.post("/api/agents", json={"name": "a"}, headers=headers).status_code == 201
    other = api.post("/api/agents", json={"name": "b"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


def test_keys_belong_to_their_caller(api: httpx.Client, owner: Account) -> None:
    key = str(uuid.uuid4())
    mine = api.post("/api/agents", json={"name": "x"}, headers={**owner.headers, "Idempotency-Key": key}).json()
    stranger = sign_up(api)
    theirs = api.post("/api/agents", json={"name": "x"}, headers={**stranger.headers, "Idempotency-Key": key})
    assert theirs.status_code == 201
    assert theirs.json()["id"] != mine["id"]


def test_a_batch_sent_twice_with_its_key_is_stored_once(
    api: httpx.Client, owner: Account, agent: dict[str, Any]
) -> None:
    headers = {**owner.headers, "Idempotency-Key": str(uuid.uuid4())}
    batch = [trace(agent["id"]) for _ in range(3)]  # no client ids: without the key, a resend duplicates
    first = post_traces(api, headers, batch)
    again = post_traces(api, headers, batch)
    assert first.status_code == again.status_code == 202
    assert [r["traceId"] for r in again.json()["results"]] == [r["traceId"] for r in first.json()["results"]]


def test_an_answer_with_a_secret_is_never_kept_and_never_made_twice(api: httpx.Client, owner: Account) -> None:
    """A new API key's plaintext is shown once: the idempotency record never stores it, and a
    repeat of the request creates no second key."""
    from grounded_core.store import table

    headers = {**owner.headers, "Idempotency-Key": str(uuid.uuid4())}
    name = f"once-{uuid.uuid4().hex[:6]}"
    first = api.post("/api/keys", json={"name": name}, headers=headers)
    again = api.post("/api/keys", json={"name": name}, headers=headers)

    assert first.status_code == 201
    assert (again.status_code, again.json()["code"]) == (409, "idempotent_secret_not_kept")
    listed = api.get("/api/keys", params={"limit": 200}, headers=owner.headers).json()["items"]
    assert [key["name"] for key in listed].count(name) == 1
    stored = table.query_all(f"ORG#{owner.org['id']}#{owner.user['id']}#IDEMPOTENCY#{headers['Idempotency-Key']}")
    assert stored
    assert first.json()["key"] not in str(stored)
