"""LLM judges through the SDK: a provider set up once (its key never read back), a ``judge``
assertion graded when results are submitted, and an online evaluator managed."""

from __future__ import annotations

from grounded import Grounded
from tests.fakes.openai import FakeOpenAI
from tests.sdk.conftest import SdkOrg


def test_a_judge_grades_submitted_answers(client: Grounded, org: SdkOrg, fake_openai: FakeOpenAI) -> None:
    made = client.providers.put("default", base_url=f"{fake_openai.url}/v1", default_model="gpt-4o-mini",
                                api_key="sk-test")  # fmt: skip
    assert made.has_api_key
    assert "sk-test" not in made.model_dump_json()
    assert [p.name for p in client.providers.list()] == ["default"]
    suite = client.evals.create_suite(agent_id=org.agent_id, name="judged by the SDK")
    judge = {"type": "judge", "rubric": 'Says "Paris".', "threshold": 0.5}
    case = client.evals.add_cases(suite.id, [{"name": "capital", "input": "Capital?", "assertions": [judge]}])[0]
    run = client.evals.create_run(suite_id=suite.id)
    answer = client.evals.submit_results(run.id, [{"caseId": case.id, "output": "Paris."}])
    checked = answer.results[0].assertions[0]
    assert (checked["outcome"], checked["score"]) == ("pass", 0.9)


def test_an_online_evaluator_is_managed(client: Grounded, org: SdkOrg) -> None:
    made = client.evaluators.create(agent_id=org.agent_id, name="sdk_judge", rubric="Polite?", sampling_rate=0.5)
    assert (made.sampling_rate, made.enabled) == (0.5, True)
    assert made.id in {e.id for e in client.evaluators.list(agent_id=org.agent_id).items}
    assert client.evaluators.update(made.id, enabled=False).enabled is False
    client.evaluators.delete(made.id)


def test_alerts_are_managed_from_the_sdk(client: Grounded, org: SdkOrg) -> None:
    made = client.alerts.create(agent_id=org.agent_id, name="cost", condition={"metric": "cost_usd", "above": 50},
                                emails=["team@example.com"])  # fmt: skip
    assert (made.signing_secret or "").startswith("whsec_")
    assert client.alerts.get(made.id).signing_secret is None
    sent = client.alerts.test(made.id)
    assert [(d.channel, d.event) for d in sent] == [("email", "alert.test")]
    assert client.alerts.update(made.id, enabled=False).enabled is False
    assert [d.id for d in client.alerts.deliveries(made.id).items] == [sent[0].id]
    client.alerts.delete(made.id)
