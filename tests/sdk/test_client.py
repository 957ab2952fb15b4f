"""The client against the local cloud: every resource, pagination, typed errors, retries, waits."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from grounded import (
    AsyncGrounded,
    AuthenticationError,
    ConflictError,
    Grounded,
    GroundedJobError,
    GroundedTimeoutError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from tests.fakes.langsmith import FakeLangSmith
from tests.fakes.proxy import FaultyProxy
from tests.sdk.conftest import SdkOrg
from tests.support.waiting import wait_until

NOW = datetime.now(UTC) - timedelta(minutes=5)


def a_trace(agent_id: str, **fields: Any) -> dict[str, Any]:
    return {"agentId": agent_id, "sessionId": f"sdk-{uuid.uuid4().hex[:8]}", "startedAt": NOW.isoformat(), **fields}


def test_agents_snapshots_traces_sessions_and_telemetry(client: Grounded, org: SdkOrg) -> None:
    agent = client.agents.create(name="sdk-made", description="made by the SDK")
    assert client.agents.get(agent.id).name == "sdk-made"
    assert client.agents.update(agent.id, description="changed").description == "changed"
    snapshot = client.agents.snapshots.create(agent.id, label="v1", model_id="gpt-4o-mini", system_prompt="Be brief.")
    assert client.agents.snapshots.get(snapshot.id).label == "v1"
    assert [s.id for s in client.agents.snapshots.list(agent.id).items] == [snapshot.id]
    assert client.agents.set_baseline(agent.id, snapshot.id).baseline_snapshot_id == snapshot.id
    assert agent.id in {a.id for a in client.agents.iter()}

    accepted = client.traces.send(a_trace(agent.id, sessionId="sdk-conv"))
    batch = client.traces.send_batch([a_trace(agent.id, sessionId="sdk-conv"), {"agentId": agent.id}])
    assert [r.status for r in batch.results] == ["accepted", "rejected"]
    assert batch.rejected[0].code == "validation_error"
    events = client.telemetry.send([{"agentId": agent.id, "type": "click", "name": "send", "timestamp": NOW.isoformat(),
                                     "anonymousId": "sdk-anon", "sessionId": "sdk-conv"}])  # fmt: skip
    assert events.results[0].status == "accepted"
    wait_until(lambda: client.traces.get(accepted.trace_id).normalization.get("state") == "normalized", timeout=60)
    assert {t.id for t in client.traces.iter(agent_id=agent.id)} >= {accepted.trace_id}
    assert client.traces.list(agent_id=agent.id, limit=1).items

    session = client.sessions.create(agent_id=agent.id, external_id="ticket-7", user_id="u-1")
    assert client.sessions.add_turn(session.id, role="user", content="Hello").role == "user"
    assert client.sessions.get(session.id).turns == 1
    assert [e.kind for e in client.sessions.timeline(session.id).items] == ["turn"]
    assert client.sessions.end(session.id).id == session.id
    assert session.id in {s.id for s in client.sessions.iter(agent_id=agent.id)}
    assert len(client.sessions.list(agent_id=agent.id, limit=1).items) == 1
    client.sessions.delete(session.id)
    with pytest.raises(NotFoundError):
        client.sessions.get(session.id)
    client.agents.delete(agent.id)


def test_pagination_follows_cursors(client: Grounded) -> None:
    made = [client.agents.create(name=f"page-{n}").id for n in range(5)]
    first = client.agents.list(limit=2)
    assert len(first.items) == 2
    assert first.next_cursor
    assert set(made) <= {a.id for a in client.agents.iter()}


def test_connectors_and_jobs_wait(client: Grounded, org: SdkOrg) -> None:
    fake = FakeLangSmith().start()
    try:
        fake.project("sdk")
        fake.add_trace("sdk", NOW - timedelta(minutes=1), metadata={"session_id": "sdk-thread"})
        config = {"apiKey": "ls-fake-key-0001", "projectName": "sdk", "baseUrl": fake.url}
        connector = client.connectors.create(agent_id=org.agent_id, name="ls", provider="langsmith", config=config)
        assert connector.config["apiKey"].startswith("••••")
        assert client.connectors.get(connector.id).status == "disconnected"
        assert client.connectors.update(connector.id, name="renamed").name == "renamed"
        connected = client.connectors.connect(connector.id)
        assert client.jobs.wait(connected.job.id, timeout=60).result["accepted"] == 1
        assert connected.job.id in {j.id for j in client.jobs.list(connector_id=connector.id).items}
        assert client.connectors.disconnect(connector.id).status == "disconnected"
        assert connector.id in {c.id for c in client.connectors.list(provider="langsmith").items}

        client.connectors.update(connector.id, config={"apiKey": "ls-wrong-key-0002"})
        failing = client.connectors.sync(connector.id, since=(NOW - timedelta(hours=1)).isoformat())
        with pytest.raises(GroundedJobError) as raised:
            client.jobs.wait(failing.id, timeout=60)
        assert raised.value.job.status == "failed"
        assert raised.value.job.error == "LangSmith rejected the API key (HTTP 401)."

        fake.delay_seconds = 1.0
        slow = client.connectors.sync(connector.id, since=(NOW - timedelta(hours=1)).isoformat())
        with pytest.raises(GroundedTimeoutError):
            client.jobs.wait(slow.id, timeout=0.3, poll_interval=0.1)
        assert client.jobs.cancel(slow.id).status == "cancelled"
        client.connectors.delete(connector.id)
        with pytest.raises(NotFoundError):
            client.connectors.get(connector.id)
    finally:
        fake.delay_seconds = 0
        fake.stop()


def test_evals_drift_analytics_pricing_policies_keys_and_insights(client: Grounded, org: SdkOrg) -> None:
    suite = client.evals.create_suite(agent_id=org.agent_id, name="sdk suite")
    cases = client.evals.add_cases(suite.id, [{"input": "2+2?", "assertions": [{"type": "equals", "value": "4"}]}])
    assert client.evals.get_suite(suite.id).name == "sdk suite"
    assert client.evals.update_suite(suite.id, description="d").id == suite.id
    assert "no-pii-echo" in {t.id for t in client.evals.templates()}
    assert client.evals.import_template(suite.id, "no-pii-echo") == {"imported": 3}
    with pytest.raises(ConflictError):
        client.evals.import_template(suite.id, "no-pii-echo")
    listed = client.evals.list_cases(suite.id).items
    assert client.evals.update_case(cases[0].id, name="sum").id == cases[0].id
    run = client.evals.create_run(suite_id=suite.id, mode="submit")
    answers = [{"caseId": c.id, "output": "4" if c.id == cases[0].id else "I can't share that."} for c in listed]
    client.evals.submit_results(run.id, answers)
    done = client.evals.wait_for_completion(run.id, timeout_seconds=60)
    assert (done.status, done.pass_rate) == ("COMPLETED", 1.0)
    assert len(client.evals.results(run.id).items) == 4
    assert run.id in {r.id for r in client.evals.list_runs(suite_id=suite.id).items}
    other = client.evals.create_run(suite_id=suite.id)
    assert client.evals.cancel_run(other.id).status == "CANCELLED"
    assert client.evals.compare(run.id, other.id).unchanged == 0
    client.evals.delete_case(cases[0].id)
    assert suite.id in {s.id for s in client.evals.list_suites(agent_id=org.agent_id).items}

    agent = client.agents.get(org.agent_id)
    base = client.agents.snapshots.list(agent.id).items[-1]
    client.agents.set_baseline(agent.id, base.id)
    changed = client.agents.snapshots.create(agent.id, label="v2", model_id="claude-sonnet-4")
    report = client.drift.check(agent.id, changed.id)
    assert report.stored
    assert report.severity in ("low", "medium", "high", "critical")
    assert client.drift.get(report.id).score == report.score
    assert report.id in {r.id for r in client.drift.list(agent_id=agent.id).items}

    overview = client.analytics.overview(since=datetime.now(UTC).date().isoformat())
    assert overview.totals["evalRuns"] >= 1
    client.pricing.set("my-model", input_per_mtok=1.0, output_per_mtok=2.0)
    assert any(p.get("modelPrefix") == "my-model" for p in client.pricing.list()["items"])
    client.pricing.delete("my-model")

    policy = client.policies.create(agent_id=org.agent_id, limit=1000, window_seconds=60)
    assert client.policies.get(policy.id).limit == 1000
    assert client.policies.update(policy.id, limit=2000).limit == 2000
    assert [p.id for p in client.policies.list(agent_id=org.agent_id).items] == [policy.id]
    client.policies.delete(policy.id)

    key = client.keys.create(name="rotated", scopes=["traces:write"])
    assert (key.key or "").startswith("sk_")
    rotated = client.keys.rotate(key.id)
    assert rotated.key != key.key
    assert rotated.id in {k.id for k in client.keys.list().items}
    client.keys.revoke(rotated.id)
    assert isinstance(client.insights.list().items, list)
    client.evals.delete_suite(suite.id)
    assert suite.id not in {s.id for s in client.evals.list_suites(agent_id=org.agent_id).items}


def test_typed_errors(client: Grounded, org: SdkOrg) -> None:
    with pytest.raises(NotFoundError) as missing:
        client.agents.get("agt_nope")
    assert (missing.value.status, missing.value.code) == (404, "agent_not_found")
    with pytest.raises(UnprocessableEntityError) as invalid:
        client.agents.create(name="")
    assert invalid.value.details[0]["field"] == "name"
    with pytest.raises(AuthenticationError), Grounded(api_key="sk_live_bogus", base_url=org.url) as bad:
        bad.agents.list()
    reader = client.keys.create(name="reader", scopes=["agents:read"])
    with Grounded(api_key=reader.key, base_url=org.url + "/api") as limited:
        assert limited.agents.list().items  # the /api form of the base URL works too
        with pytest.raises(PermissionDeniedError):
            limited.agents.create(name="nope")


def test_retries_on_5xx_and_429(org: SdkOrg, proxy: FaultyProxy) -> None:
    with Grounded(api_key=org.key, base_url=proxy.url, max_retries=3) as client:
        proxy.fail(503, times=2, path="/api/agents")
        assert client.agents.get(org.agent_id).id == org.agent_id
        assert len(proxy.seen("/api/agents")) == 3

        proxy.fail(429, times=1, path="/api/agents", retry_after="1")
        started = time.monotonic()
        client.agents.get(org.agent_id)
        assert time.monotonic() - started >= 0.9  # Retry-After honoured

        proxy.fail(500, times=4, path="/api/agents")  # the first try and three retries
        with pytest.raises(InternalServerError):
            client.agents.get(org.agent_id)
    with Grounded(api_key=org.key, base_url=proxy.url, max_retries=0) as client:
        proxy.fail(429, times=1, path="/api/agents", retry_after="7")
        with pytest.raises(RateLimitError) as limited:
            client.agents.get(org.agent_id)
        assert limited.value.retry_after == 7


def test_the_async_client_has_the_same_surface(org: SdkOrg) -> None:
    async def main() -> None:
        async with AsyncGrounded(api_key=org.key, base_url=org.url) as client:
            agent = await client.agents.get(org.agent_id)
            ids = [a.id async for a in client.agents.iter()]
            suite = await client.evals.create_suite(agent_id=agent.id, name="async")
            cases = await client.evals.add_cases(
                suite.id, [{"input": "hi", "assertions": [{"type": "contains", "value": "hi"}]}]
            )
            run = await client.evals.create_run(suite_id=suite.id)
            await client.evals.submit_results(run.id, [{"caseId": cases[0].id, "output": "hi!"}])
            done = await client.evals.wait_for_completion(run.id, timeout_seconds=60)
            assert agent.id in ids
            assert done.pass_rate == 1.0
            with pytest.raises(NotFoundError):
                await client.jobs.get("job_nope")

    asyncio.run(main())


def test_a_create_is_retried_with_one_idempotency_key(org: SdkOrg, proxy: FaultyProxy) -> None:
    """A retried POST carries the same key each time, and the server answers a repeat with the
    first answer: a retry can never create twice (the server side: test_idempotency_keys)."""
    with Grounded(api_key=org.key, base_url=proxy.url, max_retries=2) as client:
        proxy.fail(503, times=1, path="/api/agents")
        made = client.agents.create(name=f"retried-{uuid.uuid4().hex[:6]}")
        sent = proxy.seen("/api/agents", "POST")[-2:]
        keys = {r.headers.get("idempotency-key") for r in sent}
        assert len(keys) == 1
        assert None not in keys
        assert client.agents.get(made.id).name == made.name
        client.agents.create(name="another")
        assert proxy.seen("/api/agents", "POST")[-1].headers["idempotency-key"] not in keys  # one per call


def test_none_clears_a_field_and_not_given_leaves_it(client: Grounded, org: SdkOrg) -> None:
    agent = client.agents.create(name="clearable", description="to be cleared")
    assert client.agents.update(agent.id, name="renamed").description == "to be cleared"
    assert client.agents.update(agent.id, description=None).description is None


def test_the_org_is_a_client_option_and_errors_carry_the_request_id(client: Grounded, org: SdkOrg) -> None:
    with Grounded(api_key=org.key, base_url=org.url, org_id="org_elsewhere") as keyed:
        assert keyed.agents.get(org.agent_id).id == org.agent_id  # a key's org is its own: header ignored
    with pytest.raises(NotFoundError) as missing:
        client.agents.get("agt_nope")
    assert missing.value.request_id


def test_every_list_pages_through_with_its_own_filters(client: Grounded, org: SdkOrg) -> None:
    mine = client.agents.create(name="paged")
    other = client.agents.create(name="not-mine")
    client.agents.snapshots.create(mine.id, label="v1", model_id="gpt-4o-mini")
    client.agents.snapshots.create(other.id, label="v1", model_id="gpt-4o-mini")
    client.traces.send_batch([a_trace(agent.id) for agent in (mine, other, mine)])
    traces = list(client.paginate(client.traces.list, agent_id=mine.id))
    assert len(traces) == 2
    assert {trace.agent_id for trace in traces} == {mine.id}
    assert [s.label for s in client.paginate(client.agents.snapshots.list, mine.id)] == ["v1"]

    async def in_async() -> list[str]:
        async with AsyncGrounded(api_key=org.key, base_url=org.url) as aclient:
            return [t.id async for t in aclient.paginate(aclient.traces.list, agent_id=mine.id)]

    assert sorted(asyncio.run(in_async())) == sorted(trace.id for trace in traces)
