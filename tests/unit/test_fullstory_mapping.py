"""FullStory export events -> Grounded telemetry events (pure)."""

from __future__ import annotations

from grounded_core.connectors import fullstory
from grounded_core.ingest.models import EventIn

EVENT = {
    "EventStart": "2026-03-01T10:00:00.123Z",
    "EventType": "click",
    "EventTargetText": "Send",
    "EventModFrustrated": True,
    "UserId": 5629499534213120,
    "SessionId": 6543210987654321,
    "UserAppKey": "user-42",
    "PageUrl": "https://app.example.com/chat",
}


def test_an_event_keeps_user_session_and_frustration() -> None:
    event = fullstory.to_event(EVENT, "agt_1")
    EventIn.model_validate(event)  # what the ingest accepts
    assert (event["type"], event["name"], event["userId"]) == ("click", "Send", "user-42")
    assert event["anonymousId"] == "5629499534213120:6543210987654321"
    assert event["properties"]["rageClick"] is True
    assert "deadClick" not in event["properties"]


def test_ids_are_deterministic_and_types_map() -> None:
    assert fullstory.event_id(EVENT) == fullstory.event_id(dict(reversed(list(EVENT.items()))))
    assert fullstory.event_id(EVENT) != fullstory.event_id({**EVENT, "EventStart": "2026-03-01T10:00:00.124Z"})
    kinds = {
        kind: fullstory.to_event({**EVENT, "EventType": kind}, "agt_1")["type"]
        for kind in ("navigate", "change", "custom", "weird")
    }
    assert kinds == {"navigate": "page", "change": "input", "custom": "custom", "weird": "custom"}


def test_a_zero_id_is_an_id() -> None:
    assert fullstory.to_event({**EVENT, "UserId": 0, "SessionId": 0}, "agt_1")["anonymousId"] == "0:0"


def test_an_event_without_a_session_is_left_to_the_ingest_to_refuse() -> None:
    event = fullstory.to_event({"EventStart": "2026-03-01T10:00:00Z", "EventType": "click"}, "agt_1")
    assert "anonymousId" not in event
