"""Two PATCHes of one entity at the same moment never lose one silently (issue 14): versioned
entities (suites, cases, policies) re-apply the loser's change to the winner's version; agents
change named fields atomically; a connector's loser gets a 409. The race is made deterministic:
the second writer writes between the first one's read and its write."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.support.connectors import LANGSMITH, create_connector
from tests.support.identity import Account


@pytest.fixture
def principal(owner: Account) -> Any:
    from grounded_core.identity.principal import ALL_SCOPES, Credential

    credential = Credential(authenticated=True, kind="secret_key", org_id=owner.org["id"], scopes=" ".join(ALL_SCOPES))
    return credential.principal(None)


@pytest.fixture
def race(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Any, str, Callable[[], Any]], None]]:
    """``race(module, loader, other)``: the first read through ``module.loader`` lets ``other``
    write right after it, as a concurrent request would."""

    def arrange(module: Any, loader: str, other: Callable[[], Any]) -> None:
        original = getattr(module, loader)
        raced: list[bool] = []

        def reading(*args: Any, **kwargs: Any) -> Any:
            found = original(*args, **kwargs)
            if not raced:
                raced.append(True)
                other()
            return found

        monkeypatch.setattr(module, loader, reading)

    yield arrange
    monkeypatch.undo()


def test_suite(api: httpx.Client, owner: Account, agent: dict[str, Any], principal: Any, race: Any) -> None:
    from grounded_core.evals import suites
    from grounded_core.evals.models import SuitePatch

    made = api.post("/api/evals/suites", json={"agentId": agent["id"], "name": "s"}, headers=owner.headers).json()
    race(suites, "get_suite", lambda: suites.update_suite(principal, made["id"], SuitePatch(description="theirs")))
    suites.update_suite(principal, made["id"], SuitePatch(name="mine"))

    after = api.get(f"/api/evals/suites/{made['id']}", headers=owner.headers).json()
    assert (after["name"], after["description"], after["version"]) == ("mine", "theirs", 2)


def test_case(api: httpx.Client, owner: Account, agent: dict[str, Any], principal: Any, race: Any) -> None:
    from grounded_core.evals import suites
    from grounded_core.evals.models import CasePatch

    suite = api.post("/api/evals/suites", json={"agentId": agent["id"], "name": "s"}, headers=owner.headers).json()
    case = {"input": "q", "assertions": [{"type": "contains", "value": "a"}]}
    made = api.post(f"/api/evals/suites/{suite['id']}/cases", json=case, headers=owner.headers).json()
    race(suites, "_case", lambda: suites.update_case(principal, made["id"], CasePatch(tags=["theirs"])))
    suites.update_case(principal, made["id"], CasePatch(name="mine"))

    [after] = api.get(f"/api/evals/suites/{suite['id']}/cases", headers=owner.headers).json()["items"]
    assert (after["name"], after["tags"], after["version"]) == ("mine", ["theirs"], 2)


def test_policy(api: httpx.Client, owner: Account, agent: dict[str, Any], principal: Any, race: Any) -> None:
    from grounded_core.policies import service
    from grounded_core.policies.models import PolicyPatch

    body = {"agentId": agent["id"], "type": "rate_limit", "limit": 1000, "windowSeconds": 60, "per": "agent"}
    made = api.post("/api/policies", json=body, headers=owner.headers).json()
    race(service, "get_policy", lambda: service.update_policy(principal, made["id"], PolicyPatch(enabled=False)))
    service.update_policy(principal, made["id"], PolicyPatch(limit=5))

    after = api.get(f"/api/policies/{made['id']}", headers=owner.headers).json()
    assert (after["limit"], after["enabled"], after["version"]) == (5, False, 2)


def test_agent(api: httpx.Client, owner: Account, principal: Any, race: Any) -> None:
    from grounded_core.agents import service
    from grounded_core.agents.models import AgentPatch

    made = api.post("/api/agents", json={"name": "racer"}, headers=owner.headers).json()
    race(service, "get_agent", lambda: service.update_agent(principal, made["id"], AgentPatch(description="theirs")))
    service.update_agent(principal, made["id"], AgentPatch(name="mine"))

    after = api.get(f"/api/agents/{made['id']}", headers=owner.headers).json()
    assert (after["name"], after["description"]) == ("mine", "theirs")


def test_connector(api: httpx.Client, owner: Account, agent: dict[str, Any], principal: Any, race: Any) -> None:
    from grounded_core.connectors import service
    from grounded_core.connectors.models import ConnectorPatch
    from grounded_core.errors import Conflict

    made = create_connector(api, owner.headers, agent["id"], "langsmith", LANGSMITH)
    race(service, "_stored", lambda: service.update_connector(principal, made["id"], ConnectorPatch(name="theirs")))
    with pytest.raises(Conflict):  # the loser is told, never silently dropped
        service.update_connector(principal, made["id"], ConnectorPatch(name="mine"))

    assert api.get(f"/api/connectors/{made['id']}", headers=owner.headers).json()["name"] == "theirs"
