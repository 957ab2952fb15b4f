"""What `make dev` gives a new user: the real template served, and a demo org with a working key."""

from __future__ import annotations

import os
import re
import subprocess
import sys

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

        built = (ROOT / "web" / "dist" / "index.html").exists()
        assert (f"Dashboard: {url}/" if built else "Dashboard: not built") in text, text

        with httpx.Client(base_url=url, timeout=30) as api:
            assert api.get("/api/health").json()["status"] == "ok"
            page = api.get("/sessions/any-route")  # the dashboard (or how to build it), same origin
            assert page.headers["content-type"].startswith("text/html")
            assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
            me = api.get("/api/me", headers={"Authorization": f"Bearer {key.group(1)}"})
            assert me.status_code == 200
            agents = api.get("/api/agents", headers={"Authorization": f"Bearer {key.group(1)}"}).json()["items"]
            assert [a["id"] for a in agents] == [agent.group(1)]
    env_file = ROOT / ".grounded" / "demo.env"
    assert key.group(1) in env_file.read_text()


def test_the_sdk_examples_run_as_written_against_the_dev_cloud() -> None:
    """The README's SDK quickstart (examples/quickstart.py) and the eval example, with the
    environment ``source .grounded/demo.env`` gives."""
    printed: list[str] = []
    with cloud_process(ROOT / "template.yaml", "--no-schedules", output=printed) as url:
        text = "".join(printed)
        env = {
            **os.environ,
            "GROUNDED_BASE_URL": url,
            "GROUNDED_API_KEY": re.search(r"secret key:\s+(sk_live_\S+)", text).group(1),  # type: ignore[union-attr]
            "GROUNDED_AGENT_ID": re.search(r"agent:\s+(agt_\S+)", text).group(1),  # type: ignore[union-attr]
        }
        for example, expected in (("quickstart.py", r"session ses_\w+: 1 trace\(s\), \d turn\(s\), cost \$0\.\d+"),
                                  ("evals_submit.py", r"COMPLETED, 5/5 passed, pass rate 1\.0")):  # fmt: skip
            ran = subprocess.run(
                [sys.executable, str(ROOT / "examples" / example)],
                check=False,
                env=env,
                capture_output=True,
                text=True,
                timeout=180,
            )
            assert ran.returncode == 0, ran.stderr
            assert re.search(expected, ran.stdout), ran.stdout
