"""Bulky fields are stored compressed when that is smaller, and always read back as they were."""

from __future__ import annotations

import hashlib
import json

import pytest
from boto3.dynamodb.types import Binary

from grounded_core.ingest.records import StoredTrace
from grounded_core.ingest.turns import TraceInSession, Turn
from grounded_core.store.packing import DICTIONARIES, PACKED, pack, unpack

PROSE = (
    "Your order left the warehouse on Tuesday and the carrier scanned it in Frankfurt last night; "
    "it should arrive by Friday. If it has not arrived by Monday, reply here and I will open a trace "
    "with the carrier and send a replacement at no cost. The refund for the duplicate charge was "
    "issued today and usually takes three to five business days to appear, depending on your bank."
)


def test_bulky_fields_are_packed_smaller_and_come_back_exactly() -> None:
    item = {"PK": "p", "SK": "s", "name": "chat", "input": {"q": PROSE}, "output": PROSE[::-1], "n": 3}

    packed = pack(item, ("input", "output"))

    assert set(packed) == {"PK", "SK", "name", "n", PACKED}
    assert len(packed[PACKED]) < len(json.dumps({"input": item["input"], "output": item["output"]})) * 0.7
    assert unpack(packed) == item
    assert unpack(dict(packed, **{PACKED: Binary(packed[PACKED])})) == item  # as boto3 reads it back


def test_small_absent_or_unpackable_fields_stay_as_they_are() -> None:
    small = {"PK": "p", "input": "hi"}
    assert pack(small, ("input", "output")) == small
    assert pack({"PK": "p"}, ("input",)) == {"PK": "p"}
    not_json = {"PK": "p", "input": [float("nan"), PROSE]}
    assert pack(not_json, ("input",)) == not_json
    assert unpack(small) == small


def test_an_unknown_format_is_an_error_not_garbage() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        unpack({PACKED: bytes([99]) + b"\x00"})


def test_format_1_never_changes() -> None:
    """Items written with format 1 must stay readable: its dictionary is fixed forever."""
    assert hashlib.sha256(DICTIONARIES[1]).hexdigest()[:16] == "26bba3176cc65f31"


def test_a_stored_trace_and_its_session_item_round_trip_through_their_items() -> None:
    trace = StoredTrace.model_validate(
        {
            "id": "trc_1",
            "agentId": "agt_1",
            "name": "chat",
            "startedAt": "2026-12-01T10:00:00Z",
            "input": {"question": PROSE},
            "output": PROSE,
            "metadata": {"plan": "pro"},
            "spans": [{"id": "l", "kind": "llm", "name": "chat", "startedAt": "2026-12-01T10:00:00Z"}],
            "orgId": "org_1",
            "normalization": {"state": "pending"},
        }
    )
    item = trace.to_item()
    assert PACKED in item
    assert "input" not in item
    assert "metadata" not in item
    assert item["agentId"] == "agt_1"
    assert item["GSI2PK"]
    assert StoredTrace.from_item(item) == trace

    turns = [Turn(id="trc_1:0", role="user", content=PROSE, timestamp="2026-12-01T10:00:00Z", trace_id="trc_1")]
    placed = TraceInSession(
        id="trc_1", agent_id="agt_1", name="chat", status="ok", timestamp="2026-12-01T10:00:00Z", turns=turns
    )
    placed_item = TraceInSession.model_validate(
        placed.model_dump() | {"org_id": "org_1", "session_id": "ses_1"}
    ).to_item()
    assert "turns" not in placed_item
    assert TraceInSession.from_item(placed_item).turns == turns
