"""The local cloud remembers: what a developer collected survives a clean stop and a crash
(``kill -9``) — traces with their payloads, sessions, an eval run, a connector and its credentials,
the demo login and key, a message still queued — and ``--ephemeral`` leaves nothing on disk."""

from __future__ import annotations

import re
import signal
import time
from pathlib import Path
from typing import Any

import httpx

from tests.fakes.agent import FakeAgent
from tests.fakes.langsmith import FakeLangSmith
from tests.support.cloud_process import ROOT, cloud_process
from tests.support.connectors import connect, create_connector, wait_job
from tests.support.waiting import wait_until

TEMPLATE = ROOT / "template.yaml"


def demo_of(printed: list[str]) -> dict[str, str]:
    text = "".join(printed)
    login = re.search(r"log in:\s+(\S+) / (\S+)", text)
    key = re.search(r"secret key:\s+(sk_live_\S+)", text)
    agent = re.search(r"agent:\s+(agt_\S+)", text)
    assert login, text
    assert key, text
    assert agent, text
    return {"email": login.group(1), "password": login.group(2), "key": key.group(1), "agent": agent.group(1)}


def restored_count(printed: list[str], what: str) -> int:
    found = re.search(rf"(\d+) {what}", "".join(printed))
    assert found, "".join(printed)
    return int(found.group(1))


def journal(state: Path) -> str:
    path = state / "journal.jsonl"
    return path.read_text() if path.exists() else ""


def stamp(seconds_ago: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - seconds_ago))


def normalized(api: httpx.Client, trace_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        found = api.get(f"/api/traces/{trace_id}")
        return (
            found.json()
            if found.status_code == 200 and found.json()["normalization"]["state"] == "normalized"
            else None
        )

    return wait_until(done, timeout=30, what=f"trace {trace_id} normalized")


def collect(api: httpx.Client, agent: str, fake_agent: FakeAgent, langsmith: FakeLangSmith) -> tuple[str, str, Any]:
    """What a developer collects: a trace with a payload in S3 (its session), an eval run, and a
    connector whose credentials are in Secrets Manager."""
    snapshot = {"label": "v1", "systemPrompt": "You help.", "modelId": "gpt-4o-mini"}
    assert api.post(f"/api/agents/{agent}/snapshots", json=snapshot).status_code == 201
    big = {
        "id": "kept-big",
        "agentId": agent,
        "sessionId": "kept",
        "startedAt": stamp(60),
        "input": "x" * 30_000,
    }
    assert api.post("/api/traces/batch", json={"traces": [big]}).status_code == 202
    session_id = normalized(api, "kept-big")["normalization"]["sessionId"]

    suite = api.post("/api/evals/suites", json={"agentId": agent, "name": "kept"}).json()
    cases = [{"input": "2+2", "assertions": [{"type": "equals", "value": "4"}]}]
    api.post(f"/api/evals/suites/{suite['id']}/cases", json={"cases": cases})
    target = {"url": fake_agent.url + "/right"}
    run = api.post("/api/evals/runs", json={"suiteId": suite["id"], "mode": "endpoint", "target": target})
    run_id = run.json()["id"]
    wait_until(lambda: api.get(f"/api/evals/runs/{run_id}").json()["status"] != "RUNNING", timeout=60, what="the run")
    langsmith.project("kept-project")
    config = {"apiKey": "ls-fake-key-0001", "projectName": "kept-project", "baseUrl": langsmith.url}
    connector = create_connector(api, api.headers, agent, "langsmith", config)
    return session_id, run_id, connector


def test_data_survives_a_clean_stop_and_a_crash(tmp_path: Path) -> None:
    state = tmp_path / "state"
    first: list[str] = []
    fake_agent, langsmith = FakeAgent({"2+2": "4"}).start(), FakeLangSmith().start()
    try:
        with cloud_process(TEMPLATE, "--no-schedules", output=first, state_dir=state) as url:
            demo = demo_of(first)
            api = httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Bearer {demo['key']}"})
            session_id, run_id, connector = collect(api, demo["agent"], fake_agent, langsmith)
            agent = demo["agent"]

        second: list[str] = []
        with cloud_process(TEMPLATE, "--no-schedules", output=second, state_dir=state, stop_with=signal.SIGKILL) as url:
            assert demo_of(second) == demo  # same login, key and agent: demo.env stays valid
            api = httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Bearer {demo['key']}"})
            login = api.post("/api/auth/login", json={"email": demo["email"], "password": demo["password"]})
            assert login.status_code == 200
            kept = api.get("/api/traces/kept-big").json()
            assert (kept["input"], kept["normalization"]["sessionId"]) == ("x" * 30_000, session_id)
            timeline = api.get(f"/api/sessions/{session_id}/timeline").json()["items"]
            assert [entry["kind"] for entry in timeline][:2] == ["trace", "turn"]
            finished = api.get(f"/api/evals/runs/{run_id}").json()
            assert (finished["status"], finished["passed"]) == ("COMPLETED", 1), finished
            # the connector's credentials were kept in Secrets Manager: a sync still signs in
            langsmith.add_trace("kept-project", time_ago(3600))
            job = connect(api, api.headers, connector["id"])["job"]
            assert wait_job(api, api.headers, job["id"])["status"] == "succeeded"

            # a crash right after a write: the trace and its queued message survive it
            late = {"id": "kept-late", "agentId": agent, "sessionId": "kept", "startedAt": stamp(30), "output": "late"}
            assert api.post("/api/traces/batch", json={"traces": [late]}).status_code == 202

            # on disk (flushed every 0.25 s) — while the worker still waits (up to 1 s) to fill a batch
            def queued_on_disk() -> bool:
                return any('"queue"' in line and "kept-late" in line for line in journal(state).splitlines())

            wait_until(queued_on_disk, timeout=5, interval=0.02, what="the trace's message on disk")

        third: list[str] = []
        with cloud_process(TEMPLATE, "--no-schedules", output=third, state_dir=state) as url:
            api = httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Bearer {demo['key']}"})
            assert restored_count(third, "queued messages") >= 1  # still waiting (or in flight) at the crash
            assert normalized(api, "kept-late")["normalization"]["sessionId"] == session_id
            assert restored_count(third, "table items") > restored_count(second, "table items")
    finally:
        fake_agent.stop()
        langsmith.stop()


def time_ago(seconds: float) -> Any:
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC) - timedelta(seconds=seconds)


def test_ephemeral_keeps_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "never"
    printed: list[str] = []
    with cloud_process(TEMPLATE, "--no-schedules", "--ephemeral", "--state-dir", str(folder), output=printed) as url:
        assert httpx.get(f"{url}/api/health").status_code == 200
    assert not folder.exists()
    assert "in memory" in "".join(printed)


def test_reload_serves_an_edited_handler_and_keeps_the_data(tmp_path: Path) -> None:
    import shutil
    import socket

    project = tmp_path / "project"
    ignored = shutil.ignore_patterns("__pycache__", ".mypy_cache")
    for folder in ("functions", "shared", "statemachines", "layers"):
        shutil.copytree(ROOT / folder, project / folder, ignore=ignored)
    shutil.copy(TEMPLATE, project / "template.yaml")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    printed: list[str] = []
    arguments = ("--no-schedules", "--no-demo", "--reload", "--port", str(port))
    with cloud_process(project / "template.yaml", *arguments, output=printed, state_dir=tmp_path / "state") as url:
        api = httpx.Client(base_url=url, timeout=30)
        account = {"email": "reload@example.com", "password": "reloading", "name": "R", "orgName": "R"}
        assert api.post("/api/auth/signup", json=account).status_code == 201
        assert api.get("/api/no-such-thing").json()["error"].startswith("No route")

        handler = project / "functions" / "health" / "app.py"
        handler.write_text(handler.read_text().replace('f"No route {', 'f"Reloaded: no route {'))
        edited = time.monotonic()

        def served() -> bool:
            try:
                return api.get("/api/no-such-thing").json()["error"].startswith("Reloaded")
            except (httpx.HTTPError, ValueError):
                return False  # between the old process and the new one

        wait_until(served, timeout=30, interval=0.1, what="the edited handler served")
        print(f"code reloaded in place, served {time.monotonic() - edited:.1f}s after the edit")
        # printed just after the new code is in place: the line may reach us a moment after a request
        reloaded = "Reloaded code: functions/health/app.py changed"
        wait_until(lambda: reloaded in "".join(printed), timeout=10, what="the reload reported")

        template = project / "template.yaml"  # a new deployment: a new process, the data kept
        starts = "".join(printed).count("ready on")
        template.write_text(template.read_text() + "\n# edited\n")
        edited = time.monotonic()
        wait_until(lambda: "".join(printed).count("ready on") > starts, timeout=90, what="the redeployed cloud")
        assert "Redeploying: template.yaml changed" in "".join(printed)

        def logs_in() -> bool:
            try:
                login = api.post("/api/auth/login", json={"email": account["email"], "password": "reloading"})
            except httpx.HTTPError:
                return False
            return login.status_code == 200

        wait_until(logs_in, timeout=30, interval=0.2, what="the data kept across the redeploy")
        print(f"redeployed, served {time.monotonic() - edited:.1f}s after the edit")
        assert served()  # the edited handler is what the new process loaded


def test_an_eval_run_in_the_middle_of_its_steps_finishes_after_a_crash(tmp_path: Path) -> None:
    state, first = tmp_path / "state", []  # type: list[str]
    fake_agent = FakeAgent({f"q{n}": f"a{n}" for n in range(6)})
    fake_agent.slow_seconds = 5.0
    fake_agent.start()
    try:
        with cloud_process(TEMPLATE, "--no-schedules", output=first, state_dir=state, stop_with=signal.SIGKILL) as url:
            demo = demo_of(first)
            api = httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Bearer {demo['key']}"})
            suite = api.post("/api/evals/suites", json={"agentId": demo["agent"], "name": "interrupted"}).json()
            cases = [{"input": f"q{n}", "assertions": [{"type": "equals", "value": f"a{n}"}]} for n in range(6)]
            api.post(f"/api/evals/suites/{suite['id']}/cases", json={"cases": cases})
            target = {"url": fake_agent.url + "/slow"}
            run_id = api.post(
                "/api/evals/runs", json={"suiteId": suite["id"], "mode": "endpoint", "target": target}
            ).json()["id"]
            wait_until(lambda: '"execution"' in journal(state), timeout=10, what="the running execution kept")
            assert api.get(f"/api/evals/runs/{run_id}").json()["status"] == "RUNNING"

        second: list[str] = []
        with cloud_process(TEMPLATE, "--no-schedules", output=second, state_dir=state) as url:
            assert restored_count(second, "running executions") == 1
            api = httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Bearer {demo['key']}"})

            def ended() -> dict[str, Any] | None:
                run = api.get(f"/api/evals/runs/{run_id}").json()
                return run if run["status"] != "RUNNING" else None

            run = wait_until(ended, timeout=90, interval=0.5, what="the interrupted run to end")
            assert (run["status"], run["passed"], run["total"]) == ("COMPLETED", 6, 6), run
    finally:
        fake_agent.stop()


def test_state_from_another_template_keeps_what_still_exists(tmp_path: Path) -> None:
    """A table the template no longer has is dropped with a line saying so; the rest comes back."""
    import json

    state = tmp_path / "state"
    state.mkdir()
    item = {"PK": {"S": "KEPT#1"}, "SK": {"S": "KEPT"}, "note": {"S": "from before"}}
    records = [
        {"table": "Table", "key": {"PK": item["PK"], "SK": item["SK"]}, "item": item},
        {
            "table": "RetiredTable",
            "key": {"PK": {"S": "A"}, "SK": {"S": "B"}},
            "item": {"PK": {"S": "A"}, "SK": {"S": "B"}},
        },
    ]
    (state / "base.jsonl").write_text("".join(json.dumps(record) + "\n" for record in records) + '{"table": "Ta')
    printed: list[str] = []
    with cloud_process(TEMPLATE, "--no-schedules", "--no-demo", output=printed, state_dir=state):
        text = "".join(printed)
        assert "kept state of RetiredTable dropped" in text, text
        assert "cut short" in text, text  # the last line, as a crash leaves it
        assert restored_count(printed, "table items") == 1
    compacted = [json.loads(line) for line in (state / "base.jsonl").read_text().splitlines()]
    assert item in [record.get("item") for record in compacted]
    assert not any(record.get("table") == "RetiredTable" for record in compacted)
