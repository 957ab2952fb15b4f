"""SDK tests run the ``grounded`` package against the local cloud, as its users do."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.fakes.openai import FakeOpenAI
from tests.fakes.proxy import FaultyProxy
from tests.support.identity import create_agent, create_key, create_snapshot, sign_up


@dataclass
class SdkOrg:
    url: str
    key: str
    agent_id: str
    token_headers: dict[str, str]


@pytest.fixture(scope="module")
def org(api: httpx.Client, cloud: Any) -> SdkOrg:
    owner = sign_up(api)
    agent = create_agent(api, owner.headers, name="sdk-bot")
    create_snapshot(api, owner.headers, agent["id"])
    from grounded_core.identity.principal import ALL_SCOPES

    key = create_key(api, owner, name="sdk", scopes=sorted(ALL_SCOPES))["key"]
    return SdkOrg(url=cloud.url, key=key, agent_id=agent["id"], token_headers=owner.headers)


@pytest.fixture
def client(org: SdkOrg) -> Iterator[Any]:
    from grounded import Grounded

    with Grounded(api_key=org.key, base_url=org.url) as made:
        yield made


@pytest.fixture
def proxy(cloud: Any) -> Iterator[FaultyProxy]:
    server = FaultyProxy(cloud.url).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def fake_openai() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()
