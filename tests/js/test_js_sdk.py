"""The JavaScript SDK's integration tests (``sdk/js/integration``), run by Node against the local
cloud this test session started, with a fresh org, an agent with a snapshot, and the fake OpenAI
server (``tests/fakes/openai.py``) that the real ``openai`` npm package talks to."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.openai import FakeOpenAI
from tests.support.identity import create_agent, create_key, create_snapshot, sign_up
from tests.support.js import ensure_built, run_node


@pytest.fixture(scope="module")
def fake_openai() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def js_env(api: httpx.Client, cloud: object, fake_openai: FakeOpenAI) -> dict[str, str]:
    ensure_built()
    owner = sign_up(api)
    agent = create_agent(api, owner.headers, name="js-bot")
    create_snapshot(api, owner.headers, agent["id"])
    return {
        "GROUNDED_BASE_URL": cloud.url,  # type: ignore[attr-defined]
        "GROUNDED_API_KEY": create_key(api, owner, kind="secret")["key"],
        "GROUNDED_AGENT_ID": agent["id"],
        "GROUNDED_TEST_OPENAI_URL": fake_openai.url,
    }


@pytest.mark.parametrize("suite", ["client", "tracing"])
def test_the_js_packages_against_the_local_cloud(js_env: dict[str, str], suite: str) -> None:
    done = run_node("--test", "--test-reporter=spec", f".build/integration/{suite}.test.js", env=js_env)
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-4000:]


def test_the_readme_javascript_quickstart_runs(js_env: dict[str, str]) -> None:
    done = run_node("examples/quickstart.mjs", env=js_env)
    assert done.returncode == 0, done.stderr
    said = done.stdout.strip()
    assert re.fullmatch(r"session ses_\w+: 1 trace\(s\), 3 turn\(s\), cost \$[0-9.e-]+", said), said
