"""Thin, typed access to the single table: the few operations every entity store needs, with
AWS errors translated into domain errors. Nothing above this module sees ``ClientError``.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterable, Sequence
from decimal import Context, Decimal
from typing import Any

from grounded_core import aws
from grounded_core.errors import BadRequest, Conflict

Item = dict[str, Any]
MAX_TRANSACTION_ITEMS = 100
#: Transactions that lose a race with another transaction on the same item are tried this often.
TRANSACTION_ATTEMPTS = 4


#: DynamoDB numbers: 38 significant digits, magnitudes from 1e-130 to under 1e126.
MAX_DIGITS = 38
_NUMBERS = Context(prec=MAX_DIGITS)


def _number(value: float) -> Decimal | str:
    if not math.isfinite(value):
        return repr(value)  # JSON payloads may carry NaN or Infinity: kept, as text
    if abs(value) < 1e-130:
        return Decimal(0)
    return _NUMBERS.create_decimal(repr(value))


def to_dynamo(value: Any) -> Any:
    """Python values as DynamoDB stores them: floats become Decimal (the resource API refuses
    floats) within DynamoDB's range; sets stay sets (string sets), everything else as it is."""
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**MAX_DIGITS:
        # boto3 refuses an int of more digits than DynamoDB keeps even when the rest are zeros
        return Decimal(value).scaleb(0, _NUMBERS)
    if isinstance(value, dict):
        return {key: to_dynamo(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [to_dynamo(inner) for inner in value]
    return value


def from_dynamo(value: Any) -> Any:
    """DynamoDB's Decimals back to int or float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: from_dynamo(inner) for key, inner in value.items()}
    if isinstance(value, list | set | tuple):
        return [from_dynamo(inner) for inner in value]
    return value


def _error_code(error: Exception) -> str:
    return str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))


def get(pk: str, sk: str, consistent: bool = False) -> Item | None:
    item = aws.table().get_item(Key={"PK": pk, "SK": sk}, ConsistentRead=consistent).get("Item")
    return from_dynamo(item) if item else None


def put(
    item: Item, condition: str | None = None, conflict: str = "That already exists.", values: Item | None = None
) -> None:
    """Put an item; a failed ``condition`` is a :class:`Conflict` with ``conflict`` as message."""
    from botocore.exceptions import ClientError

    arguments: dict[str, Any] = {"Item": to_dynamo(item)}
    if condition:
        arguments["ConditionExpression"] = condition
    if values:
        arguments["ExpressionAttributeValues"] = to_dynamo(values)
    try:
        aws.table().put_item(**arguments)
    except ClientError as error:
        if _error_code(error) == "ConditionalCheckFailedException":
            raise Conflict(conflict) from None
        raise


def update(
    pk: str,
    sk: str,
    expression: str,
    values: dict[str, Any] | None = None,
    names: dict[str, str] | None = None,
    condition: str | None = None,
    conflict: str = "That changed meanwhile.",
) -> Item:
    """Update an item and return it as it is now; a failed ``condition`` is a :class:`Conflict`."""
    from botocore.exceptions import ClientError

    arguments: dict[str, Any] = {"Key": {"PK": pk, "SK": sk}, "UpdateExpression": expression, "ReturnValues": "ALL_NEW"}
    if values:
        arguments["ExpressionAttributeValues"] = to_dynamo(values)
    if names:
        arguments["ExpressionAttributeNames"] = names
    if condition:
        arguments["ConditionExpression"] = condition
    try:
        return from_dynamo(aws.table().update_item(**arguments)["Attributes"])  # type: ignore[no-any-return]
    except ClientError as error:
        if _error_code(error) == "ConditionalCheckFailedException":
            raise Conflict(conflict) from None
        raise


def delete(pk: str, sk: str) -> None:
    aws.table().delete_item(Key={"PK": pk, "SK": sk})


def query(
    pk: str,
    sk_prefix: str | None = None,
    *,
    index: str | None = None,
    limit: int | None = None,
    start_key: Item | None = None,
    newest_first: bool = False,
    sk_between: tuple[str, str] | None = None,
    filter: Any = None,
) -> tuple[list[Item], Item | None]:
    """One page of a partition (optionally of an index): ``(items, last_evaluated_key)``."""
    from boto3.dynamodb.conditions import Key
    from botocore.exceptions import ClientError

    pk_name, sk_name = ("PK", "SK") if index is None else (f"{index}PK", f"{index}SK")
    condition = Key(pk_name).eq(pk)
    if sk_prefix is not None:
        condition = condition & Key(sk_name).begins_with(sk_prefix)
    if sk_between is not None:
        condition = condition & Key(sk_name).between(*sk_between)
    arguments: dict[str, Any] = {"KeyConditionExpression": condition, "ScanIndexForward": not newest_first}
    if index:
        arguments["IndexName"] = index
    if filter is not None:
        arguments["FilterExpression"] = filter
    if limit:
        arguments["Limit"] = limit
    if start_key:
        arguments["ExclusiveStartKey"] = start_key
    try:
        page = aws.table().query(**arguments)
    except ClientError as error:
        if _error_code(error) == "ValidationException" and start_key:
            raise BadRequest("The cursor is not one this API returned.", code="invalid_cursor") from None
        raise
    return [from_dynamo(item) for item in page.get("Items", [])], page.get("LastEvaluatedKey")


def query_all(pk: str, sk_prefix: str | None = None, *, index: str | None = None) -> list[Item]:
    """Every item of a partition (for small, bounded partitions such as an org's members)."""
    items: list[Item] = []
    start: Item | None = None
    while True:
        page, start = query(pk, sk_prefix, index=index, start_key=start)
        items.extend(page)
        if not start:
            return items


def transact(operations: Sequence[dict[str, Any]], conflicts: Sequence[str | None]) -> None:
    """Write several items atomically. ``conflicts[i]`` is the message for a failed condition on
    operation ``i``; the first failed one becomes the :class:`Conflict`.

    Each operation is ``{"Put": {...}}``, ``{"Update": {...}}``, ``{"Delete": {...}}`` or
    ``{"ConditionCheck": {...}}`` in the low-level client's shape, without ``TableName``.
    """
    from boto3.dynamodb.types import TypeSerializer
    from botocore.exceptions import ClientError

    serializer = TypeSerializer()

    def low_level(value: dict[str, Any]) -> dict[str, Any]:
        return {key: serializer.serialize(inner) for key, inner in to_dynamo(value).items()}

    items = []
    for operation in operations:
        ((kind, body),) = operation.items()
        body = dict(body, TableName=aws.table().name)
        for field in ("Item", "Key", "ExpressionAttributeValues"):
            if field in body:
                body[field] = low_level(body[field])
        items.append({kind: body})
    for attempt in range(TRANSACTION_ATTEMPTS):
        try:
            aws.client("dynamodb").transact_write_items(TransactItems=items)
            return
        except ClientError as error:
            if _error_code(error) != "TransactionCanceledException":
                raise
            reasons = error.response.get("CancellationReasons", [])
            for index, reason in enumerate(reasons):
                if reason.get("Code") == "ConditionalCheckFailed" and index < len(conflicts) and conflicts[index]:
                    raise Conflict(str(conflicts[index])) from None
            raced = {reason.get("Code") for reason in reasons} <= {"None", "TransactionConflict", None}
            if not raced or attempt == TRANSACTION_ATTEMPTS - 1:
                raise Conflict(
                    "Someone else changed this at the same moment; try again.", code="concurrent_change"
                ) from None
            # another transaction held one of the items (a hot session): try again shortly
            time.sleep(0.02 * 2**attempt * random.uniform(0.5, 1.5))


def batch_put(items: Iterable[Item]) -> None:
    """Put many items with as few BatchWriteItem calls as possible (25 per call, retried)."""
    with aws.table().batch_writer() as writer:
        for item in items:
            writer.put_item(Item=to_dynamo(item))


def batch_delete(keys: Iterable[tuple[str, str]]) -> None:
    with aws.table().batch_writer() as writer:
        for pk, sk in keys:
            writer.delete_item(Key={"PK": pk, "SK": sk})


def batch_get(keys: Sequence[tuple[str, str]], consistent: bool = False) -> dict[tuple[str, str], Item]:
    """Many items by key with as few BatchGetItem calls as possible (100 keys per call)."""
    found: dict[tuple[str, str], Item] = {}
    unique = list(dict.fromkeys(keys))
    name = aws.table().name
    client = aws.table().meta.client  # the resource's client: takes and returns Python types
    for start in range(0, len(unique), 100):
        request: dict[str, Any] = {
            name: {
                "Keys": [{"PK": pk, "SK": sk} for pk, sk in unique[start : start + 100]],
                "ConsistentRead": consistent,
            }
        }
        while request:
            answer = client.batch_get_item(RequestItems=request)
            for item in answer.get("Responses", {}).get(name, []):
                found[(item["PK"], item["SK"])] = from_dynamo(item)
            request = answer.get("UnprocessedKeys") or {}
    return found
