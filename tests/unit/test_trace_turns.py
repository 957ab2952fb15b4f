"""A trace's turns and its item in its session: what the timeline reads."""

from __future__ import annotations

from grounded_core.ingest.models import TraceIn
from grounded_core.ingest.turns import TraceInSession, turns_of, within_budget


def _trace(**fields: object) -> TraceIn:
    body = {
        "agentId": "agt_1",
        "sessionId": "s-1",
        "startedAt": "2026-12-01T10:00:00Z",
        "endedAt": "2026-12-01T10:00:02Z",
    }
    return TraceIn.model_validate({**body, **fields})


def test_a_trace_stands_for_its_question_tool_calls_and_answer() -> None:
    trace = _trace(
        input={"messages": [{"role": "user", "content": "Where is my order?"}]},
        output="It ships tomorrow.",
        spans=[
            {"id": "t", "kind": "tool", "name": "lookup", "startedAt": "2026-12-01T10:00:01Z", "output": {"eta": 1}},
        ],
    )
    turns = turns_of("trc_1", trace)
    assert [(turn.role, turn.content) for turn in turns] == [
        ("user", "Where is my order?"),
        ("tool", '{"eta": 1}'),
        ("assistant", "It ships tomorrow."),
    ]
    assert turns[-1].latency_ms == 2000


def test_turns_share_a_budget_and_say_where_they_were_cut() -> None:
    turns = turns_of("trc_1", _trace(input="a" * 60, output="é" * 40))  # é: two bytes
    kept = within_budget(turns, budget=100)
    assert [(turn.content, turn.truncated) for turn in kept] == [("a" * 60, False), ("é" * 20, True)]
    assert within_budget(turns, budget=1_000) == turns
    assert [turn.content for turn in within_budget(turns, budget=10)] == ["a" * 10, ""]


def test_the_session_item_is_sorted_by_the_trace_start_and_shows_turns_without_storage_fields() -> None:
    turns = turns_of("trc_1", _trace(input="q", output="a"))
    placed = TraceInSession(
        id="trc_1",
        agent_id="agt_1",
        name="answer",
        status="ok",
        timestamp="2026-12-01T10:00:00Z",
        turns=turns,
        org_id="org_1",
        session_id="ses_1",
    )
    item = placed.to_item()
    assert (item["PK"], item["SK"]) == ("ORG#org_1#SESSION#ses_1", "T#2026-12-01T10:00:00Z#trc_1")
    assert TraceInSession.from_item(item).turns == turns
    assert [entry["role"] for entry in placed.turn_entries()] == ["user", "assistant"]
    assert all("orgId" not in entry and "sessionId" not in entry for entry in placed.turn_entries())
