"""DynamoDB write units as DynamoDB bills them, for the benches.

A write is billed on the item's size, not the request's: an ``UpdateItem`` that adds 1 to a
counter of a 3-KB item costs 3 write units (the larger of the item before and after), in a
transaction twice that. Every global secondary index the item is in (before or after) is written
too when its entry changes — the entry being the keys plus the projected attributes — at the
entry's size; an entry whose index keys change is a delete of the old one and a put of the new.

:class:`WriteMeter` wraps boto3's calls: it reads the written items from the emulator before and
after each write (one write at a time while it is installed, so concurrent workers cannot blur what
one call changed) and reports units per ``(where, what, key)``: ``where`` is ``table`` or an index
name, ``what`` the kind of item (its sort key's shape), ``key`` the partition key written.
"""

from __future__ import annotations

import base64
import math
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

KB = 1024


def value_size(value: dict[str, Any]) -> int:
    """The size of one attribute value (DynamoDB JSON), by DynamoDB's rules."""
    (kind, data), *_ = value.items()
    if kind == "S":
        return len(data.encode())
    if kind == "N":
        digits = data.lstrip("-").replace(".", "").lstrip("0") or "0"
        return (len(digits) + 1) // 2 + 1
    if kind == "B":
        return len(base64.b64decode(data)) if isinstance(data, str) else len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS"):
        return sum(value_size({kind[0]: member}) for member in data)
    if kind == "L":
        return 3 + sum(1 + value_size(member) for member in data)
    if kind == "M":
        return 3 + sum(len(name.encode()) + 1 + value_size(member) for name, member in data.items())
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: dict[str, Any] | None) -> int:
    return 0 if item is None else sum(len(name.encode()) + value_size(value) for name, value in item.items())


def units(size: int) -> int:
    return max(1, math.ceil(size / KB))


@dataclass(frozen=True)
class Index:
    name: str
    keys: tuple[str, str]
    table_keys: tuple[str, str]
    #: ``None``: every attribute (ALL)
    projected: frozenset[str] | None

    def entry(self, item: dict[str, Any] | None) -> dict[str, Any] | None:
        if item is None or any(key not in item for key in self.keys):
            return None
        if self.projected is None:
            return item
        wanted = {*self.keys, *self.table_keys, *self.projected}
        return {name: value for name, value in item.items() if name in wanted}

    def key(self, entry: dict[str, Any]) -> tuple[Any, Any]:
        return entry[self.keys[0]]["S"], entry[self.keys[1]]

    def writes(self, before: dict[str, Any] | None, after: dict[str, Any] | None) -> Iterator[tuple[str, int]]:
        """``(partition key, units)`` of what a change of the item writes to this index."""
        old, new = self.entry(before), self.entry(after)
        if old == new:
            return
        if old is not None and (new is None or self.key(old) != self.key(new)):
            yield self.key(old)[0], units(item_size(old))
        if new is not None:
            yield self.key(new)[0], units(item_size(new))


def _typed(item: dict[str, Any]) -> dict[str, Any]:
    """An item in DynamoDB JSON, whether it was sent typed (the client API) or not (the resource's)."""
    from boto3.dynamodb.types import TypeSerializer

    if isinstance(item.get("PK"), dict):
        return item
    serializer = TypeSerializer()
    return {name: serializer.serialize(value) for name, value in item.items()}


def _key_of(body: dict[str, Any]) -> tuple[str, str]:
    pk, sk = body["PK"], body["SK"]
    return (pk["S"] if isinstance(pk, dict) else pk), (sk["S"] if isinstance(sk, dict) else sk)


def written_keys(operation: str, params: dict[str, Any]) -> list[tuple[str, str, bool, int]]:
    """``(pk, sk, in a transaction, size sent)`` of each item a write request writes (the size of
    the item put, or of the key: what a put that failed its condition is billed on)."""
    from local.persistence import written_items

    return [
        (*_key_of(written), transactional, item_size(_typed(written)))
        for _, written, transactional in written_items(operation, params)
    ]


def shape_of_sort_key(sk: str) -> str:
    """The kind of an item by its sort key: ``TURN#2026-…#trc_…`` → ``TURN``."""
    return sk.split("#", 1)[0] or sk


class WriteMeter:
    """Counts write units by ``(where, what, partition key)`` and by the function that wrote
    (``label()`` names it; ``None`` leaves the write out)."""

    def __init__(self, cloud: Any, label: Callable[[], str | None] = lambda: "all") -> None:
        from moto.dynamodb.models import dynamodb_backends

        from local.emulator import ACCOUNT_ID

        self.table = dynamodb_backends[ACCOUNT_ID][cloud.options.region].get_table(cloud.resources["Table"])
        table_keys = (str(self.table.hash_key_attr), str(self.table.range_key_attr))
        self.indexes = [
            Index(
                name=index.name,
                keys=tuple(key["AttributeName"] for key in index.schema),  # type: ignore[arg-type]
                table_keys=table_keys,
                projected=None
                if index.projection.get("ProjectionType", "ALL") == "ALL"
                else frozenset(index.projection.get("NonKeyAttributes", [])),
            )
            for index in self.table.global_indexes
        ]
        self.label = label
        #: (function, where, what, partition key) -> write units
        self.units: Counter[tuple[str, str, str, str]] = Counter()
        self._lock = threading.RLock()

    def _stored(self, pk: str, sk: str) -> dict[str, Any] | None:
        from moto.dynamodb.models.dynamo_type import DynamoType

        item = self.table.get_item(DynamoType({"S": pk}), DynamoType({"S": sk}))
        return None if item is None else item.to_json()["Attributes"]

    def install(self) -> None:
        from botocore.client import BaseClient

        original, meter = BaseClient._make_api_call, self

        def make_api_call(client: Any, operation: str, params: Any) -> Any:
            function = meter.label()
            if client.meta.service_model.service_name != "dynamodb" or function is None:
                return original(client, operation, params)
            targets = written_keys(operation, params)
            if not targets:
                return original(client, operation, params)
            with meter._lock:
                before = [meter._stored(pk, sk) for pk, sk, _, _ in targets]
                try:
                    return original(client, operation, params)
                finally:
                    for (pk, sk, transactional, sent), old in zip(targets, before, strict=True):
                        meter.record(function, pk, sk, transactional, sent, old, meter._stored(pk, sk))

        BaseClient._make_api_call = make_api_call  # type: ignore[method-assign]

    def record(
        self,
        function: str,
        pk: str,
        sk: str,
        transactional: bool,
        sent: int,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        what = shape_of_sort_key(sk)
        table_units = units(max(item_size(before), item_size(after), sent)) * (2 if transactional else 1)
        self.units[(function, "table", what, pk)] += table_units
        for index in self.indexes:
            for key, index_units in index.writes(before, after):
                self.units[(function, index.name, what, key)] += index_units

    def total(self, functions: tuple[str, ...] | None = None) -> int:
        return sum(count for (function, *_), count in self.units.items() if functions is None or function in functions)

    def by(self, functions: tuple[str, ...] | None = None) -> Counter[tuple[str, str, str]]:
        """Units by ``(function, where, what)``."""
        found: Counter[tuple[str, str, str]] = Counter()
        for (function, where, what, _), count in self.units.items():
            if functions is None or function in functions:
                found[(function, where, what)] += count
        return found

    def reset(self) -> None:
        self.units.clear()
