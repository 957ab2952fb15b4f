"""The store's typed JSON (grounded_core/store/typed.py) is boto3's: for any value the store
writes, the same attribute value as boto3's TypeSerializer, and the same value read back as its
TypeDeserializer gives (binary as bytes) — checked against boto3 itself, which tests may import."""

from __future__ import annotations

from decimal import Decimal, Inexact
from typing import Any

import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from hypothesis import given, settings
from hypothesis import strategies as st

from grounded_core.store.typed import attribute, plain, readable, typed, value

numbers = st.integers(min_value=-(10**37), max_value=10**37) | st.decimals(
    min_value=Decimal("-1e30"), max_value=Decimal("1e30"), allow_nan=False, allow_infinity=False, places=6
)
scalars = st.none() | st.booleans() | st.text(max_size=20) | numbers | st.binary(max_size=20)
sets = (
    st.frozensets(st.text(max_size=8), min_size=1, max_size=4)
    | st.frozensets(st.integers(-1000, 1000), min_size=1, max_size=4)
    | st.frozensets(st.binary(min_size=1, max_size=8), min_size=1, max_size=4)
).map(set)
values = st.recursive(
    scalars | sets,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


def as_boto3_reads(found: Any) -> Any:
    """boto3's reading with ``Binary`` as bytes (what the store's reading gives)."""
    if isinstance(found, Binary):
        return found.value
    if isinstance(found, dict):
        return {key: as_boto3_reads(inner) for key, inner in found.items()}
    if isinstance(found, list):
        return [as_boto3_reads(inner) for inner in found]
    if isinstance(found, set):
        return {as_boto3_reads(inner) for inner in found}
    return found


def same_sets(attribute_value: Any) -> Any:
    """Set members in a fixed order (a set's attribute value lists them in iteration order)."""
    if isinstance(attribute_value, dict):
        return {
            kind: sorted(map(str, inner)) if kind in ("SS", "NS", "BS") else same_sets(inner)
            for kind, inner in attribute_value.items()
        }
    if isinstance(attribute_value, list):
        return [same_sets(inner) for inner in attribute_value]
    return attribute_value


def plain_number(found: Any) -> Any:
    if isinstance(found, Decimal):
        return int(found) if found == found.to_integral_value() else float(found)
    return found


def as_the_store_reads(attribute_value: dict[str, Any]) -> Any:
    """boto3's reading made plain as the store hands values on: whole numbers as int, others as
    float, sets as lists (here sorted: a set has no order)."""
    ((kind, inner),) = attribute_value.items()
    if kind == "M":
        return {key: as_the_store_reads(member) for key, member in inner.items()}
    if kind == "L":
        return [as_the_store_reads(member) for member in inner]
    found = as_boto3_reads(TypeDeserializer().deserialize(attribute_value))
    return sorted(map(plain_number, found)) if isinstance(found, set) else plain_number(found)


def sets_sorted(read: Any, attribute_value: dict[str, Any]) -> Any:
    ((kind, inner),) = attribute_value.items()
    if kind == "M":
        return {key: sets_sorted(read[key], member) for key, member in inner.items()}
    if kind == "L":
        return [sets_sorted(part, member) for part, member in zip(read, inner, strict=True)]
    return sorted(read) if kind in ("SS", "NS", "BS") else read


@settings(max_examples=300, deadline=None)
@given(values)
def test_written_and_read_as_boto3_does(given_value: Any) -> None:
    written = attribute(given_value)
    assert same_sets(written) == same_sets(TypeSerializer().serialize(given_value))
    assert value(written) == as_boto3_reads(TypeDeserializer().deserialize(written))
    # the store's one-walk reading: what boto3 reads, with plain numbers and sets as lists
    assert repr(sets_sorted(readable(written), written)) == repr(as_the_store_reads(written))  # 3 is not 3.0


def test_items_and_keys_both_ways() -> None:
    item = {"PK": "ORG#1", "SK": "T#2", "count": 3, "cost": Decimal("0.25"), "tags": {"a"}, "blob": b"\x00"}
    assert typed(item)["count"] == {"N": "3"}
    assert plain(typed(item)) == item
    assert attribute(set()) == TypeSerializer().serialize(set()) == {"NS": []}  # DynamoDB refuses it, as before


@pytest.mark.parametrize(
    ("unstorable", "error"),
    [
        (1.5, TypeError),  # floats become Decimal first (table.to_dynamo)
        (Decimal("NaN"), TypeError),
        (Decimal("1" * 39), Inexact),  # 39 significant digits would be rounded
        ({"a", 1}, TypeError),
        (object(), TypeError),
    ],
)
def test_what_dynamodb_cannot_hold_exactly_is_refused(unstorable: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        attribute(unstorable)
    with pytest.raises(error):
        TypeSerializer().serialize(unstorable)  # as boto3 refuses it
