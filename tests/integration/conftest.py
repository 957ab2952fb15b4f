"""Fixtures most integration modules share: a fresh org per module, and an agent with a snapshot
(so its traces normalize at once)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.fakes.fullstory import FakeFullStory
from tests.fakes.langsmith import FakeLangSmith
from tests.fakes.openai import FakeOpenAI
from tests.support.identity import Account, create_agent, create_snapshot, sign_up


@pytest.fixture(scope="module")
def owner(api: httpx.Client) -> Account:
    """The OWNER of a new org, made once per test module."""
    return sign_up(api)


@pytest.fixture(scope="module")
def agent(api: httpx.Client, owner: Account) -> dict[str, Any]:
    made = create_agent(api, owner.headers, name="module-bot")
    create_snapshot(api, owner.headers, made["id"])
    return made


@pytest.fixture(scope="module")
def fake_langsmith() -> Iterator[FakeLangSmith]:
    server = FakeLangSmith().start()
    yield server
    server.stop()


@pytest.fixture
def fake_fullstory() -> Iterator[FakeFullStory]:
    """A FullStory account of its own per test (an export holds every user of the account)."""
    server = FakeFullStory().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def judge_server() -> Iterator[FakeOpenAI]:
    """An OpenAI-compatible model that gives LLM judges' verdicts (and counts them)."""
    server = FakeOpenAI().start()
    yield server
    server.stop()
