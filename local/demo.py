"""First run: a demo org with a user, a secret key and an agent, made through the public API so
the quickstart works a minute after ``make dev``; its credentials are printed and written to
``.grounded/demo.env``. With a state folder (the default), the demo is kept there too
(``demo.json``, readable by its owner only) and the next start reuses it while it still logs in:
same user, key and agent, so ``demo.env`` stays valid. In memory only (``--ephemeral``) each start
makes a fresh one.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
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

    def banner(self, env_file: Path, kept: bool = False) -> str:
        where = "kept across restarts; make dev-reset starts over" if kept else "in memory, made anew at each start"
        return (
            f"Demo org ready ({where}):\n"
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


def keep_demo(url: str, state_dir: Path | None) -> Demo:
    """The demo kept in ``state_dir`` if it still logs in and its key still works; else a new one
    (kept there for the next start)."""
    saved = state_dir / "demo.json" if state_dir else None
    if saved is not None and saved.exists():
        demo = Demo(**{**json.loads(saved.read_text()), "url": url})
        if _still_works(demo):
            return demo
    demo = create_demo(url)
    if saved is not None:
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps(asdict(demo)))
        saved.chmod(0o600)
    return demo


def _still_works(demo: Demo) -> bool:
    with httpx.Client(base_url=demo.url, timeout=30) as api:
        login = api.post("/api/auth/login", json={"email": demo.email, "password": demo.password})
        key = api.get(f"/api/agents/{demo.agent_id}", headers={"Authorization": f"Bearer {demo.api_key}"})
    return login.status_code == 200 and key.status_code == 200
