"""Opaque cursors: a page's LastEvaluatedKey round-trips; anything else is a 400."""

from __future__ import annotations

from typing import Any

import pytest

from grounded_core.errors import BadRequest
from grounded_core.pagination import decode_cursor, encode_cursor


def test_cursor_round_trips_a_last_evaluated_key() -> None:
    key = {"PK": "ORG#org_1", "SK": "AGENT#agt_2", "GSI1SK": "S#2026-11-20T00:00:00Z"}
    cursor = encode_cursor(key)
    assert cursor is not None
    assert "=" not in cursor
    assert decode_cursor(cursor) == key


def test_no_more_pages_is_a_null_cursor() -> None:
    assert encode_cursor(None) is None
    assert encode_cursor({}) is None
    assert decode_cursor(None) is None


@pytest.mark.parametrize("cursor", ["not-base64!", "bm90IGpzb24", "WzEsMl0", "eyJhIjogeyJiIjogMX19"])
def test_a_cursor_we_did_not_issue_is_a_bad_request(cursor: str) -> None:
    with pytest.raises(BadRequest) as caught:
        decode_cursor(cursor)
    assert caught.value.code == "invalid_cursor"


def test_numbers_are_stored_within_dynamodbs_range() -> None:
    from decimal import Decimal

    from grounded_core.store.table import to_dynamo

    assert to_dynamo(2.2e-309) == Decimal(0)
    assert to_dynamo(float("nan")) == "nan"
    assert to_dynamo({"x": [0.1]}) == {"x": [Decimal("0.1")]}
    assert len(to_dynamo(1 / 3).as_tuple().digits) <= 38


def test_a_transaction_that_loses_a_race_is_tried_again(monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.exceptions import ClientError

    from grounded_core import aws
    from grounded_core.errors import Conflict
    from grounded_core.store import table

    class Client:
        def __init__(self, failures: int, code: str) -> None:
            self.failures, self.code, self.calls = failures, code, 0

        def transact_write_items(self, **_: Any) -> None:
            self.calls += 1
            if self.calls <= self.failures:
                reasons = [{"Code": "None"}, {"Code": self.code}]
                response = {"Error": {"Code": "TransactionCanceledException"}, "CancellationReasons": reasons}
                raise ClientError(response, "TransactWriteItems")  # type: ignore[arg-type]

    class Table:
        name = "t"

    put = {"Put": {"Item": {"PK": "a", "SK": "b"}}}
    monkeypatch.setattr(aws, "table", Table)
    raced = Client(2, "TransactionConflict")
    monkeypatch.setattr(aws, "client", lambda _service: raced)
    table.transact([put], [None])
    assert raced.calls == 3  # two lost races, then it went through
    refused = Client(1, "ConditionalCheckFailed")
    monkeypatch.setattr(aws, "client", lambda _service: refused)
    with pytest.raises(Conflict, match="taken"):
        table.transact([put, put], [None, "taken"])
    assert refused.calls == 1  # a failed condition is an answer, not a race
