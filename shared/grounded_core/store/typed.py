"""DynamoDB's typed JSON (attribute values such as ``{"S": "text"}``) to and from Python values.

The same mapping as boto3's ``TypeSerializer`` and ``TypeDeserializer``, for the store's low-level
client — written here so that no function imports boto3: the client comes from botocore alone,
and ``import boto3`` (which imports s3transfer with it) is ~100 ms of a cold start for nothing a
function uses. Numbers are ``Decimal`` both ways, in boto3's context: a number DynamoDB cannot
hold exactly raises (``decimal.Inexact`` and its kin) rather than being rounded, and the table
module's ``to_dynamo`` keeps numbers within range first. Binary values read back as ``bytes``.
Items the store reads go through :func:`readable_item`: plain numbers and lists in one walk.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from typing import Any

#: boto3's ``DYNAMODB_CONTEXT``: 38 digits, exponents DynamoDB accepts, nothing rounded in silence
NUMBERS = Context(Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow])


def _number(value: int | Decimal) -> str:
    text = str(NUMBERS.create_decimal(value))
    if text in ("Infinity", "-Infinity", "NaN", "sNaN"):
        raise TypeError("Infinity and NaN are not numbers DynamoDB stores")
    return text


def _is_number(value: Any) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _set(values: Set[Any]) -> dict[str, Any]:
    """A set of numbers, strings or bytes (an empty one is a number set, which DynamoDB refuses)."""
    if all(_is_number(value) for value in values):
        return {"NS": [_number(value) for value in values]}
    if all(isinstance(value, str) for value in values):
        return {"SS": list(values)}
    if all(isinstance(value, bytes | bytearray) for value in values):
        return {"BS": [bytes(value) for value in values]}
    raise TypeError("a set stored must hold only strings, only numbers or only bytes")


def attribute(value: Any) -> dict[str, Any]:
    """One Python value as a DynamoDB attribute value."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if _is_number(value):
        return {"N": _number(value)}
    if isinstance(value, bytes | bytearray):
        return {"B": bytes(value)}
    if isinstance(value, Mapping):
        return {"M": {key: attribute(inner) for key, inner in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [attribute(inner) for inner in value]}
    if isinstance(value, Set):
        return _set(value)
    raise TypeError(f"a {type(value).__name__} cannot be stored (floats become Decimal first)")


def typed(values: Mapping[str, Any]) -> dict[str, Any]:
    """An item, a key or expression values as DynamoDB takes them."""
    return {name: attribute(value) for name, value in values.items()}


def value(attribute_value: Mapping[str, Any]) -> Any:
    """One DynamoDB attribute value as a Python value."""
    ((kind, inner),) = attribute_value.items()
    if kind == "S":
        return inner
    if kind == "N":
        return NUMBERS.create_decimal(inner)
    if kind == "M":
        return {key: value(member) for key, member in inner.items()}
    if kind == "L":
        return [value(member) for member in inner]
    if kind == "BOOL":
        return inner
    if kind == "NULL":
        return None
    if kind == "B":
        return bytes(inner)
    if kind == "SS":
        return set(inner)
    if kind == "NS":
        return {NUMBERS.create_decimal(member) for member in inner}
    if kind == "BS":
        return {bytes(member) for member in inner}
    raise TypeError(f"DynamoDB type {kind!r} is not one the store reads")


def plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """An item or key as DynamoDB returns it, as Python values."""
    return {name: value(attribute_value) for name, attribute_value in values.items()}


def _read_number(text: str) -> int | float:
    """A number as the store reads it: an int when it is whole, else a float."""
    try:
        return int(text)
    except ValueError:
        number = NUMBERS.create_decimal(text)
        return int(number) if number == number.to_integral_value() else float(number)


def readable(attribute_value: Mapping[str, Any]) -> Any:
    """One DynamoDB attribute value as the store hands it on, in one walk: numbers as ``int`` or
    ``float``, sets as lists, binary as ``bytes`` (what :func:`value` and then a walk turning
    ``Decimal`` into numbers would give)."""
    ((kind, inner),) = attribute_value.items()
    if kind == "S":
        return inner
    if kind == "N":
        return _read_number(inner)
    if kind == "M":
        return {key: readable(member) for key, member in inner.items()}
    if kind == "L":
        return [readable(member) for member in inner]
    if kind in ("BOOL", "NULL"):
        return value(attribute_value)
    if kind == "B":
        return bytes(inner)
    if kind == "SS":
        return list(inner)
    if kind == "NS":
        return [_read_number(member) for member in inner]
    if kind == "BS":
        return [bytes(member) for member in inner]
    raise TypeError(f"DynamoDB type {kind!r} is not one the store reads")


def readable_item(values: Mapping[str, Any]) -> dict[str, Any]:
    """An item as DynamoDB returns it, as the store hands it on (:func:`readable`)."""
    return {name: readable(attribute_value) for name, attribute_value in values.items()}
