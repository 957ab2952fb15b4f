"""What `make dev` gives a new user: the real template served, and a demo org with a working key."""

from __future__ import annotations

import re

import httpx

from tests.support.cloud_process import ROOT, cloud_process


def test_the_local_cloud_starts_with_a_demo_key_that_works() -> None:
    printed: list[str] = []
    with cloud_process(ROOT / "template.yaml", "--no-schedules", output=printed) as url:
        text = "".join(printed)
        key = re.search(r"secret key:\s+(sk_live_\S+)", text)
        agent = re.search(r"agent:\s+(agt_\S+)", text)
        assert key, text
        assert agent, text

        with httpx.Client(base_url=url, timeout=30) as api:
            assert api.get("/api/health").json()["status"] == "ok"
            me = api.get("/api/me", headers={"Authorization": f"Bearer {key.group(1)}"})
            assert me.status_code == 200
            agents = api.get("/api/agents", headers={"Authorization": f"Bearer {key.group(1)}"}).json()["items"]
            assert [a["id"] for a in agents] == [agent.group(1)]
    env_file = ROOT / ".grounded" / "demo.env"
    assert key.group(1) in env_file.read_text()
