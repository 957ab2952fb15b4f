"""FullStory export events -> Grounded telemetry events (pure)."""

from __future__ import annotations

import gzip
import io
import json
from typing import Any

import pytest

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


# ---------------------------------------------------------------- the export file, streamed


def _stream(data: bytes) -> io.BufferedReader:
    return io.BufferedReader(io.BytesIO(data))  # type: ignore[arg-type]


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1 << 16])
def test_a_json_array_is_decoded_item_by_item_across_any_read_boundary(chunk: int) -> None:
    from grounded_core.connectors.fullstory import json_array_items

    items = [{"a": 1}, 12345, "x,]", [1, {"b": [2]}], 3.25, {"EventStart": "2026-01-01T00:00:00Z"}]
    text = " [ " + " ,\n".join(json.dumps(item) for item in items) + " ] \n"
    assert list(json_array_items(_stream(text.encode()), chunk_size=chunk)) == items
    assert list(json_array_items(_stream(b"[]"), chunk_size=chunk)) == []
    assert list(json_array_items(_stream(b""), chunk_size=chunk)) == []


def test_an_export_file_is_read_gzipped_or_not_and_never_whole() -> None:
    from grounded_core.connectors.fullstory import exported_events

    events = [{"EventType": "click", "n": n} for n in range(5000)]
    raw = json.dumps(events).encode()
    assert list(exported_events(_stream(gzip.compress(raw)))) == events
    assert list(exported_events(_stream(raw))) == events

    class Counting(io.BytesIO):
        read_so_far = 0

        def read(self, size: int | None = -1) -> bytes:
            data = super().read(size)
            Counting.read_so_far += len(data)
            return data

        def readinto(self, buffer: Any) -> int:
            count = super().readinto(buffer)
            Counting.read_so_far += count
            return count

    source = Counting(raw)
    first = next(exported_events(source))  # type: ignore[arg-type]
    assert first == events[0]
    assert Counting.read_so_far < len(raw) / 2  # the first event came before the file was read


def test_a_file_that_is_not_a_json_array_is_an_error() -> None:
    from grounded_core.connectors.fullstory import json_array_items

    with pytest.raises(ValueError, match="not a JSON array"):
        list(json_array_items(_stream(b'{"a": 1}')))
    for broken in (b'[{"a": 1}, {"b": ', b"[1x]", b"[1, 2"):
        with pytest.raises(ValueError, match="middle of an event"):
            list(json_array_items(_stream(broken)))
