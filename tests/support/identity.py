"""Helpers that act as users of the API: sign up, create keys and agents, build headers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

PASSWORD = "correct horse battery"


@dataclass
class Account:
    token: str
    user: dict[str, Any]
    org: dict[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


def bearer(secret: str, org_id: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {secret}"}
    if org_id:
        headers["X-Grounded-Org"] = org_id
    return headers


def unique_email(label: str = "user") -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}@example.com"


def sign_up(api: httpx.Client, email: str | None = None, org_name: str = "Acme Agents", **extra: Any) -> Account:
    body = {"email": email or unique_email(), "password": PASSWORD, "name": "Ada", "orgName": org_name, **extra}
    response = api.post("/api/auth/signup", json=body)
    assert response.status_code == 201, response.text
    payload = response.json()
    return Account(token=payload["token"], user=payload["user"], org=payload["org"])


def create_key(api: httpx.Client, account: Account, **body: Any) -> dict[str, Any]:
    response = api.post("/api/keys", json={"name": "test key", **body}, headers=account.headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def create_agent(api: httpx.Client, headers: dict[str, str], name: str = "support-bot", **body: Any) -> dict[str, Any]:
    response = api.post("/api/agents", json={"name": name, **body}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def create_snapshot(api: httpx.Client, headers: dict[str, str], agent_id: str, **body: Any) -> dict[str, Any]:
    snapshot = {"label": "v1", "systemPrompt": "You help.", "modelId": "gpt-4o-mini", **body}
    response = api.post(f"/api/agents/{agent_id}/snapshots", json=snapshot, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def join_with_role(api: httpx.Client, owner: Account, role: str) -> Account:
    """A new user invited into ``owner``'s org with ``role``."""
    email = unique_email(role.lower())
    invite = api.post("/api/invites", json={"email": email, "role": role}, headers=owner.headers)
    assert invite.status_code == 201, invite.text
    accepted = api.post(f"/api/invites/{invite.json()['token']}/accept", json={"name": "New", "password": PASSWORD})
    assert accepted.status_code == 200, accepted.text
    payload = accepted.json()
    return Account(token=payload["token"], user=payload["user"], org=payload["org"])
