"""What the store can hold is decided at the door: numbers in DynamoDB's range, no NaN/Infinity,
nesting within 32 levels — for every field of every model, free-form JSON included."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ConfigDict, ValidationError

from grounded_core import model
from grounded_core.ingest.payloads import join_payloads, split_payloads
from grounded_core.model import ApiModel, StoredModel
from grounded_core.storable import MAX_DEPTH, Unstorable, check_storable, number_is_storable
from grounded_core.store.table import to_dynamo
from grounded_core.store.typed import attribute, readable


@pytest.mark.parametrize(
    "number",
    [0, -0.0, 1, -1, 1.5e125, -9.99e125, 1e-130, 10**40, 12345678901234567890123456789012345678, 0.1, 2**63],
)
def test_numbers_dynamodb_holds_are_storable(number: int | float) -> None:
    assert number_is_storable(number)


@pytest.mark.parametrize(
    "number",
    [
        float("inf"),
        float("-inf"),
        float("nan"),
        1e126,
        -1e200,
        1e-131,
        10**126,
        123456789012345678901234567890123456789,
    ],
)
def test_numbers_out_of_dynamodb_range_are_not(number: int | float) -> None:
    assert not number_is_storable(number)


def nested(levels: int) -> Any:
    value: Any = "leaf"
    for _ in range(levels):
        value = {"a": value}
    return value


def test_the_message_names_where_the_number_is() -> None:
    with pytest.raises(Unstorable, match=r"a\.b\[1\] holds a number"):
        check_storable({"a": {"b": [1, 1e400]}})


def test_thirty_two_levels_pass_and_thirty_three_do_not() -> None:
    check_storable(nested(MAX_DEPTH))
    with pytest.raises(Unstorable, match="deeper than 32"):
        check_storable(nested(MAX_DEPTH + 1))


def test_a_very_deep_value_is_refused_without_recursion() -> None:
    with pytest.raises(Unstorable):
        check_storable(nested(50_000))


class Example(ApiModel):
    free: Any = None
    mapping: dict[str, Any] = {}
    count: int = 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"free": {"x": 1e400}}, "free"),
        ({"mapping": {"x": [10**130]}}, "mapping"),
        ({"count": 10**200}, "count"),
        ({"free": nested(40)}, "free"),
    ],
)
def test_every_model_field_is_checked(body: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Example.model_validate(body)
    assert raised.value.errors()[0]["loc"] == (field,)


class Kept(StoredModel):
    free: Any = None
    inner: Example = Example()
    model_config = ConfigDict(extra="allow")

    def keys(self) -> dict[str, str]:
        return {"PK": "p", "SK": "s"}


def test_what_is_loaded_from_the_store_is_not_walked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """The store held it, so it is storable: loading skips the walk (nested models and extra fields
    too), while the same data validated at the door is walked."""
    walked: list[Any] = []
    monkeypatch.setattr(model, "check_storable", walked.append)
    item = {"free": {"x": [1, 2.5]}, "inner": {"free": [3], "count": 4}, "more": {"y": 5}}

    loaded = Kept.from_item(item)
    assert loaded.inner.count == 4
    assert walked == []

    Kept.model_validate(item)
    assert {"x": [1, 2.5]} in walked
    assert [3] in walked
    assert {"more": {"y": 5}} in walked


def test_big_round_integers_reach_dynamodb_exactly() -> None:
    stored = attribute(to_dynamo({"n": 10**40, "m": 12345678901234567890123456789012345678}))
    assert stored == {
        "M": {
            "n": {"N": "1.0000000000000000000000000000000000000E+40"},
            "m": {"N": "12345678901234567890123456789012345678"},
        }
    }
    assert readable(stored) == {"n": 10**40, "m": 12345678901234567890123456789012345678}


def test_span_fields_nested_near_the_limit_move_to_the_payload_object() -> None:
    """A span's attributes sit three levels into the trace item: 32 levels of their own would pass
    DynamoDB's 32-level limit, so they travel in the S3 payload instead (and come back whole)."""
    body = {"input": nested(MAX_DEPTH), "spans": [{"id": "s", "attributes": nested(MAX_DEPTH)}]}
    kept, payloads = split_payloads(body)
    assert kept["input"] == body["input"]  # top-level: 32 levels fit as they are
    assert kept["spans"][0]["attributes"] == {"$payload": "spans.0.attributes"}
    assert join_payloads(kept, payloads) == body
