"""The single table: the only code that builds DynamoDB requests. Services state intent — get,
put-if-absent, update these fields if the version is N, add these counters, transact these
operations (:mod:`grounded_core.store.conditions`) — and a condition that does not hold comes back
as :class:`ConditionFailed` (which operation, and the item where DynamoDB returns it), never as an
HTTP error. Nothing above this module sees ``ClientError`` or builds an expression.

Requests go through the low-level DynamoDB client (botocore's), with items turned to and from
DynamoDB's typed JSON by :mod:`.typed`, not through boto3's ``Table`` resource: one client per
container serves reads, writes and transactions, and no function imports boto3 (~100 ms of a
cold start) or builds a resource (10-15 ms more).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Context, Decimal
from typing import Any

from grounded_core import aws
from grounded_core.errors import BadRequest, Busy, Conflict
from grounded_core.settings import get_settings
from grounded_core.store.conditions import (
    Check,
    Cond,
    ConditionFailed,
    Delete,
    Expression,
    Put,
    Update,
    Write,
    one_of,
)
from grounded_core.store.packing import unpack
from grounded_core.store.typed import plain as _plain
from grounded_core.store.typed import readable_item
from grounded_core.store.typed import typed as _typed

Item = dict[str, Any]
MAX_TRANSACTION_ITEMS = 100
#: Transactions that lose a race with another transaction on the same item are tried this often.
TRANSACTION_ATTEMPTS = 4
#: A batch write's items DynamoDB leaves unprocessed (throttling) are sent again this often.
BATCH_ATTEMPTS = 8


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


def stored(item: dict[str, Any]) -> Item:
    """An item as DynamoDB returns it, as read: plain numbers, sets as lists, packed fields back
    in place (:mod:`.packing`)."""
    return unpack(readable_item(item))


def _client() -> Any:
    return aws.client("dynamodb")


#: what DynamoDB answers when a request outruns the table's capacity (provisioned) or a partition's
THROTTLED = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"})
#: a transaction's cancellation reasons that say the same of one of its items
THROTTLED_REASONS = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded"})


def _busy(operation: str) -> Busy:
    """Throttled past every retry: logged (operators see it), and :class:`Busy` for the caller."""
    from grounded_core.observability import logger

    logger.warning("DynamoDB throttled a request past its retries", extra={"operation": operation})
    return Busy("Grounded's table is receiving more requests than it can take right now; try again in a moment.")


def _call(operation: str, **arguments: Any) -> Any:
    """One DynamoDB request. Throttling that outlasted botocore's own retries is :class:`Busy`
    (a 503 with ``Retry-After``; a worker's message is tried again), not a bug."""
    from botocore.exceptions import ClientError

    try:
        return getattr(_client(), operation)(**arguments)
    except ClientError as error:
        if _error_code(error) in THROTTLED:
            raise _busy(operation) from None
        raise


def _table_name() -> str:
    return get_settings().table_name


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


def _error_code(error: Exception) -> str:
    return str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))


def get(pk: str, sk: str, consistent: bool = False) -> Item | None:
    answer = _call("get_item", TableName=_table_name(), Key=_key(pk, sk), ConsistentRead=consistent)
    item = answer.get("Item")
    return stored(item) if item else None


def _request(operation: Write) -> tuple[str, dict[str, Any]]:
    """The DynamoDB request for one write (typed JSON, with ``TableName``)."""
    expression = Expression()
    body: dict[str, Any]
    if isinstance(operation, Put):
        kind, body = "Put", {"Item": _typed(to_dynamo(operation.item))}
    else:
        kind = {Update: "Update", Delete: "Delete", Check: "ConditionCheck"}[type(operation)]
        body = {"Key": _key(operation.pk, operation.sk)}
    if isinstance(operation, Update):
        body["UpdateExpression"] = expression.update(operation)
    if operation.when is not None:
        body["ConditionExpression"] = expression.condition(operation.when)
    arguments = expression.arguments()
    if "ExpressionAttributeValues" in arguments:
        arguments["ExpressionAttributeValues"] = _typed(to_dynamo(arguments["ExpressionAttributeValues"]))
    return kind, {"TableName": _table_name(), **body, **arguments}


def _failed(operation: Write, error: Exception) -> ConditionFailed:
    old = getattr(error, "response", {}).get("Item")
    return ConditionFailed(operation.label, stored(old) if old else None)


def put(item: Item, when: Cond | None = None, label: str = "put") -> None:
    """Put an item; a ``when`` that does not hold is :class:`ConditionFailed`."""
    _write(Put(item, when, label))


def update(
    pk: str,
    sk: str,
    *,
    set: Mapping[str, Any] | None = None,
    set_if_absent: Mapping[str, Any] | None = None,
    add: Mapping[str, Any] | None = None,
    remove: Sequence[str] = (),
    when: Cond | None = None,
    label: str = "update",
) -> Item:
    """Change fields of an item and return it as it is now; a ``when`` that does not hold is
    :class:`ConditionFailed`."""
    change = Update(pk, sk, set or {}, set_if_absent or {}, add or {}, tuple(remove), when, label)
    return _write(change) or {}


def delete(pk: str, sk: str, when: Cond | None = None, label: str = "delete") -> None:
    _write(Delete(pk, sk, when, label))


def compare_and_set(
    pk: str,
    sk: str,
    field: str,
    expected: Sequence[str],
    changes: Mapping[str, Any],
    *,
    set_if_absent: Mapping[str, Any] | None = None,
    also: Cond | None = None,
) -> Item | None:
    """The one status-machine step (jobs, runs, connectors): ``changes`` only if ``field`` is one
    of ``expected`` now (and ``also`` holds); the item as it is after, or ``None`` when it was not
    (or is gone)."""
    when = one_of(field, expected) if also is None else one_of(field, expected) & also
    try:
        return update(pk, sk, set=changes, set_if_absent=set_if_absent, when=when, label="status")
    except ConditionFailed:
        return None


def _write(operation: Write) -> Item | None:
    from botocore.exceptions import ClientError

    kind, body = _request(operation)
    call = {"Put": "put_item", "Update": "update_item", "Delete": "delete_item"}[kind]
    if kind == "Update":
        body["ReturnValues"] = "ALL_NEW"
    if operation.when is not None:
        body["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    try:
        answer = _call(call, **body)
    except ClientError as error:
        if _error_code(error) == "ConditionalCheckFailedException":
            raise _failed(operation, error) from None
        raise
    return stored(answer["Attributes"]) if kind == "Update" else None


def query(
    pk: str,
    sk_prefix: str | None = None,
    *,
    index: str | None = None,
    limit: int | None = None,
    start_key: Item | None = None,
    newest_first: bool = False,
    sk_between: tuple[str, str] | None = None,
    where: Cond | None = None,
    consistent: bool = False,
    fields: Sequence[str] = (),
) -> tuple[list[Item], Item | None]:
    """One page of a partition (optionally of an index), filtered by ``where``:
    ``(items, last_evaluated_key)``; only ``fields`` of each item (and its keys) when given."""
    from botocore.exceptions import ClientError

    pk_name, sk_name = ("PK", "SK") if index is None else (f"{index}PK", f"{index}SK")
    expression = Expression()
    key = f"{expression.name(pk_name)} = {expression.value(pk)}"
    if sk_prefix is not None:
        key += f" AND begins_with({expression.name(sk_name)}, {expression.value(sk_prefix)})"
    if sk_between is not None:
        low, high = sk_between
        key += f" AND {expression.name(sk_name)} BETWEEN {expression.value(low)} AND {expression.value(high)}"
    arguments: dict[str, Any] = {
        "TableName": _table_name(),
        "KeyConditionExpression": key,
        "ScanIndexForward": not newest_first,
    }
    if index:
        arguments["IndexName"] = index
    if where is not None:
        arguments["FilterExpression"] = expression.condition(where)
    if fields:
        names = dict.fromkeys(("PK", "SK", *((f"{index}PK", f"{index}SK") if index else ()), *fields))
        arguments["ProjectionExpression"] = ", ".join(expression.name(name) for name in names)
    arguments.update(expression.arguments())
    arguments["ExpressionAttributeValues"] = _typed(to_dynamo(arguments["ExpressionAttributeValues"]))
    if limit:
        arguments["Limit"] = limit
    if start_key:
        arguments["ExclusiveStartKey"] = _typed(start_key)
    if consistent:
        arguments["ConsistentRead"] = True
    try:
        page = _call("query", **arguments)
    except ClientError as error:
        if _error_code(error) == "ValidationException" and start_key:
            raise BadRequest("The cursor is not one this API returned.", code="invalid_cursor") from None
        raise
    last = page.get("LastEvaluatedKey")
    return [stored(item) for item in page.get("Items", [])], _plain(last) if last else None


def query_all(
    pk: str, sk_prefix: str | None = None, *, index: str | None = None, consistent: bool = False
) -> list[Item]:
    """Every item of a partition (for small, bounded partitions such as an org's members)."""
    items: list[Item] = []
    start: Item | None = None
    while True:
        page, start = query(pk, sk_prefix, index=index, start_key=start, consistent=consistent)
        items.extend(page)
        if not start:
            return items


def transact(operations: Sequence[Write]) -> None:
    """Write several items atomically. A condition that does not hold is :class:`ConditionFailed`
    naming the first failed operation's label; a lost race with another transaction on the same
    item is tried again (jittered) before it becomes a :class:`Conflict`."""
    from botocore.exceptions import ClientError

    items = []
    for operation in operations:
        kind, body = _request(operation)
        if operation.when is not None:
            body["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        items.append({kind: body})
    for attempt in range(TRANSACTION_ATTEMPTS):
        try:
            _call("transact_write_items", TransactItems=items)
            return
        except ClientError as error:
            if _error_code(error) != "TransactionCanceledException":
                raise
            reasons = error.response.get("CancellationReasons", [])
            for index, reason in enumerate(reasons):
                if reason.get("Code") == "ConditionalCheckFailed" and index < len(operations):
                    old = reason.get("Item")
                    item = stored(old) if old else None
                    raise ConditionFailed(operations[index].label, item) from None
            codes = {reason.get("Code") for reason in reasons}
            if codes & THROTTLED_REASONS:
                raise _busy("transact_write_items") from None
            raced = codes <= {"None", "TransactionConflict", None}
            if not raced or attempt == TRANSACTION_ATTEMPTS - 1:
                raise Conflict(
                    "Someone else changed this at the same moment; try again.", code="concurrent_change"
                ) from None
            # another transaction held one of the items (a hot session): try again shortly
            time.sleep(0.02 * 2**attempt * random.uniform(0.5, 1.5))


def batch_put(items: Iterable[Item]) -> None:
    """Put many items with as few BatchWriteItem calls as possible (25 per call, retried)."""
    _batch_write({"PutRequest": {"Item": _typed(to_dynamo(item))}} for item in items)


def batch_delete(keys: Iterable[tuple[str, str]]) -> None:
    _batch_write({"DeleteRequest": {"Key": _key(pk, sk)}} for pk, sk in keys)


def _batch_write(requests: Iterable[dict[str, Any]]) -> None:
    """BatchWriteItem calls of 25 requests; what DynamoDB leaves unprocessed (throttled) is sent
    again after a pause that doubles, and what is still left after :data:`BATCH_ATTEMPTS` is
    :class:`Busy` (the caller's request or message fails, and is tried again whole: writes here are
    idempotent)."""
    pending = list(requests)
    for start in range(0, len(pending), 25):
        _until_processed(
            "batch_write_item",
            {_table_name(): pending[start : start + 25]},
            lambda request: _call("batch_write_item", RequestItems=request).get("UnprocessedItems") or {},
        )


def _until_processed(operation: str, request: dict[str, Any], send: Callable[[dict[str, Any]], Any]) -> None:
    """``send`` the batch ``request``, then what it answers DynamoDB left unprocessed (throttled),
    after a pause that doubles, until nothing is left; :class:`Busy` after :data:`BATCH_ATTEMPTS`."""
    for attempt in range(BATCH_ATTEMPTS):
        request = send(request)
        if not request:
            return
        if attempt < BATCH_ATTEMPTS - 1:
            _pause(attempt)
    raise _busy(operation)


def _pause(attempt: int) -> None:
    """Before a batch write's ``attempt + 1``-th try: 25-50 ms, doubling, at most 1-2 s."""
    time.sleep(min(0.05 * 2**attempt, 2.0) * random.uniform(0.5, 1.0))


def batch_get(
    keys: Sequence[tuple[str, str]], consistent: bool = False, fields: Sequence[str] = ()
) -> dict[tuple[str, str], Item]:
    """Many items by key with as few BatchGetItem calls as possible (100 keys per call); only
    ``fields`` of them (and their keys) when given. Keys left unprocessed (throttling) are asked
    again as a batch write's are, then :class:`Busy`."""
    found: dict[tuple[str, str], Item] = {}
    unique = list(dict.fromkeys(keys))
    name = _table_name()
    projection: dict[str, Any] = {}
    if fields:
        expression = Expression()
        projection = {"ProjectionExpression": ", ".join(expression.name(f) for f in ("PK", "SK", *fields))}
        projection.update(expression.arguments())

    def send(request: dict[str, Any]) -> Any:
        answer = _call("batch_get_item", RequestItems=request)
        for item in answer.get("Responses", {}).get(name, []):
            found[(item["PK"]["S"], item["SK"]["S"])] = stored(item)
        return answer.get("UnprocessedKeys")

    for start in range(0, len(unique), 100):
        request: dict[str, Any] = {
            name: {
                "Keys": [_key(pk, sk) for pk, sk in unique[start : start + 100]],
                "ConsistentRead": consistent,
                **projection,
            }
        }
        _until_processed("batch_get_item", request, send)
    return found
