"""A partition's items — of the table, or of a global index — kept in the order a Query reads
them, so that a Query with a ``Limit`` is handed the few items it can reach instead of the whole
partition to sort.

moto orders a table partition by its range key, and an index partition by the index's hash and
range keys, then the table's hash and range keys (a total order: the table's keys are unique).
:class:`PartitionOrder` keeps those values of every item (``names``), read once (``cast_value``, as
``workarounds.index_sorts_by_plain_values`` sorts), in a sorted list. Items put or updated since
the last Query are placed again before the next one (the caller notes them: ``put_item`` and
``update_item`` are the only ways moto gives an item a new value); an entry is checked against the
item as it is now whenever a Query reaches it — an item deleted, or moved, is dropped or placed
again — so an entry never read again costs nothing.

:meth:`PartitionOrder.window` answers which items a Query reaches, in moto's walk: after the
exclusive start key, the first ``limit`` items meeting the range condition, and the item after
them (moto ends its page with a ``LastEvaluatedKey`` when one follows). moto is then handed only
those and does everything else as always: the same answer, at a cost that no longer grows with the
partition. ``None`` when that cannot be told exactly (a key value neither a string nor a number, or
of mixed types; a condition on another attribute; a page large enough that moto's 1 MB answer
limit could end it early) — moto then reads the whole partition, as before.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable
from typing import Any

#: the key types whose order moto's comparisons and the plain values agree on
ORDERED_TYPES = frozenset({"S", "N"})
#: conditions whose matching range keys are one unbroken run in key order
RUNS = frozenset({"EQ", "LE", "LT", "GE", "GT", "BETWEEN", "BEGINS_WITH"})
#: conditions with a lower / an upper bound: the run starts (forward) / ends (backward) there
_LOWER_BOUNDED = frozenset({"EQ", "GE", "GT", "BETWEEN", "BEGINS_WITH"})
_UPPER_BOUNDED = frozenset({"EQ", "LE", "LT", "BETWEEN"})
#: moto's answer limit (1 MB) and its largest item: a page whose items stay this far under the
#: limit cannot be ended by size, whatever moto reads after them
RESULT_SIZE_LIMIT = 1_000_000
LARGEST_ITEM = 410_000

Key = tuple[Any, ...]
PrimaryKey = tuple[Any, Any]


class _Above:
    """Greater than any key value: ``(hash, high, ABOVE)`` follows every key whose range is ``high``
    (ties on an index's range key are broken by the table's keys)."""

    def __lt__(self, other: object) -> bool:
        return False

    def __gt__(self, other: object) -> bool:
        return True


ABOVE = _Above()


class _Restart(Exception):
    """An entry was stale and has been corrected: walk again."""


class PartitionOrder:
    def __init__(
        self, items: dict[Any, dict[Any, Any]], names: list[str], holds: Callable[[Any], bool], members: Iterable[Any]
    ) -> None:
        self.items = items  # the table's items: hash key -> range key -> item
        #: what orders the partition: its hash key and range key (the table's, or the index's then the table's)
        self.names = names
        self.holds = holds  # whether an item is in this partition now
        self.keys: list[Key] = []
        self.placed: dict[Key, PrimaryKey] = {}
        self.where: dict[PrimaryKey, Key] = {}
        self.pending: set[PrimaryKey] = set()
        self.types: tuple[str, ...] | None = None
        self.ordered = True
        for item in members:
            self._place(item)

    # ------------------------------------------------------------------ keeping the order
    def note(self, item: Any) -> None:
        """``item`` was put or updated: placed again before the next Query."""
        self.pending.add((item.hash_key, item.range_key))

    def _place(self, item: Any) -> None:
        key = self._key_of(item)
        if key is not None:
            insort(self.keys, key)
            primary = (item.hash_key, item.range_key)
            self.placed[key], self.where[primary] = primary, key

    def _key_of(self, item: Any) -> Key | None:
        """The item's place, or ``None`` when it has none: not in the index (no range key value), or
        keys of types that cannot be ordered with the others (the order is then given up)."""
        values = [item.attrs.get(name) for name in self.names]
        if any(value is None for value in values):
            return None
        types = tuple(value.type for value in values)
        if self.types is None:
            self.types = types
        if types != self.types or not ORDERED_TYPES.issuperset(types):
            self.ordered = False
            return None
        return tuple(value.cast_value for value in values)

    def _remove(self, primary: PrimaryKey) -> None:
        key = self.where.pop(primary, None)
        if key is not None:
            del self.keys[bisect_left(self.keys, key)]
            del self.placed[key]

    def _place_again(self, primary: PrimaryKey) -> None:
        self._remove(primary)
        item = self.items.get(primary[0], {}).get(primary[1])
        if item is not None and self.holds(item):
            self._place(item)

    def _refresh(self) -> None:
        for primary in self.pending:
            self._place_again(primary)
        self.pending.clear()

    def _item_at(self, key: Key) -> Any:
        """The item an entry names, if it is still there and still so placed."""
        primary = self.placed[key]
        item = self.items.get(primary[0], {}).get(primary[1])
        if item is None or not self.holds(item) or self._key_of(item) != key:
            self._place_again(primary)
            raise _Restart
        return item

    def _reads_a_run(self, operator: str) -> bool:
        """Whether the keys meeting the condition are one unbroken run (a prefix of a string only)."""
        return operator in RUNS and (operator != "BEGINS_WITH" or self.types is None or self.types[1] == "S")

    # ------------------------------------------------------------------ reading
    def window(
        self,
        condition: tuple[str, list[Any]] | None,
        limit: int | None,
        start: dict[str, Any] | None,
        forward: bool,
    ) -> list[Any] | None:
        """The items a Query reaches (see the module), in reading order; ``None``: moto must read all."""
        self._refresh()
        if condition is not None and not self._reads_a_run(condition[0]):
            return None
        while self.ordered:
            try:
                return self._walk(condition, limit, start, forward)
            except _Restart:
                continue
        return None

    def _walk(
        self, condition: tuple[str, list[Any]] | None, limit: int | None, start: dict[str, Any] | None, forward: bool
    ) -> list[Any] | None:
        if not self.keys:
            return []
        position = self._first_position(condition, start, forward)
        if position is None:
            return None
        step = 1 if forward else -1
        reached: list[Any] = []
        matched, size = 0, 0
        while 0 <= position < len(self.keys):
            item = self._item_at(self.keys[position])
            position += step
            if limit is not None and matched == limit:
                reached.append(item)  # moto's page ends at the item after the last it keeps
                break
            if condition is None or item.attrs[self.names[1]].compare(*condition):
                reached.append(item)
                matched += 1
                size += item.size()
            elif matched:
                break  # past the run of matching keys: none follows
        if size + LARGEST_ITEM > RESULT_SIZE_LIMIT:
            return None
        return reached

    def _first_position(
        self, condition: tuple[str, list[Any]] | None, start: dict[str, Any] | None, forward: bool
    ) -> int | None:
        """Where the walk starts: after the start key, and not before the condition's run can begin."""
        assert self.types is not None
        position = 0 if forward else len(self.keys) - 1
        if start is not None:
            key = self._plain(start.get(name) for name in self.names)
            if key is None:
                return None
            position = bisect_right(self.keys, key) if forward else bisect_left(self.keys, key) - 1
        if condition is None:
            return position
        operator, values = condition
        bounds = self._plain_range(values)
        if bounds is None:
            return None
        hash_value = self.keys[0][0]
        if forward and operator in _LOWER_BOUNDED:
            return max(position, bisect_left(self.keys, (hash_value, bounds[0])))
        if not forward and operator in _UPPER_BOUNDED:
            return min(position, bisect_right(self.keys, (hash_value, bounds[-1], ABOVE)) - 1)
        return position

    def _plain(self, values: Iterable[Any]) -> Key | None:
        """A start key's values as the entries hold them; ``None`` if one is missing or of another type."""
        from moto.dynamodb.models.dynamo_type import DynamoType

        plain = []
        for value, kind in zip(values, self.types or (), strict=True):
            if value is None:
                return None
            typed = DynamoType(value)
            if typed.type != kind:
                return None
            plain.append(typed.cast_value)
        return tuple(plain)

    def _plain_range(self, values: list[Any]) -> list[Any] | None:
        """A condition's values as the entries hold the index range key; ``None`` if of another type."""
        assert self.types is not None
        if not values or any(value.type != self.types[1] for value in values):
            return None
        return [value.cast_value for value in values]
