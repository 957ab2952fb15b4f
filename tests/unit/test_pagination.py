"""Opaque cursors: a page's LastEvaluatedKey round-trips sealed, bound to its list; a cursor
that was altered, made up, or moved to another list (another org's included) is a 400."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from grounded_core.errors import BadRequest
from grounded_core.pagination import decode_cursor, encode_cursor

KEY = bytes(range(32))
LIST = "GSI1|ORG#org_1|KEY#"
LAST = {"PK": "KEY#5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8", "SK": "KEY", "GSI1SK": "KEY#2026"}


def test_cursor_round_trips_a_last_evaluated_key() -> None:
    cursor = encode_cursor(LAST, LIST, KEY)
    assert cursor is not None
    assert "=" not in cursor
    assert decode_cursor(cursor, LIST, KEY) == LAST


def test_a_cursor_carries_nothing_readable() -> None:
    cursor = encode_cursor(LAST, LIST, KEY)
    assert cursor is not None
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    assert b"KEY#" not in raw
    assert b"5e8848" not in raw
    assert LAST["PK"] not in cursor


def test_no_more_pages_is_a_null_cursor() -> None:
    assert encode_cursor(None, LIST, KEY) is None
    assert encode_cursor({}, LIST, KEY) is None
    assert decode_cursor(None, LIST, KEY) is None


def tampered() -> str:
    cursor = encode_cursor(LAST, LIST, KEY)
    assert cursor is not None
    return cursor[:-3] + ("A" if cursor[-3] != "A" else "B") + cursor[-2:]


@pytest.mark.parametrize(
    ("make", "bound_to"),
    [
        (lambda: "not-base64!", LIST),
        (lambda: "bm90IGpzb24", LIST),
        (lambda: "eyJQSyI6ICJPUkcjb3JnXzEifQ", LIST),  # a plain JSON key, as cursors once were
        (tampered, LIST),
        (lambda: encode_cursor(LAST, LIST, KEY), "GSI1|ORG#org_2|KEY#"),  # another org's list
        (lambda: encode_cursor(LAST, LIST, bytes(32)), LIST),  # sealed with another key
    ],
)
def test_a_cursor_we_did_not_issue_for_this_list_is_a_bad_request(make: Any, bound_to: str) -> None:
    with pytest.raises(BadRequest) as caught:
        decode_cursor(make(), bound_to, KEY)
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
    from grounded_core.store import table
    from grounded_core.store.conditions import ConditionFailed, Put, absent

    class Client:
        def __init__(self, failures: int, code: str) -> None:
            self.failures, self.code, self.calls = failures, code, 0

        def transact_write_items(self, **_: Any) -> None:
            self.calls += 1
            if self.calls <= self.failures:
                reasons = [{"Code": "None"}, {"Code": self.code}]
                response = {"Error": {"Code": "TransactionCanceledException"}, "CancellationReasons": reasons}
                raise ClientError(response, "TransactWriteItems")  # type: ignore[arg-type]

    put = Put({"PK": "a", "SK": "b"})
    raced = Client(2, "TransactionConflict")
    monkeypatch.setattr(aws, "client", lambda _service: raced)
    table.transact([put])
    assert raced.calls == 3  # two lost races, then it went through
    refused = Client(1, "ConditionalCheckFailed")
    monkeypatch.setattr(aws, "client", lambda _service: refused)
    with pytest.raises(ConditionFailed) as failed:
        table.transact([put, Put({"PK": "c", "SK": "d"}, absent(), label="taken")])
    assert failed.value.label == "taken"  # which operation failed, as data
    assert refused.calls == 1  # a failed condition is an answer, not a race
