"""First run: a demo org with a user, a secret key and an agent, made through the public API so
the quickstart works a minute after ``make dev``. The local cloud keeps everything in memory, so
each start makes a fresh one; its credentials are printed and written to ``.grounded/demo.env``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import httpx

DEMO_EMAIL = "demo@grounded.local"


@dataclass(frozen=True)
class Demo:
    url: str
    email: str
    password: str
    org_id: str
    api_key: str
    agent_id: str

    def env(self) -> str:
        return (
            f"export GROUNDED_BASE_URL={self.url}\n"
            f"export GROUNDED_API_KEY={self.api_key}\n"
            f"export GROUNDED_AGENT_ID={self.agent_id}\n"
        )

    def banner(self, env_file: Path) -> str:
        return (
            f"Demo org ready (in memory, made anew at each start):\n"
            f"  log in:      {self.email} / {self.password}\n"
            f"  secret key:  {self.api_key}\n"
            f"  agent:       {self.agent_id}\n"
            f"  in another shell:  source {env_file}"
        )


def create_demo(url: str) -> Demo:
    password = secrets.token_urlsafe(12)
    with httpx.Client(base_url=url, timeout=30) as api:
        signup = api.post(
            "/api/auth/signup",
            json={"email": DEMO_EMAIL, "password": password, "name": "Demo User", "orgName": "Demo", "orgSlug": "demo"},
        )
        signup.raise_for_status()
        headers = {"Authorization": f"Bearer {signup.json()['token']}"}
        agent = api.post("/api/agents", json={"name": "demo-agent", "description": "Made by make dev"}, headers=headers)
        agent.raise_for_status()
        scopes = [
            "admin",
            "agents:read",
            "agents:write",
            "traces:read",
            "traces:write",
            "sessions:read",
            "sessions:write",
            "telemetry:write",
            "connectors:read",
            "connectors:write",
            "jobs:read",
            "jobs:write",
            "evals:read",
            "evals:write",
            "analytics:read",
        ]
        key = api.post("/api/keys", json={"name": "demo key", "scopes": scopes}, headers=headers)
        key.raise_for_status()
    return Demo(url, DEMO_EMAIL, password, signup.json()["org"]["id"], key.json()["key"], agent.json()["id"])


def write_env(demo: Demo, env_file: Path) -> None:
    env_file.parent.mkdir(parents=True, exist_ok=True)
    env_file.write_text(demo.env())
    env_file.chmod(0o600)
